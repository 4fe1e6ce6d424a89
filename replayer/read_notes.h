// How a log ended and what its reader passed over, said the same way by every verb that
// reads one (why, diff, replay): a damaged or cut-short log never reads as clean.
#ifndef BATON_REPLAYER_READ_NOTES_H_
#define BATON_REPLAYER_READ_NOTES_H_

#include <ostream>
#include <string>

#include "replayer/log_reader.h"

namespace baton {

// Writes one "note: ..." line per problem (abnormal end, skipped chunk, lost events or
// blobs); nothing for a log that ended cleanly and whole. `label` names the log when a
// verb reads more than one ("A", "B"), else is empty.
void WriteReadNotes(std::ostream& out, const std::string& label, const ReadReport& report);

}  // namespace baton

#endif  // BATON_REPLAYER_READ_NOTES_H_
