// OpenTelemetry spans as plain C++ values, read from and written as OTLP/JSON.
//
// OTLP/JSON is what the OpenTelemetry Collector's file exporter writes, what `otlphttp` with
// `encoding: json` posts, and what the JavaScript and Python OTLP/HTTP exporters send with the
// JSON protocol: {"resourceSpans": [{"resource", "scopeSpans": [{"scope", "spans": [...]}]}]}.
// The reader tolerates what real exporters send besides the specification: ids in hex (the
// spec) or base64 (protobuf's generic JSON mapping), 64-bit numbers as strings or numbers,
// camelCase or snake_case keys, the older "instrumentationLibrarySpans", enum values as numbers
// or names, unknown fields, and several documents in one file (the file exporter writes one
// per line). A span it cannot use is rejected alone, with a reason naming where it was;
// everything else in the batch is kept (OTLP's partial success).
//
// What the OpenTelemetry Python SDK's ConsoleSpanExporter prints is read too (one indented
// JSON object per span, or a JSON array of them: "0x" ids, ISO 8601 times, plain attribute
// values), as the spans an OTLP export of them gives, to the microsecond it prints.
//
// Log exports ({"resourceLogs": [{"resource", "scopeLogs": [{"scope", "logRecords": [...]}]}]})
// are read too, for the log records that belong to a span: the GenAI conventions' events
// (gen_ai.user.message, gen_ai.choice, ...), which the OpenAI instrumentations send as log
// records, not span events, with the messages in the record's body. Each becomes an event of
// the span it names (SpanRecord::kEventsOfSpan), joined to it when its session is built.
#ifndef BATON_HARNESS_OTEL_OTLP_SPANS_H_
#define BATON_HARNESS_OTEL_OTLP_SPANS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/status.h"

namespace baton::otel {

enum class ValueType : uint8_t { kEmpty, kString, kBool, kInt, kDouble, kBytes, kArray, kKvList };

// An OTLP AnyValue. Arrays and key-value lists keep their JSON text (a list of plain values:
// ["a", 1]; a kvlist: {"k": v}), which is what the GenAI conventions' structured attributes
// (gen_ai.input.messages, ...) are read from either way.
struct AttributeValue {
  ValueType type = ValueType::kEmpty;
  std::string text;  // kString, kBytes (decoded), kArray / kKvList (JSON).
  int64_t int_value = 0;
  double double_value = 0.0;
  bool bool_value = false;

  // The value as text: a string as is, numbers and booleans printed, lists as JSON.
  std::string ToString() const;
  std::optional<int64_t> ToInt() const;  // kInt, kDouble, or a string of digits.
  std::optional<double> ToDouble() const;
  std::optional<bool> ToBool() const;  // kBool, or "true"/"false".
  // kArray of strings (or a string holding a JSON array of strings): its items.
  std::vector<std::string> ToStringList() const;

  static AttributeValue String(std::string s);
  static AttributeValue Int(int64_t v);
  static AttributeValue Double(double v);
  static AttributeValue Bool(bool v);
  static AttributeValue StringList(const std::vector<std::string>& items);
};

// An attribute's key. Keys of up to kInlineBytes are kept in the object itself: the GenAI and
// baton keys fit, and OpenInference's flattened ones up to its tool calls' (71 bytes, on the
// heap), so reading a span allocates for few of its keys (a std::string keeps 15 bytes in
// place, and three in four of those keys are longer). Longer keys are kept on the heap.
class AttributeKey {
 public:
  static constexpr size_t kInlineBytes = 52;  // The object is then 64 bytes.
  AttributeKey() = default;
  // Implicit, as a std::string is made from text.
  AttributeKey(std::string_view text) { Assign(text); }  // NOLINT(google-explicit-constructor)
  AttributeKey(const char* text) : AttributeKey(std::string_view(text)) {}         // NOLINT
  AttributeKey(const std::string& text) : AttributeKey(std::string_view(text)) {}  // NOLINT
  AttributeKey(const AttributeKey& other) { Assign(other.view()); }
  AttributeKey(AttributeKey&& other) noexcept { Take(other); }
  AttributeKey& operator=(const AttributeKey& other) {
    if (this != &other) Assign(other.view());
    return *this;
  }
  AttributeKey& operator=(AttributeKey&& other) noexcept {
    if (this != &other) Take(other);
    return *this;
  }
  ~AttributeKey() = default;

  std::string_view view() const { return {heap_ != nullptr ? heap_.get() : inline_, size_}; }
  operator std::string_view() const { return view(); }  // NOLINT(google-explicit-constructor)
  std::string str() const { return std::string(view()); }
  friend bool operator==(const AttributeKey& a, std::string_view b) { return a.view() == b; }

 private:
  void Assign(std::string_view text);
  void Take(AttributeKey& other) noexcept;
  std::unique_ptr<char[]> heap_;  // Set for a key longer than kInlineBytes.
  uint32_t size_ = 0;
  char inline_[kInlineBytes] = {};
};

struct Attribute {
  AttributeKey key;
  AttributeValue value;
};

using Attributes = std::vector<Attribute>;

// The attribute named `key`, or nullptr.
const AttributeValue* FindAttribute(const Attributes& attrs, std::string_view key);
// Its text, or "" when absent.
std::string AttributeString(const Attributes& attrs, std::string_view key);

struct SpanEvent {
  std::string name;
  int64_t time_ns = 0;
  Attributes attributes;
};

enum class StatusCode : uint8_t { kUnset = 0, kOk = 1, kError = 2 };

// What a Span holds: a whole span, or (read from a log record) only an event of the span that
// `span_id` names, for the session builder to join to it.
enum class SpanRecord : uint8_t { kSpan, kEventsOfSpan };

struct Span {
  SpanRecord record = SpanRecord::kSpan;
  std::string trace_id;        // Lowercase hex, 32 digits.
  std::string span_id;         // Lowercase hex, 16 digits.
  std::string parent_span_id;  // "" for a root.
  // For a root span linked to a span of another trace, that trace (the first such link's): a
  // message runtime that starts a trace for each message it delivers links it to the trace
  // that sent the message (AutoGen's runtime, without a span of the program's around it).
  // "" otherwise.
  std::string continues_trace_id;
  std::string name;
  int kind = 0;  // SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer.
  int64_t start_ns = 0;  // Unix nanoseconds.
  int64_t end_ns = 0;
  Attributes attributes;
  std::vector<SpanEvent> events;
  StatusCode status = StatusCode::kUnset;
  std::string status_message;
  // From the span's resource and scope.
  std::string service_name;
  std::string scope_name;

  const AttributeValue* Find(std::string_view key) const { return FindAttribute(attributes, key); }
  std::string Str(std::string_view key) const { return AttributeString(attributes, key); }
};

struct RejectedSpan {
  // "FILE: resourceSpans[0].scopeSpans[1].spans[3]", or for a log record
  // "FILE: resourceLogs[0].scopeLogs[1].logRecords[3]".
  std::string where;
  std::string reason;  // "spanId: expected 16 hex digits or base64 of 8 bytes"
};

struct OtlpBatch {
  std::vector<Span> spans;  // With the events of log records that name a span.
  std::vector<RejectedSpan> rejected;
  size_t log_records = 0;               // Read as events of a span.
  size_t log_records_outside_span = 0;  // Name no span (a plain application log): skipped.
};

// Parses an OTLP/JSON export request (or several, concatenated or one per line), reading
// spans on every core. A document that is not JSON or has neither resourceSpans nor
// resourceLogs is an error naming `where` and the byte offset; a span without usable ids or
// times is rejected alone.
Result<OtlpBatch> ParseOtlpJson(std::string_view json, std::string_view where);

// ParseOtlpJson that keeps its parser's memory (the tape, the padded copy of the input)
// from one document to the next: a receiver reads every request body with one reader, so
// it allocates and faults in that memory once instead of per request. One thread at a time.
class OtlpJsonReader {
 public:
  // Input larger than `batch_bytes` whose first line ends within that many bytes (JSON
  // lines, as a Collector's file exporter writes) is parsed a batch at a time, a document
  // larger than a batch with what follows it at once: the parser's memory is then a few
  // times the batch, not the input. Other input (one export request) is parsed at once.
  static constexpr size_t kDefaultBatchBytes = 8 << 20;
  // The spans of a document are read on `workers` threads (0: one per core); one, as a
  // receiver whose cores are busy with other requests reads them, starts no thread.
  explicit OtlpJsonReader(size_t batch_bytes = kDefaultBatchBytes, unsigned workers = 1);
  ~OtlpJsonReader();
  OtlpJsonReader(const OtlpJsonReader&) = delete;
  OtlpJsonReader& operator=(const OtlpJsonReader&) = delete;

  Result<OtlpBatch> Read(std::string_view json, std::string_view where);
  // Read of the `size` bytes at `text`, parsed where they are: `text` must have kPadding
  // more bytes after them that the parser may overwrite. A receiver reads a request body
  // into such a buffer, so the body is not copied again.
  static constexpr size_t kPadding = 64;
  Result<OtlpBatch> ReadInPlace(char* text, size_t size, std::string_view where);
  // Read of the file at `path` (at most max_bytes, else InvalidArgument), read straight into
  // the parser's input buffer: `baton import otlp`.
  Result<OtlpBatch> ReadFile(Env& env, const std::string& path, uint64_t max_bytes);

 private:
  struct State;
  // Parses the first `size` bytes of `padded`, which has kPadding bytes more.
  Result<OtlpBatch> ReadPadded(char* padded, size_t size, std::string_view where);
  void Release(size_t parsed_bytes);  // Drops the memory kept after a very large input.
  const size_t batch_bytes_;
  const unsigned workers_;
  std::unique_ptr<State> state_;
};

// Whether a log record, at resourceLogs[resource].scopeLogs[scope].logRecords[record] of
// `where`, is read: its trace and span ids as its reader decoded them (nullopt: unusable, and
// `reason` says why, so the record is rejected alone), or empty (it names no span: counted in
// `out` and skipped). OTLP/JSON's and protobuf's readers both ask it.
bool LogRecordNamesSpan(const std::optional<std::string>& trace_id,
                        const std::optional<std::string>& span_id, std::string reason,
                        const std::string& where, size_t resource, size_t scope, size_t record,
                        OtlpBatch& out);

// The record of a log record that names a span (trace and span ids in hex): its event,
// named `event_name` (the record's eventName), else by its event.name attribute, else "log";
// an event without a time takes the span's start when joined. OTLP/JSON's and protobuf's
// readers both make them so.
Span LogRecordOfSpan(std::string trace_id, std::string span_id, std::string event_name,
                     SpanEvent event, const std::string& service, const std::string& scope);

// An OTLP/JSON export request of `spans` (hex ids, numbers as strings, as the spec says),
// grouped by service and scope.
std::string WriteOtlpJson(const std::vector<Span>& spans);

// Lowercase hex of `bytes`; the bytes of a hex or base64 id of `size` bytes, else nullopt.
std::string HexOf(std::string_view bytes);
std::optional<std::string> DecodeId(std::string_view text, size_t size);

}  // namespace baton::otel

#endif  // BATON_HARNESS_OTEL_OTLP_SPANS_H_
