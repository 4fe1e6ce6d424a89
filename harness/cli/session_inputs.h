// The sessions a verb over many recordings reads (check, report): files and directories
// as the user gave them, expanded the same way for every such verb.
#ifndef BATON_HARNESS_CLI_SESSION_INPUTS_H_
#define BATON_HARNESS_CLI_SESSION_INPUTS_H_

#include <string>
#include <vector>

#include "base/status.h"

namespace baton::cli {

// Each input is a file, or a directory searched recursively for *.baton and
// *.baton.incomplete (in name order). A file PATH with PATH.incomplete beside it (a later
// recording crashed, or is still running) brings both in; PATH missing but PATH.incomplete
// present brings that. `notes` says why for each such case. NotFound for a missing input.
Status ExpandInputs(const std::vector<std::string>& inputs, std::vector<std::string>& files,
                    std::vector<std::string>& notes);

}  // namespace baton::cli

#endif  // BATON_HARNESS_CLI_SESSION_INPUTS_H_
