#include "recorder/event.h"

#include <xxhash.h>

#include <array>
#include <cstdio>

#include "recorder/event_fields.h"

namespace baton {

std::string BlobId::ToHex() const {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(high),
                static_cast<unsigned long long>(low));
  return buf;
}

BlobId BlobId::Of(std::string_view bytes) {
  XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  BlobId id{h.high64, h.low64};
  // The all-zero id means "no blob"; remap the (astronomically unlikely) hash of zero.
  if (id.empty()) id.low = 1;
  return id;
}

namespace {
template <size_t... I>
constexpr std::array<std::string_view, kEventKindCount> KindNames(std::index_sequence<I...>) {
  return {std::variant_alternative_t<I, EventBody>::kName...};
}
constexpr std::array<std::string_view, kEventKindCount> kKindNames =
    KindNames(std::make_index_sequence<kEventKindCount>());
}  // namespace

std::string_view KindName(EventKind kind) {
  auto i = static_cast<size_t>(kind);
  return i < kKindNames.size() ? kKindNames[i] : std::string_view("unknown");
}

std::optional<EventKind> KindFromName(std::string_view name) {
  for (size_t i = 0; i < kKindNames.size(); ++i)
    if (kKindNames[i] == name) return static_cast<EventKind>(i);
  return std::nullopt;
}

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kSuccess:
      return "success";
    case Verdict::kFailure:
      return "failure";
    case Verdict::kUnknown:
      break;
  }
  return "unknown";
}

std::string_view CallErrorCodeName(CallErrorCode code) {
  switch (code) {
    case CallErrorCode::kUnknown:
      return "unknown";
    case CallErrorCode::kUnavailable:
      return "unavailable";
    case CallErrorCode::kDeadlineExceeded:
      return "deadline_exceeded";
    case CallErrorCode::kInvalidArgument:
      return "invalid_argument";
    case CallErrorCode::kFailedPrecondition:
      return "failed_precondition";
  }
  return "unknown";
}

namespace {
// A sink for EventFieldWriter that sees only the Content fields.
template <typename Fn>
class ContentSink {
 public:
  explicit ContentSink(Fn& fn) : fn_(fn) {}
  ContentSink& BeginObject() { return *this; }
  ContentSink& EndObject() { return *this; }
  ContentSink& BeginArray() { return *this; }
  ContentSink& EndArray() { return *this; }
  ContentSink& Key(std::string_view) { return *this; }
  ContentSink& String(std::string_view) { return *this; }
  ContentSink& Int(int64_t) { return *this; }
  ContentSink& Uint(uint64_t) { return *this; }
  ContentSink& Double(double) { return *this; }
  ContentSink& Bool(bool) { return *this; }
  void ContentField(const Content& c) { fn_(c); }

 private:
  Fn& fn_;
};
}  // namespace

void ForEachContent(const Event& event, const std::function<void(const Content&)>& fn) {
  ContentSink<const std::function<void(const Content&)>> sink(fn);
  EventFieldWriter writer(sink);
  std::visit([&](const auto& body) { writer.Body(body); }, event.body);
}

void ForEachContent(Event& event, const std::function<void(Content&)>& fn) {
  // The field list is written once, over const bodies; every Content it hands out lives in
  // `event`, which the caller may change. Request messages may be shared with other events
  // (see MessageList): they become this event's own first.
  if (auto* call = std::get_if<ModelCall>(&event.body)) call->request.messages.Unshare();
  auto mutate = [&](const Content& c) { fn(const_cast<Content&>(c)); };
  ContentSink<decltype(mutate)> sink(mutate);
  EventFieldWriter writer(sink);
  std::visit([&](const auto& body) { writer.Body(body); }, event.body);
}

}  // namespace baton
