// `baton why --counterfactual FILE -- PROGRAM`: attribution by intervention. For each
// finding of a failing session, the handoff behind it is repaired with the recorded content
// of its healthy counterpart, where the recording has one, and the program is rerun against
// the recording with that one repair (a fork that changes nothing else); the verb reports
// which single repair flips the verdict.
//
// The repairs and their counterparts: assertions/counterfactual_repairs.h.
#ifndef BATON_HARNESS_CLI_WHY_COUNTERFACTUAL_H_
#define BATON_HARNESS_CLI_WHY_COUNTERFACTUAL_H_

#include <string>
#include <vector>

#include "harness/cli/commands.h"
#include "harness/cli/proxy_options.h"

namespace baton::cli {

struct CounterfactualOptions {
  std::string file;
  std::string policy;
  std::vector<std::string> program;
  ProxyCliOptions proxy;
  std::string keep_dir;  // Where each repaired run's recording is kept ("": removed).
};

// Runs the program once per distinct repair and prints the table and the attribution.
// Exit: 0 the recording passes (nothing to repair), 1 it fails, 2 bad input.
int RunCounterfactualWhy(const CounterfactualOptions& options, CommandContext& ctx);

}  // namespace baton::cli

#endif  // BATON_HARNESS_CLI_WHY_COUNTERFACTUAL_H_
