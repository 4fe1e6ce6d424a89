// One event as one JSON object: the line format of `baton cat`. Field names are
// stable and documented in recorder/FORMAT.md ("JSON lines").
#ifndef BATON_REPLAYER_EVENT_JSON_H_
#define BATON_REPLAYER_EVENT_JSON_H_

#include <string>

#include "recorder/event.h"
#include "replayer/json_writer.h"

namespace baton {

// Writes the event as a JSON object. A Content field is a string when its text is
// loaded, or {"blob": N} (the blob's ordinal) when the reader left it as a reference.
void WriteEventJson(const Event& event, JsonWriter& out);
std::string EventToJson(const Event& event);

}  // namespace baton

#endif  // BATON_REPLAYER_EVENT_JSON_H_
