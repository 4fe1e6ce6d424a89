// One event as one JSON object: the line format of `baton cat`. Field names are
// stable and documented in recorder/FORMAT.md ("JSON lines").
#ifndef BATON_REPLAYER_EVENT_JSON_H_
#define BATON_REPLAYER_EVENT_JSON_H_

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "base/json_writer.h"
#include "recorder/event.h"

namespace baton {

// Writes the event as a JSON object. A Content field is a string when its text is
// loaded, or {"blob": N} (the blob's ordinal) when the reader left it as a reference.
void WriteEventJson(const Event& event, JsonWriter& out);
std::string EventToJson(const Event& event);
// For GoogleTest's messages: the event as `baton cat` prints it.
void PrintTo(const Event& event, std::ostream* os);

// One leaf of an event as a path and its value as text: {"request.messages[1].content",
// "..."}. The paths use the JSON field names, so a diff reads like `baton cat` output.
struct EventField {
  std::string path;
  std::string value;
  friend bool operator==(const EventField&, const EventField&) = default;
};

enum class EventHeaderFields {
  kAll,       // seq, kind, agent, cause, mono_ns, wall_ns, then the body.
  kBodyOnly,  // The body's fields only: what two runs of the same code should share.
};

// The event's fields in JSON order, flattened to leaves. An unloaded blob-backed content
// is the text {"blob":N}.
std::vector<EventField> FlattenEvent(const Event& event,
                                     EventHeaderFields header_fields = EventHeaderFields::kAll);

// A 64-bit hash of fields: for each, its path and the XXH3-64 of its value.
uint64_t HashFields(const std::vector<EventField>& fields);

// The same hash as HashFields(FlattenEvent(event, kBodyOnly)) restricted to the paths
// `keep` accepts, computed without copying any value; a content field's value hash comes
// from `content_hash` (so a blob that is not loaded can be hashed from a cache), and must
// equal XXH3-64 of its text.
uint64_t HashEventFields(const Event& event, const std::function<bool(std::string_view)>& keep,
                         const std::function<uint64_t(const Content&)>& content_hash);

}  // namespace baton

#endif  // BATON_REPLAYER_EVENT_JSON_H_
