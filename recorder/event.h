// The events of a recorded session, as plain C++ values.
//
// The Recorder takes these; the Reader gives them back. Each event body mirrors a
// struct of the same name in baton.capnp. Large text lives in `Content` fields, which
// the format stores once per file as content-addressed blobs.
#ifndef BATON_RECORDER_EVENT_H_
#define BATON_RECORDER_EVENT_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/shared_list.h"

namespace baton {

// 128-bit content hash (XXH3-128) naming a blob.
struct BlobId {
  uint64_t high = 0;
  uint64_t low = 0;

  bool empty() const { return high == 0 && low == 0; }
  std::string ToHex() const;
  static BlobId Of(std::string_view bytes);
  friend bool operator==(const BlobId&, const BlobId&) = default;
};

// Text that may be large (payloads, prompts, responses, tool output).
struct Content {
  std::string text;
  // Set by the reader when the text was stored as a blob: the blob's ordinal in the file
  // (1, 2, ...; 0 = stored inline). When the reader was asked not to load blobs, `text` is
  // empty and LogReader::LoadBlob(blob) fetches it.
  uint32_t blob = 0;

  Content() = default;
  Content(std::string t) : text(std::move(t)) {}  // NOLINT: implicit, for brevity.
  Content(const char* t) : text(t) {}             // NOLINT
  bool loaded() const { return blob == 0 || !text.empty(); }
  // Equal when the texts are equal: where the bytes were stored does not matter.
  friend bool operator==(const Content& a, const Content& b) { return a.text == b.text; }
};

struct KeyValue {
  std::string key;
  std::string value;
  friend bool operator==(const KeyValue&, const KeyValue&) = default;
};

struct ContextRef {
  std::string key;
  uint64_t version = 0;
  friend bool operator==(const ContextRef&, const ContextRef&) = default;
};

struct ChatMessage {
  std::string role;
  Content content;
  std::string name;
  std::string tool_call_id;
  // The message's other members (tool_calls, refusal...) as canonical JSON; "" when none.
  // Kept apart from the content so that an assistant message resent in the history is the
  // same text (and blob) as the answer it repeats.
  std::string extra = {};
  friend bool operator==(const ChatMessage&, const ChatMessage&) = default;
};

// The messages of a model request. A conversation resends its whole history with every
// call: a SharedList lets the calls of one conversation hold each message once, and tells in
// O(1) which messages two requests share (the writer, the analyses, diffs and replay
// matching skip a resent history instead of comparing it). See base/shared_list.h.
using MessageList = SharedList<ChatMessage>;

struct ToolSpec {
  std::string name;
  std::string description;
  Content parameters_json;
  friend bool operator==(const ToolSpec&, const ToolSpec&) = default;
};

struct ToolCallRequest {
  std::string id;
  std::string name;
  Content arguments_json;
  friend bool operator==(const ToolCallRequest&, const ToolCallRequest&) = default;
};

struct TokenUsage {
  uint64_t prompt_tokens = 0;
  uint64_t completion_tokens = 0;
  uint64_t total_tokens = 0;
  friend bool operator==(const TokenUsage&, const TokenUsage&) = default;
};

struct StreamChunk {
  int64_t offset_ns = 0;  // Arrival relative to sending the request.
  std::string text;
  friend bool operator==(const StreamChunk&, const StreamChunk&) = default;
};

struct ModelRequest {
  std::string model;
  std::vector<KeyValue> parameters;
  MessageList messages;
  std::vector<ToolSpec> tools;
  std::vector<KeyValue> headers;  // Secrets are redacted before anything is written.
  bool stream = false;
  friend bool operator==(const ModelRequest&, const ModelRequest&) = default;
};

// The fields of a model request, one list for every use: JSON output, flattening for diffs,
// hashing and field-by-field matching in replay (request_normalizer.cc). `v(name, member)` is
// called once per field, in order, with a pointer to the member. A field added to
// ModelRequest without a line here does not compile (the static_assert below), so it cannot
// drop out of replay matching.
template <typename Visitor>
constexpr void VisitModelRequestFields(Visitor&& v) {
  v("model", &ModelRequest::model);
  v("parameters", &ModelRequest::parameters);
  v("messages", &ModelRequest::messages);
  v("tools", &ModelRequest::tools);
  v("headers", &ModelRequest::headers);
  v("stream", &ModelRequest::stream);
}
inline constexpr size_t kModelRequestFieldCount = 6;

namespace internal {
// The number of members of an aggregate, counted by initializing it with ever more values.
struct AnyField {
  template <typename T>
  constexpr operator T&() const&& noexcept;  // NOLINT: implicit by design; never defined.
};
template <typename T, typename... Fields>
constexpr size_t AggregateArity() {
  if constexpr (requires { T{Fields{}..., AnyField{}}; }) {
    return AggregateArity<T, Fields..., AnyField>();
  } else {
    return sizeof...(Fields);
  }
}
constexpr size_t CountModelRequestFields() {
  size_t n = 0;
  VisitModelRequestFields([&n](std::string_view, auto) { ++n; });
  return n;
}
}  // namespace internal
static_assert(kModelRequestFieldCount == internal::CountModelRequestFields());
static_assert(internal::AggregateArity<ModelRequest>() == kModelRequestFieldCount,
              "a ModelRequest field is missing from VisitModelRequestFields");

struct ModelResponse {
  Content content;
  std::vector<ToolCallRequest> tool_calls;
  std::string finish_reason;
  TokenUsage usage;
  std::vector<StreamChunk> chunks;
  friend bool operator==(const ModelResponse&, const ModelResponse&) = default;
};

// --- Event bodies, one per kind ---------------------------------------------------
//
// Adding a kind: a struct here with its kKind and kName, its place in EventBody and
// EventKind (the static_asserts below check they agree), a member of Event's union in
// baton.capnp, one BATON_EVENT_SCHEMA line and its Body pair in event_codec.cc, and its field
// list in event_fields.h. Each of these is checked by the compiler or by event_kinds_test.

// The order here is the order of EventBody below and of Event's union in baton.capnp.
enum class EventKind : uint8_t {
  kMessageSend,
  kMessageDelivery,
  kMessageInterpretation,
  kMessageProcessed,
  kContextWrite,
  kContextRead,
  kModelCall,
  kToolCall,
  kRoutingDecision,
  kScore,
  kCheck,
  kClockRead,
  kRandomDraw,
  kEnvRead,
  kSpanStart,
  kSpanEnd,
  kRetry,
  kOutcome,
  kEventsDropped,
};

struct MessageSend {
  static constexpr EventKind kKind = EventKind::kMessageSend;
  static constexpr std::string_view kName = "message_send";
  std::string message_id;
  std::string to;
  std::string intent;
  Content payload;
  std::vector<ContextRef> context_versions;  // What the message was built on.
  friend bool operator==(const MessageSend&, const MessageSend&) = default;
};

struct MessageDelivery {
  static constexpr EventKind kKind = EventKind::kMessageDelivery;
  static constexpr std::string_view kName = "message_delivery";
  std::string message_id;
  std::string from;
  friend bool operator==(const MessageDelivery&, const MessageDelivery&) = default;
};

// What the receiver understood the message to ask for.
struct MessageInterpretation {
  static constexpr EventKind kKind = EventKind::kMessageInterpretation;
  static constexpr std::string_view kName = "message_interpretation";
  std::string message_id;
  std::string understood_intent;
  Content summary;
  friend bool operator==(const MessageInterpretation&, const MessageInterpretation&) = default;
};

struct MessageProcessed {
  static constexpr EventKind kKind = EventKind::kMessageProcessed;
  static constexpr std::string_view kName = "message_processed";
  std::string message_id;
  friend bool operator==(const MessageProcessed&, const MessageProcessed&) = default;
};

struct ContextWrite {
  static constexpr EventKind kKind = EventKind::kContextWrite;
  static constexpr std::string_view kName = "context_write";
  std::string key;
  uint64_t version = 0;
  Content value;
  friend bool operator==(const ContextWrite&, const ContextWrite&) = default;
};

struct ContextRead {
  static constexpr EventKind kKind = EventKind::kContextRead;
  static constexpr std::string_view kName = "context_read";
  std::string key;
  uint64_t version = 0;
  friend bool operator==(const ContextRead&, const ContextRead&) = default;
};

// Why a model or tool call failed, as a value (the Status code the client returned), so that a
// replay gives the agent back the same kind of failure. Files written before this field have
// kUnknown: their `error` text is all there is.
enum class CallErrorCode : uint8_t {
  kUnknown = 0,         // Not recorded (an older file) or not one of the below.
  kUnavailable,         // The peer failed; retryable.
  kDeadlineExceeded,    // The peer did not answer in time; retryable.
  kInvalidArgument,     // The request was refused (HTTP 4xx).
  kFailedPrecondition,  // Anything else the client reported.
};

std::string_view CallErrorCodeName(CallErrorCode code);  // "unavailable", ...

// The HTTP exchange behind a model call that the proxy captured: enough to answer a replayed
// request with the same bytes (status, headers, body or stream frames). Empty `api` for calls
// made through the runtime.
struct HttpExchange {
  // "openai.chat", "openai.responses", "anthropic.messages", ..., or "http" for an opaque
  // exchange, whose request is then in ModelRequest as parameters "method" and "path" and one
  // message of role "http" holding the body.
  std::string api;
  std::string method;
  std::string path;  // With the query string.
  uint32_t status = 0;
  std::vector<KeyValue> response_headers;
  Content response_body;    // A response sent whole; a stream's frames are response.chunks.
  bool stream_cut = false;  // The upstream stopped mid-stream.
  friend bool operator==(const HttpExchange&, const HttpExchange&) = default;
};

struct ModelCall {
  static constexpr EventKind kKind = EventKind::kModelCall;
  static constexpr std::string_view kName = "model_call";
  std::string call_id;
  ModelRequest request;
  ModelResponse response;
  int64_t latency_ns = 0;
  uint32_t attempt = 1;
  std::string error;                                   // Empty on success.
  CallErrorCode error_code = CallErrorCode::kUnknown;  // Meaningful when error is not empty.
  HttpExchange http;                                   // Set by the proxy.
  friend bool operator==(const ModelCall&, const ModelCall&) = default;
};

struct ToolCall {
  static constexpr EventKind kKind = EventKind::kToolCall;
  static constexpr std::string_view kName = "tool_call";
  std::string call_id;
  std::string tool;
  Content arguments;
  Content result;
  int64_t latency_ns = 0;
  std::string error;
  CallErrorCode error_code = CallErrorCode::kUnknown;  // Meaningful when error is not empty.
  friend bool operator==(const ToolCall&, const ToolCall&) = default;
};

struct RoutingDecision {
  static constexpr EventKind kKind = EventKind::kRoutingDecision;
  static constexpr std::string_view kName = "routing_decision";
  std::string chosen;
  std::vector<std::string> candidates;
  Content reasoning;
  friend bool operator==(const RoutingDecision&, const RoutingDecision&) = default;
};

struct Score {
  static constexpr EventKind kKind = EventKind::kScore;
  static constexpr std::string_view kName = "score";
  uint64_t target_seq = 0;
  std::string target_message_id;
  double value = 0.0;  // In [0, 1].
  std::string scorer;
  Content rationale;
  friend bool operator==(const Score&, const Score&) = default;
};

// An agent validated an input before using it.
struct Check {
  static constexpr EventKind kKind = EventKind::kCheck;
  static constexpr std::string_view kName = "check";
  uint64_t target_seq = 0;
  std::string target_message_id;
  std::string checker;
  bool passed = false;
  std::string detail;
  friend bool operator==(const Check&, const Check&) = default;
};

struct ClockRead {
  static constexpr EventKind kKind = EventKind::kClockRead;
  static constexpr std::string_view kName = "clock_read";
  std::string clock;  // "wall", "monotonic", or a user name.
  int64_t value_ns = 0;
  friend bool operator==(const ClockRead&, const ClockRead&) = default;
};

struct RandomDraw {
  static constexpr EventKind kKind = EventKind::kRandomDraw;
  static constexpr std::string_view kName = "random_draw";
  std::string stream;
  uint64_t value = 0;
  friend bool operator==(const RandomDraw&, const RandomDraw&) = default;
};

struct EnvRead {
  static constexpr EventKind kKind = EventKind::kEnvRead;
  static constexpr std::string_view kName = "env_read";
  std::string name;
  std::string value;
  bool present = false;
  friend bool operator==(const EnvRead&, const EnvRead&) = default;
};

struct SpanStart {
  static constexpr EventKind kKind = EventKind::kSpanStart;
  static constexpr std::string_view kName = "span_start";
  std::string span_id;
  std::string parent_span_id;
  std::string name;
  std::vector<KeyValue> attributes;
  friend bool operator==(const SpanStart&, const SpanStart&) = default;
};

struct SpanEnd {
  static constexpr EventKind kKind = EventKind::kSpanEnd;
  static constexpr std::string_view kName = "span_end";
  std::string span_id;
  std::string status;
  int64_t reported_duration_ns = 0;  // What the span claims, which may hide retries.
  friend bool operator==(const SpanEnd&, const SpanEnd&) = default;
};

struct Retry {
  static constexpr EventKind kKind = EventKind::kRetry;
  static constexpr std::string_view kName = "retry";
  std::string call_id;
  uint32_t attempt = 0;  // The attempt about to be made.
  std::string reason;
  int64_t backoff_ns = 0;
  friend bool operator==(const Retry&, const Retry&) = default;
};

enum class Verdict : uint8_t { kUnknown = 0, kSuccess = 1, kFailure = 2 };
// "unknown", "success", "failure": the names `baton cat` and every report use; "unknown" for
// a value outside Verdict.
std::string_view VerdictName(Verdict verdict);

struct Outcome {
  static constexpr EventKind kKind = EventKind::kOutcome;
  static constexpr std::string_view kName = "outcome";
  Content result;
  Verdict verdict = Verdict::kUnknown;
  std::string detail;
  friend bool operator==(const Outcome&, const Outcome&) = default;
};

// Written by the recorder itself when its drop policy discarded events.
struct EventsDropped {
  static constexpr EventKind kKind = EventKind::kEventsDropped;
  static constexpr std::string_view kName = "events_dropped";
  uint64_t count = 0;
  friend bool operator==(const EventsDropped&, const EventsDropped&) = default;
};

// The order here is the order of EventKind above.
using EventBody =
    std::variant<MessageSend, MessageDelivery, MessageInterpretation, MessageProcessed,
                 ContextWrite, ContextRead, ModelCall, ToolCall, RoutingDecision, Score, Check,
                 ClockRead, RandomDraw, EnvRead, SpanStart, SpanEnd, Retry, Outcome, EventsDropped>;

inline constexpr size_t kEventKindCount = std::variant_size_v<EventBody>;

namespace internal {
// Every body's kKind is its index in EventBody, and every index has a kind.
template <size_t... I>
constexpr bool KindsMatchVariant(std::index_sequence<I...>) {
  return ((std::variant_alternative_t<I, EventBody>::kKind == static_cast<EventKind>(I)) && ...);
}
}  // namespace internal
static_assert(internal::KindsMatchVariant(std::make_index_sequence<kEventKindCount>()),
              "EventKind, the bodies' kKind and EventBody's order disagree");
static_assert(static_cast<size_t>(EventKind::kEventsDropped) + 1 == kEventKindCount,
              "EventKind has a member that EventBody lacks (or the reverse)");

// The stable snake_case name of a kind ("message_send"), used by JSON output and the CLI;
// "unknown" for a value outside EventKind.
std::string_view KindName(EventKind kind);
// The kind named by KindName, or nullopt.
std::optional<EventKind> KindFromName(std::string_view name);

struct Event {
  uint64_t seq = 0;     // 1, 2, 3, ... assigned by the recorder.
  int64_t mono_ns = 0;  // Monotonic time since the session started.
  int64_t wall_ns = 0;  // Unix time.
  std::string agent;
  uint64_t cause = 0;  // seq of the event that led to this one; 0 when none.
  EventBody body;

  EventKind kind() const { return static_cast<EventKind>(body.index()); }
  template <typename T>
  const T* As() const {
    return std::get_if<T>(&body);
  }
  friend bool operator==(const Event&, const Event&) = default;
};

// Calls fn on every Content field of the event (payloads, prompt messages, responses,
// tool arguments and results...).
void ForEachContent(const Event& event, const std::function<void(const Content&)>& fn);
void ForEachContent(Event& event, const std::function<void(Content&)>& fn);

struct SessionHeader {
  std::string session_id;
  int64_t start_wall_ns = 0;
  std::vector<std::string> agents;
  std::vector<KeyValue> metadata;
  std::string writer;  // Filled in by the recorder.
  friend bool operator==(const SessionHeader&, const SessionHeader&) = default;
};

}  // namespace baton

#endif  // BATON_RECORDER_EVENT_H_
