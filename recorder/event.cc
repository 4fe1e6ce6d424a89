#include "recorder/event.h"

#include <xxhash.h>

#include <array>
#include <cstdio>

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

std::string_view KindName(EventKind kind) {
  static constexpr std::array<std::string_view, kEventKindCount> kNames = {"message_send",
                                                                           "message_delivery",
                                                                           "message_interpretation",
                                                                           "message_processed",
                                                                           "context_write",
                                                                           "context_read",
                                                                           "model_call",
                                                                           "tool_call",
                                                                           "routing_decision",
                                                                           "score",
                                                                           "check",
                                                                           "clock_read",
                                                                           "random_draw",
                                                                           "env_read",
                                                                           "span_start",
                                                                           "span_end",
                                                                           "retry",
                                                                           "outcome",
                                                                           "events_dropped"};
  auto i = static_cast<size_t>(kind);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

namespace {
template <typename E, typename F>
void VisitContents(E& event, F&& fn) {
  std::visit(
      [&](auto& body) {
        using B = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<B, MessageSend>) fn(body.payload);
        if constexpr (std::is_same_v<B, MessageInterpretation>) fn(body.summary);
        if constexpr (std::is_same_v<B, ContextWrite>) fn(body.value);
        if constexpr (std::is_same_v<B, ModelCall>) {
          for (auto& m : body.request.messages) fn(m.content);
          for (auto& t : body.request.tools) fn(t.parameters_json);
          fn(body.response.content);
          for (auto& c : body.response.tool_calls) fn(c.arguments_json);
        }
        if constexpr (std::is_same_v<B, ToolCall>) {
          fn(body.arguments);
          fn(body.result);
        }
        if constexpr (std::is_same_v<B, RoutingDecision>) fn(body.reasoning);
        if constexpr (std::is_same_v<B, Score>) fn(body.rationale);
        if constexpr (std::is_same_v<B, Outcome>) fn(body.result);
      },
      event.body);
}
}  // namespace

void ForEachContent(const Event& event, const std::function<void(const Content&)>& fn) {
  VisitContents(event, fn);
}
void ForEachContent(Event& event, const std::function<void(Content&)>& fn) {
  VisitContents(event, fn);
}

}  // namespace baton
