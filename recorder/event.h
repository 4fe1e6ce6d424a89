// The events of a recorded session, as plain C++ values.
//
// The Recorder takes these; the Reader gives them back. Each event body mirrors a
// struct of the same name in baton.capnp. Large text lives in `Content` fields, which
// the format stores once per file as content-addressed blobs.
#ifndef BATON_RECORDER_EVENT_H_
#define BATON_RECORDER_EVENT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

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
  friend bool operator==(const ChatMessage&, const ChatMessage&) = default;
};

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
  std::vector<ChatMessage> messages;
  std::vector<ToolSpec> tools;
  std::vector<KeyValue> headers;  // Secrets are redacted before anything is written.
  bool stream = false;
  friend bool operator==(const ModelRequest&, const ModelRequest&) = default;
};

struct ModelResponse {
  Content content;
  std::vector<ToolCallRequest> tool_calls;
  std::string finish_reason;
  TokenUsage usage;
  std::vector<StreamChunk> chunks;
  friend bool operator==(const ModelResponse&, const ModelResponse&) = default;
};

// --- Event bodies, one per kind ---------------------------------------------------

struct MessageSend {
  std::string message_id;
  std::string to;
  std::string intent;
  Content payload;
  std::vector<ContextRef> context_versions;  // What the message was built on.
  friend bool operator==(const MessageSend&, const MessageSend&) = default;
};

struct MessageDelivery {
  std::string message_id;
  std::string from;
  friend bool operator==(const MessageDelivery&, const MessageDelivery&) = default;
};

// What the receiver understood the message to ask for.
struct MessageInterpretation {
  std::string message_id;
  std::string understood_intent;
  Content summary;
  friend bool operator==(const MessageInterpretation&, const MessageInterpretation&) = default;
};

struct MessageProcessed {
  std::string message_id;
  friend bool operator==(const MessageProcessed&, const MessageProcessed&) = default;
};

struct ContextWrite {
  std::string key;
  uint64_t version = 0;
  Content value;
  friend bool operator==(const ContextWrite&, const ContextWrite&) = default;
};

struct ContextRead {
  std::string key;
  uint64_t version = 0;
  friend bool operator==(const ContextRead&, const ContextRead&) = default;
};

struct ModelCall {
  std::string call_id;
  ModelRequest request;
  ModelResponse response;
  int64_t latency_ns = 0;
  uint32_t attempt = 1;
  std::string error;  // Empty on success.
  friend bool operator==(const ModelCall&, const ModelCall&) = default;
};

struct ToolCall {
  std::string call_id;
  std::string tool;
  Content arguments;
  Content result;
  int64_t latency_ns = 0;
  std::string error;
  friend bool operator==(const ToolCall&, const ToolCall&) = default;
};

struct RoutingDecision {
  std::string chosen;
  std::vector<std::string> candidates;
  Content reasoning;
  friend bool operator==(const RoutingDecision&, const RoutingDecision&) = default;
};

struct Score {
  uint64_t target_seq = 0;
  std::string target_message_id;
  double value = 0.0;  // In [0, 1].
  std::string scorer;
  Content rationale;
  friend bool operator==(const Score&, const Score&) = default;
};

// An agent validated an input before using it.
struct Check {
  uint64_t target_seq = 0;
  std::string target_message_id;
  std::string checker;
  bool passed = false;
  std::string detail;
  friend bool operator==(const Check&, const Check&) = default;
};

struct ClockRead {
  std::string clock;  // "wall", "monotonic", or a user name.
  int64_t value_ns = 0;
  friend bool operator==(const ClockRead&, const ClockRead&) = default;
};

struct RandomDraw {
  std::string stream;
  uint64_t value = 0;
  friend bool operator==(const RandomDraw&, const RandomDraw&) = default;
};

struct EnvRead {
  std::string name;
  std::string value;
  bool present = false;
  friend bool operator==(const EnvRead&, const EnvRead&) = default;
};

struct SpanStart {
  std::string span_id;
  std::string parent_span_id;
  std::string name;
  std::vector<KeyValue> attributes;
  friend bool operator==(const SpanStart&, const SpanStart&) = default;
};

struct SpanEnd {
  std::string span_id;
  std::string status;
  int64_t reported_duration_ns = 0;  // What the span claims, which may hide retries.
  friend bool operator==(const SpanEnd&, const SpanEnd&) = default;
};

struct Retry {
  std::string call_id;
  uint32_t attempt = 0;  // The attempt about to be made.
  std::string reason;
  int64_t backoff_ns = 0;
  friend bool operator==(const Retry&, const Retry&) = default;
};

enum class Verdict : uint8_t { kUnknown = 0, kSuccess = 1, kFailure = 2 };

struct Outcome {
  Content result;
  Verdict verdict = Verdict::kUnknown;
  std::string detail;
  friend bool operator==(const Outcome&, const Outcome&) = default;
};

// Written by the recorder itself when its drop policy discarded events.
struct EventsDropped {
  uint64_t count = 0;
  friend bool operator==(const EventsDropped&, const EventsDropped&) = default;
};

// The order here is the order of EventKind below.
using EventBody =
    std::variant<MessageSend, MessageDelivery, MessageInterpretation, MessageProcessed,
                 ContextWrite, ContextRead, ModelCall, ToolCall, RoutingDecision, Score, Check,
                 ClockRead, RandomDraw, EnvRead, SpanStart, SpanEnd, Retry, Outcome, EventsDropped>;

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
inline constexpr size_t kEventKindCount = std::variant_size_v<EventBody>;

// The stable snake_case name of a kind ("message_send"), used by JSON output and the CLI.
std::string_view KindName(EventKind kind);

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
