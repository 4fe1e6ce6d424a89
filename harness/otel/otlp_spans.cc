#include "harness/otel/otlp_spans.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "base/file_io.h"
#include "base/json_writer.h"
#include "base/parallel_for.h"

namespace baton::otel {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// --- AnyValue -------------------------------------------------------------------------

bool IsDigits(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The member `camel` (or its snake_case spelling `snake`), if present and not null.
std::optional<element> Member(element obj, std::string_view camel, std::string_view snake = {}) {
  if (!obj.is_object()) return std::nullopt;
  element v;
  if (obj[camel].get(v) == simdjson::SUCCESS && !v.is_null()) return v;
  if (!snake.empty() && obj[snake].get(v) == simdjson::SUCCESS && !v.is_null()) return v;
  return std::nullopt;
}

std::string StringOf(element e) {
  if (e.is_string()) return std::string(std::string_view(e.get_string()));
  return simdjson::minify(e);
}

// A double as an int64, saturated (NaN is 0): a cast of an out-of-range double is undefined.
int64_t SaturatedInt(double d) {
  if (!(d == d)) return 0;
  if (d >= 9.2e18) return INT64_MAX;
  if (d <= -9.2e18) return INT64_MIN;
  return static_cast<int64_t>(d);
}

// A 64-bit integer sent as a JSON number or as a string of digits (the spec's encoding).
std::optional<int64_t> IntOf(element e) {
  if (e.is_int64()) return int64_t(e.get_int64());
  if (e.is_uint64()) return static_cast<int64_t>(std::min<uint64_t>(e.get_uint64(), INT64_MAX));
  if (e.is_double()) return SaturatedInt(double(e.get_double()));
  if (e.is_string()) {
    // Read in place (every span's times come as strings): no copy, no locale.
    std::string_view s = e.get_string();
    if (!IsDigits(s)) return std::nullopt;
    const bool negative = s[0] == '-';
    if (s[0] == '+' || negative) s.remove_prefix(1);
    uint64_t magnitude = 0;
    const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), magnitude);
    // Unsigned fields (times) above INT64_MAX are far past any real clock: saturate.
    if (error == std::errc::result_out_of_range ||
        magnitude > static_cast<uint64_t>(INT64_MAX) + (negative ? 1 : 0))
      return negative ? INT64_MIN : INT64_MAX;
    return negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
  }
  return std::nullopt;
}

std::optional<std::string> Base64Decode(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

void AppendJsonOfAnyValue(std::string& out, element v);

// An AnyValue inside an array or kvlist, as plain JSON.
void AppendPlain(std::string& out, element any) {
  if (auto s = Member(any, "stringValue", "string_value")) {
    AppendJsonString(out, StringOf(*s));
  } else if (auto b = Member(any, "boolValue", "bool_value")) {
    out += b->is_bool() && bool(b->get_bool()) ? "true" : "false";
  } else if (auto i = Member(any, "intValue", "int_value")) {
    out += std::to_string(IntOf(*i).value_or(0));
  } else if (auto d = Member(any, "doubleValue", "double_value")) {
    out += d->is_number() ? simdjson::minify(*d) : StringOf(*d);
  } else if (auto a = Member(any, "arrayValue", "array_value")) {
    AppendJsonOfAnyValue(out, *a);
  } else if (auto kv = Member(any, "kvlistValue", "kvlist_value")) {
    out += '{';
    bool first = true;
    if (auto values = Member(*kv, "values"); values && values->is_array()) {
      for (element item : values->get_array()) {
        auto key = Member(item, "key");
        if (!key) continue;
        if (!first) out += ',';
        first = false;
        AppendJsonString(out, StringOf(*key));
        out += ':';
        if (auto val = Member(item, "value")) {
          AppendPlain(out, *val);
        } else {
          out += "null";
        }
      }
    }
    out += '}';
  } else if (auto bytes = Member(any, "bytesValue", "bytes_value")) {
    AppendJsonString(out, StringOf(*bytes));
  } else {
    out += "null";
  }
}

void AppendJsonOfAnyValue(std::string& out, element array_value) {
  out += '[';
  bool first = true;
  if (auto values = Member(array_value, "values"); values && values->is_array()) {
    for (element item : values->get_array()) {
      if (!first) out += ',';
      first = false;
      AppendPlain(out, item);
    }
  }
  out += ']';
}

// Strings this long get room for simdjson's padding after them (a short one, in place or
// not, costs little to copy).
constexpr size_t kPaddedStringBytes = 64;

// An AnyValue: one pass over its (usually single) field instead of a lookup per type.
AttributeValue ValueOf(element any) {
  AttributeValue v;
  if (!any.is_object()) return v;
  for (auto field : any.get_object()) {
    std::string_view k = field.key;
    element e = field.value;
    if (e.is_null()) continue;
    if (k == "stringValue" || k == "string_value") {
      v.type = ValueType::kString;
      if (e.is_string()) {
        // With room for simdjson's padding after it: the import parses the JSON that
        // messages and tool definitions are sent as in place, with no padded copy.
        const std::string_view text = e.get_string();
        if (text.size() >= kPaddedStringBytes)
          v.text.reserve(text.size() + simdjson::SIMDJSON_PADDING);
        v.text.assign(text);
      } else {
        v.text = StringOf(e);
      }
    } else if (k == "boolValue" || k == "bool_value") {
      v.type = ValueType::kBool;
      v.bool_value = e.is_bool() ? bool(e.get_bool()) : StringOf(e) == "true";
    } else if (k == "intValue" || k == "int_value") {
      v.type = ValueType::kInt;
      v.int_value = IntOf(e).value_or(0);
    } else if (k == "doubleValue" || k == "double_value") {
      v.type = ValueType::kDouble;
      // "NaN", "Infinity" and numbers as strings, as protobuf's JSON mapping allows.
      v.double_value =
          e.is_number() ? double(e.get_double()) : std::strtod(StringOf(e).c_str(), nullptr);
    } else if (k == "arrayValue" || k == "array_value") {
      v.type = ValueType::kArray;
      AppendJsonOfAnyValue(v.text, e);
    } else if (k == "kvlistValue" || k == "kvlist_value") {
      v.type = ValueType::kKvList;
      AppendPlain(v.text, any);
    } else if (k == "bytesValue" || k == "bytes_value") {
      v.type = ValueType::kBytes;
      v.text = Base64Decode(StringOf(e)).value_or(StringOf(e));
    } else {
      continue;  // An unknown field of a newer OTLP.
    }
    break;
  }
  return v;
}

Attributes AttributesOf(element owner) {
  Attributes out;
  auto attrs = Member(owner, "attributes");
  if (!attrs || !attrs->is_array()) return out;
  auto array = attrs->get_array();
  out.reserve(array.size());
  for (element kv : array) {
    if (!kv.is_object()) continue;
    Attribute a;
    bool has_key = false;
    for (auto field : kv.get_object()) {
      std::string_view k = field.key;
      if (k == "key" && field.value.is_string()) {
        a.key = std::string_view(field.value.get_string());
        has_key = true;
      } else if (k == "value") {
        a.value = ValueOf(field.value);
      }
    }
    if (has_key) out.push_back(std::move(a));
  }
  return out;
}

int KindOf(element e) {
  if (auto i = IntOf(e)) return static_cast<int>(std::clamp<int64_t>(*i, 0, 5));
  static constexpr std::pair<std::string_view, int> kNames[] = {
      {"SPAN_KIND_INTERNAL", 1}, {"SPAN_KIND_SERVER", 2},   {"SPAN_KIND_CLIENT", 3},
      {"SPAN_KIND_PRODUCER", 4}, {"SPAN_KIND_CONSUMER", 5},
  };
  std::string s = StringOf(e);
  for (const auto& [name, value] : kNames)
    if (s == name) return value;
  return 0;
}

StatusCode StatusOf(element e) {
  if (auto i = IntOf(e))
    return *i == 1 ? StatusCode::kOk : *i == 2 ? StatusCode::kError : StatusCode::kUnset;
  std::string s = StringOf(e);
  if (s == "STATUS_CODE_OK") return StatusCode::kOk;
  if (s == "STATUS_CODE_ERROR") return StatusCode::kError;
  return StatusCode::kUnset;
}

// "" for an absent or all-zero id (the spec's "no parent").
std::optional<std::string> IdOf(element span, std::string_view camel, std::string_view snake,
                                size_t size, std::string* reason) {
  auto v = Member(span, camel, snake);
  if (!v) return std::string();
  if (!v->is_string()) {
    *reason = std::string(camel) + ": expected a string";
    return std::nullopt;
  }
  std::string_view text = v->get_string();
  if (text.empty()) return std::string();
  // Lowercase hex, as the spec writes ids and most exporters send them, is kept as it is:
  // decoding it and writing it again gives the same text.
  if (text.size() == size * 2 && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      }))
    return text.find_first_not_of('0') == std::string_view::npos ? std::string()
                                                                 : std::string(text);
  auto bytes = DecodeId(text, size);
  if (!bytes) {
    *reason = std::string(camel) + ": expected " + std::to_string(size * 2) +
              " hex digits or base64 of " + std::to_string(size) + " bytes, got \"" +
              std::string(text.substr(0, 64)) + "\"";
    return std::nullopt;
  }
  if (std::all_of(bytes->begin(), bytes->end(), [](char c) { return c == 0; }))
    return std::string();
  return HexOf(*bytes);
}

// OTLP times are unsigned nanoseconds since 1970; past 2096 they are garbage, and keeping
// them below 2^62 keeps every difference of two times representable.
constexpr int64_t kLatestTimeNs = int64_t{4'000'000'000} * 1'000'000'000;

struct ScopeInfo {
  std::string service;
  std::string scope;
};

// What the resource of a resourceSpans or resourceLogs entry says of its spans and records.
ScopeInfo ResourceInfo(element resource_entry) {
  ScopeInfo info;
  if (auto resource = Member(resource_entry, "resource"))
    info.service = AttributeString(AttributesOf(*resource), "service.name");
  return info;
}

std::optional<Span> SpanOf(element s, const ScopeInfo& info, std::string* reason) {
  Span span;
  auto trace = IdOf(s, "traceId", "trace_id", 16, reason);
  if (!trace) return std::nullopt;
  auto id = IdOf(s, "spanId", "span_id", 8, reason);
  if (!id) return std::nullopt;
  auto parent = IdOf(s, "parentSpanId", "parent_span_id", 8, reason);
  if (!parent) return std::nullopt;
  if (trace->empty() || id->empty()) {
    *reason = trace->empty() ? "traceId: missing or all zeros" : "spanId: missing or all zeros";
    return std::nullopt;
  }
  span.trace_id = std::move(*trace);
  span.span_id = std::move(*id);
  span.parent_span_id = std::move(*parent);
  if (auto name = Member(s, "name")) span.name = StringOf(*name);
  if (auto kind = Member(s, "kind")) span.kind = KindOf(*kind);
  auto start = Member(s, "startTimeUnixNano", "start_time_unix_nano");
  auto end = Member(s, "endTimeUnixNano", "end_time_unix_nano");
  const std::optional<int64_t> end_ns = end ? IntOf(*end) : std::nullopt;
  int64_t start_ns = 0;
  if (std::optional<int64_t> t = start ? IntOf(*start) : std::nullopt; t.has_value()) {
    start_ns = *t;
  } else {
    *reason = "startTimeUnixNano: expected nanoseconds as a number or a string of digits";
    return std::nullopt;
  }
  if (start_ns < 0 || start_ns > kLatestTimeNs) {
    *reason = "startTimeUnixNano: " + std::to_string(start_ns) +
              " is not a time after 1970 and before 2096";
    return std::nullopt;
  }
  span.start_ns = start_ns;
  // A span exported before it ended (or with a clock that went back) lasts no time.
  span.end_ns = std::clamp(end_ns.value_or(span.start_ns), span.start_ns, kLatestTimeNs);
  span.attributes = AttributesOf(s);
  if (auto links = Member(s, "links"); links && links->is_array() && span.parent_span_id.empty()) {
    for (element link : links->get_array()) {
      std::string ignored;  // A link that names no trace is no reason to lose the span.
      auto linked = IdOf(link, "traceId", "trace_id", 16, &ignored);
      if (linked && !linked->empty() && *linked != span.trace_id) {
        span.continues_trace_id = std::move(*linked);
        break;
      }
    }
  }
  if (auto events = Member(s, "events"); events && events->is_array()) {
    for (element e : events->get_array()) {
      SpanEvent ev;
      if (auto name = Member(e, "name")) ev.name = StringOf(*name);
      if (auto t = Member(e, "timeUnixNano", "time_unix_nano")) ev.time_ns = IntOf(*t).value_or(0);
      if (ev.time_ns <= 0 || ev.time_ns > kLatestTimeNs) ev.time_ns = span.start_ns;
      ev.attributes = AttributesOf(e);
      span.events.push_back(std::move(ev));
    }
  }
  if (auto status = Member(s, "status")) {
    if (auto code = Member(*status, "code")) span.status = StatusOf(*code);
    if (auto msg = Member(*status, "message")) span.status_message = StringOf(*msg);
  }
  span.service_name = info.service;
  span.scope_name = info.scope;
  return span;
}

// --- The OpenTelemetry Python SDK's ConsoleSpanExporter ---------------------------------
// What a program prints (or saves) with the console exporter, ReadableSpan.to_json(): one
// indented JSON object per span, one after another: {"name", "context": {"trace_id":
// "0x<32 hex>", "span_id": "0x<16 hex>"}, "kind": "SpanKind.CLIENT", "parent_id": "0x..." or
// null, "start_time" / "end_time" as ISO 8601 ("2025-03-01T10:00:00.123456Z"), "status":
// {"status_code": "OK" | "ERROR" | "UNSET", "description"}, "attributes": {key: plain JSON
// value}, "events": [{"name", "timestamp", "attributes"}], "links": [{"context",
// "attributes"}], "resource": {"attributes": {...}}}. Read as the same Span an OTLP export
// of it gives (to microseconds: the printed times have no more).

// Whether `doc` is such a span: an object with a name and a context naming a trace.
bool IsConsoleSpan(element doc) {
  if (!doc.is_object() || !Member(doc, "name")) return false;
  auto context = Member(doc, "context");
  return context && context->is_object() && Member(*context, "trace_id");
}

// Days from 1970-01-01 to the civil date y-m-d (proleptic Gregorian).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// Unix nanoseconds of an ISO 8601 time "YYYY-MM-DDTHH:MM:SS[.fraction][Z|+HH:MM|-HH:MM]" (no
// zone: UTC); nullopt when it is not one.
std::optional<int64_t> IsoTimeNs(std::string_view t) {
  auto number = [&](size_t at, size_t digits) -> std::optional<int64_t> {
    if (at + digits > t.size()) return std::nullopt;
    int64_t v = 0;
    for (size_t i = at; i < at + digits; ++i) {
      if (t[i] < '0' || t[i] > '9') return std::nullopt;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  auto year = number(0, 4), month = number(5, 2), day = number(8, 2);
  auto hour = number(11, 2), minute = number(14, 2), second = number(17, 2);
  if (!year || !month || !day || !hour || !minute || !second || t[4] != '-' || t[7] != '-' ||
      (t[10] != 'T' && t[10] != ' ') || t[13] != ':' || t[16] != ':' || *month < 1 || *month > 12 ||
      *day < 1 || *day > 31 || *hour > 23 || *minute > 59 || *second > 60)
    return std::nullopt;
  size_t at = 19;
  int64_t fraction_ns = 0;
  if (at < t.size() && t[at] == '.') {
    int64_t scale = 100'000'000;
    for (++at; at < t.size() && t[at] >= '0' && t[at] <= '9'; ++at, scale /= 10)
      fraction_ns += (t[at] - '0') * scale;  // Digits past nanoseconds add 0.
  }
  int64_t offset_s = 0;
  if (at < t.size() && (t[at] == 'Z' || t[at] == 'z')) {
    ++at;
  } else if (at < t.size() && (t[at] == '+' || t[at] == '-')) {
    auto oh = number(at + 1, 2), om = number(at + 4, 2);
    if (!oh || !om || at + 3 >= t.size() || t[at + 3] != ':') return std::nullopt;
    offset_s = (t[at] == '+' ? 1 : -1) * (*oh * 3600 + *om * 60);
    at += 6;
  }
  if (at != t.size()) return std::nullopt;
  const int64_t days =
      DaysFromCivil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day));
  const int64_t seconds = days * 86400 + *hour * 3600 + *minute * 60 + *second - offset_s;
  if (seconds < 0 || seconds > kLatestTimeNs / 1'000'000'000) return std::nullopt;
  return seconds * 1'000'000'000 + fraction_ns;
}

// A plain JSON attribute value, as the AnyValue it was.
AttributeValue PlainValueOf(element e) {
  AttributeValue v;
  switch (e.type()) {
    case element_type::STRING:
      v.type = ValueType::kString;
      v.text = std::string(std::string_view(e.get_string()));
      break;
    case element_type::BOOL:
      v.type = ValueType::kBool;
      v.bool_value = bool(e.get_bool());
      break;
    case element_type::INT64:
    case element_type::UINT64:
      v.type = ValueType::kInt;
      v.int_value = IntOf(e).value_or(0);
      break;
    case element_type::DOUBLE:
      v.type = ValueType::kDouble;
      v.double_value = double(e.get_double());
      break;
    case element_type::ARRAY:
      v.type = ValueType::kArray;
      v.text = simdjson::minify(e);
      break;
    case element_type::OBJECT:
      v.type = ValueType::kKvList;
      v.text = simdjson::minify(e);
      break;
    case element_type::NULL_VALUE:
      break;
  }
  return v;
}

// {key: value, ...} as attributes, in the document's order.
Attributes PlainAttributesOf(element owner) {
  Attributes out;
  auto attrs = Member(owner, "attributes");
  if (!attrs || !attrs->is_object()) return out;
  for (auto field : attrs->get_object()) {
    if (field.value.is_null()) continue;
    out.push_back({AttributeKey(std::string_view(field.key)), PlainValueOf(field.value)});
  }
  return out;
}

// A console id "0x<hex>" of `size` bytes: its lowercase hex; "" when absent or null.
std::optional<std::string> ConsoleIdOf(element obj, std::string_view key, size_t size,
                                       std::string* reason) {
  auto v = Member(obj, key);
  if (!v) return std::string();
  std::string_view text = v->is_string() ? std::string_view(v->get_string()) : "";
  if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
  std::string hex;
  for (char c : text) hex.push_back(c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c);
  if (hex.size() != size * 2 || !std::all_of(hex.begin(), hex.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      })) {
    *reason =
        std::string(key) + ": expected 0x and " + std::to_string(size * 2) + " hex digits, got " +
        (v->is_string() ? "\"" + std::string(text.substr(0, 64)) + "\"" : std::string("no string"));
    return std::nullopt;
  }
  return hex.find_first_not_of('0') == std::string::npos ? std::string() : hex;
}

std::optional<Span> ConsoleSpanOf(element s, std::string* reason) {
  Span span;
  element context = *Member(s, "context");
  auto trace = ConsoleIdOf(context, "trace_id", 16, reason);
  if (!trace) return std::nullopt;
  auto id = ConsoleIdOf(context, "span_id", 8, reason);
  if (!id) return std::nullopt;
  auto parent = ConsoleIdOf(s, "parent_id", 8, reason);
  if (!parent) return std::nullopt;
  if (trace->empty() || id->empty()) {
    *reason = trace->empty() ? "context.trace_id: missing or all zeros"
                             : "context.span_id: missing or all zeros";
    return std::nullopt;
  }
  span.trace_id = std::move(*trace);
  span.span_id = std::move(*id);
  span.parent_span_id = std::move(*parent);
  span.name = StringOf(*Member(s, "name"));
  if (auto kind = Member(s, "kind"); kind && kind->is_string()) {
    static constexpr std::pair<std::string_view, int> kKinds[] = {
        {"SpanKind.INTERNAL", 1}, {"SpanKind.SERVER", 2},   {"SpanKind.CLIENT", 3},
        {"SpanKind.PRODUCER", 4}, {"SpanKind.CONSUMER", 5},
    };
    for (const auto& [name, value] : kKinds)
      if (std::string_view(kind->get_string()) == name) span.kind = value;
  }
  auto time_of = [](std::optional<element> e) -> std::optional<int64_t> {
    return e && e->is_string() ? IsoTimeNs(e->get_string()) : std::nullopt;
  };
  const std::optional<int64_t> start = time_of(Member(s, "start_time"));
  if (!start) {
    *reason = "start_time: expected an ISO 8601 time after 1970 and before 2096";
    return std::nullopt;
  }
  span.start_ns = *start;
  span.end_ns = std::clamp(time_of(Member(s, "end_time")).value_or(span.start_ns), span.start_ns,
                           kLatestTimeNs);
  span.attributes = PlainAttributesOf(s);
  if (auto links = Member(s, "links"); links && links->is_array() && span.parent_span_id.empty())
    for (element link : links->get_array()) {
      std::string ignored;
      auto link_context = Member(link, "context");
      auto linked =
          link_context ? ConsoleIdOf(*link_context, "trace_id", 16, &ignored) : std::nullopt;
      if (linked && !linked->empty() && *linked != span.trace_id) {
        span.continues_trace_id = std::move(*linked);
        break;
      }
    }
  if (auto events = Member(s, "events"); events && events->is_array())
    for (element e : events->get_array()) {
      SpanEvent ev;
      if (auto name = Member(e, "name")) ev.name = StringOf(*name);
      ev.time_ns = time_of(Member(e, "timestamp")).value_or(span.start_ns);
      ev.attributes = PlainAttributesOf(e);
      span.events.push_back(std::move(ev));
    }
  if (auto status = Member(s, "status")) {
    const std::string code =
        Member(*status, "status_code") ? StringOf(*Member(*status, "status_code")) : "";
    span.status = code == "OK"      ? StatusCode::kOk
                  : code == "ERROR" ? StatusCode::kError
                                    : StatusCode::kUnset;
    if (auto description = Member(*status, "description"))
      span.status_message = StringOf(*description);
  }
  if (auto resource = Member(s, "resource"))
    span.service_name = AttributeString(PlainAttributesOf(*resource), "service.name");
  return span;
}

// A console exporter's span, or a JSON array of them, into `out`; a span it cannot use is
// rejected alone, named by its document (and its index in an array).
void ReadConsoleSpans(element doc, std::string_view where, size_t doc_index, OtlpBatch& out) {
  auto read = [&](element s, std::string place) {
    std::string reason;
    if (auto span = ConsoleSpanOf(s, &reason)) {
      out.spans.push_back(std::move(*span));
    } else {
      out.rejected.push_back({std::string(where) + ": " + place, std::move(reason)});
    }
  };
  const std::string document = "document " + std::to_string(doc_index);
  if (!doc.is_array()) {
    read(doc, document + " (a console exporter's span)");
    return;
  }
  size_t i = 0;
  for (element s : doc.get_array()) {
    if (IsConsoleSpan(s)) read(s, document + "[" + std::to_string(i) + "]");
    ++i;
  }
}

// A span of a document, with where it is: read apart from the walk that finds it.
struct SpanInDocument {
  element span;
  const ScopeInfo* scope = nullptr;
  size_t resource_index = 0;
  size_t scope_index = 0;
  size_t span_index = 0;
};

// Reads the spans of one export request, on `workers` threads (0: one per core): the walk
// that finds them is quick, reading each (its attributes and their text) is most of the
// work, and each is read alone from the parsed document, which no one writes. Spans and
// rejections come out in the document's order.
void ReadResourceSpans(element doc, std::string_view where, size_t doc_index, unsigned workers,
                       OtlpBatch& out) {
  auto resource_spans = Member(doc, "resourceSpans", "resource_spans");
  const std::string prefix = std::string(where) + ": " +
                             (doc_index > 0 ? "document " + std::to_string(doc_index) + ": " : "");
  if (!resource_spans->is_array()) return;
  std::deque<ScopeInfo> scopes_seen;  // A deque: the spans point into it as it grows.
  std::vector<SpanInDocument> found;
  size_t ri = 0;
  for (element rs : resource_spans->get_array()) {
    const ScopeInfo info = ResourceInfo(rs);
    auto scopes = Member(rs, "scopeSpans", "scope_spans");
    if (!scopes)
      scopes = Member(rs, "instrumentationLibrarySpans", "instrumentation_library_spans");
    if (scopes && scopes->is_array()) {
      size_t si = 0;
      for (element ss : scopes->get_array()) {
        ScopeInfo& scoped = scopes_seen.emplace_back(info);
        auto scope = Member(ss, "scope");
        if (!scope) scope = Member(ss, "instrumentationLibrary", "instrumentation_library");
        if (scope) {
          if (auto name = Member(*scope, "name")) scoped.scope = StringOf(*name);
        }
        if (auto spans = Member(ss, "spans"); spans && spans->is_array()) {
          size_t pi = 0;
          for (element s : spans->get_array()) found.push_back({s, &scoped, ri, si, pi++});
        }
        ++si;
      }
    }
    ++ri;
  }
  // Tasks of a few dozen spans: a thread's start is paid for many spans, and a request of a
  // few hundred spans read with one worker starts none.
  constexpr size_t kSpansPerTask = 64;
  std::vector<std::optional<Span>> read(found.size());
  std::vector<std::string> reasons(found.size());
  ParallelFor((found.size() + kSpansPerTask - 1) / kSpansPerTask, workers, [&](size_t task) {
    const size_t end = std::min(found.size(), (task + 1) * kSpansPerTask);
    for (size_t i = task * kSpansPerTask; i < end; ++i)
      read[i] = SpanOf(found[i].span, *found[i].scope, &reasons[i]);
    return ParallelStep::kContinue;
  });
  out.spans.reserve(out.spans.size() + found.size());
  for (size_t i = 0; i < found.size(); ++i) {
    if (read[i]) {
      out.spans.push_back(std::move(*read[i]));
    } else {
      out.rejected.push_back({prefix + "resourceSpans[" + std::to_string(found[i].resource_index) +
                                  "].scopeSpans[" + std::to_string(found[i].scope_index) +
                                  "].spans[" + std::to_string(found[i].span_index) + "]",
                              std::move(reasons[i])});
    }
  }
}

// The log records of one export request that belong to a span, each as an event of that
// span: named by the record's eventName (OTLP 1.5), else its event.name attribute (the
// Events API before it); its attributes, and the fields of a key-value body (the GenAI
// events' {"content": ...}, {"index", "finish_reason", "message"}) as attributes of their
// own, or a body of any other kind as "body".
void ReadResourceLogs(element doc, std::string_view where, size_t doc_index, OtlpBatch& out) {
  auto resource_logs = Member(doc, "resourceLogs", "resource_logs");
  if (!resource_logs || !resource_logs->is_array()) return;
  const std::string prefix = std::string(where) + ": " +
                             (doc_index > 0 ? "document " + std::to_string(doc_index) + ": " : "");
  size_t ri = 0;
  for (element rl : resource_logs->get_array()) {
    const ScopeInfo info = ResourceInfo(rl);
    auto scopes = Member(rl, "scopeLogs", "scope_logs");
    if (scopes && scopes->is_array()) {
      size_t si = 0;
      for (element sl : scopes->get_array()) {
        ScopeInfo scoped = info;
        if (auto scope = Member(sl, "scope"))
          if (auto name = Member(*scope, "name")) scoped.scope = StringOf(*name);
        auto records = Member(sl, "logRecords", "log_records");
        if (!records || !records->is_array()) {
          ++si;
          continue;
        }
        size_t li = 0;
        for (element r : records->get_array()) {
          const size_t index = li++;
          if (!r.is_object()) continue;
          std::string reason;
          auto trace = IdOf(r, "traceId", "trace_id", 16, &reason);
          auto id = trace ? IdOf(r, "spanId", "span_id", 8, &reason) : std::nullopt;
          if (!LogRecordNamesSpan(trace, id, std::move(reason), prefix, ri, si, index, out))
            continue;
          SpanEvent ev;
          ev.attributes = AttributesOf(r);
          auto name = Member(r, "eventName", "event_name");
          auto t = Member(r, "timeUnixNano", "time_unix_nano");
          if (!t || IntOf(*t).value_or(0) <= 0)
            t = Member(r, "observedTimeUnixNano", "observed_time_unix_nano");
          ev.time_ns = t ? IntOf(*t).value_or(0) : 0;
          // Without a usable time, the event takes its span's start when it is joined.
          if (ev.time_ns < 0 || ev.time_ns > kLatestTimeNs) ev.time_ns = 0;
          if (auto body = Member(r, "body")) {
            auto kv = Member(*body, "kvlistValue", "kvlist_value");
            auto values = kv ? Member(*kv, "values") : std::nullopt;
            if (values && values->is_array()) {
              for (element item : values->get_array()) {
                auto key = Member(item, "key");
                if (!key) continue;
                auto value = Member(item, "value");
                ev.attributes.push_back(
                    {StringOf(*key), value ? ValueOf(*value) : AttributeValue()});
              }
            } else {
              ev.attributes.push_back({"body", ValueOf(*body)});
            }
          }
          out.spans.push_back(LogRecordOfSpan(std::move(*trace), std::move(*id),
                                              name ? StringOf(*name) : std::string(), std::move(ev),
                                              scoped.service, scoped.scope));
          ++out.log_records;
        }
        ++si;
      }
    }
    ++ri;
  }
}

// --- Writing ------------------------------------------------------------------------------

void WriteValue(JsonWriter& w, const AttributeValue& v) {
  w.BeginObject();
  switch (v.type) {
    case ValueType::kString:
    case ValueType::kEmpty:
      w.Key("stringValue").String(v.text);
      break;
    case ValueType::kBool:
      w.Key("boolValue").Bool(v.bool_value);
      break;
    case ValueType::kInt:
      w.Key("intValue").String(std::to_string(v.int_value));
      break;
    case ValueType::kDouble:
      w.Key("doubleValue").Double(v.double_value);
      break;
    case ValueType::kBytes:
    case ValueType::kArray:
    case ValueType::kKvList: {
      if (v.type == ValueType::kArray) {
        // Lists written here hold strings (StringList).
        w.Key("arrayValue").BeginObject().Key("values").BeginArray();
        for (const std::string& item : v.ToStringList())
          w.BeginObject().Key("stringValue").String(item).EndObject();
        w.EndArray().EndObject();
      } else {
        w.Key("stringValue").String(v.text);
      }
      break;
    }
  }
  w.EndObject();
}

void WriteAttributes(JsonWriter& w, const Attributes& attrs) {
  w.Key("attributes").BeginArray();
  for (const Attribute& a : attrs) {
    w.BeginObject().Key("key").String(a.key).Key("value");
    WriteValue(w, a.value);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

// --- AttributeKey ---------------------------------------------------------------------------

void AttributeKey::Assign(std::string_view text) {
  BATON_CHECK(text.size() <= UINT32_MAX);
  // `text` is always another key's or the caller's (copy assignment skips self-assignment).
  if (text.size() <= kInlineBytes) {
    std::memcpy(inline_, text.data(), text.size());
    heap_.reset();
  } else {
    auto heap = std::make_unique_for_overwrite<char[]>(text.size());
    std::memcpy(heap.get(), text.data(), text.size());
    heap_ = std::move(heap);
  }
  size_ = static_cast<uint32_t>(text.size());
}

void AttributeKey::Take(AttributeKey& other) noexcept {
  heap_ = std::move(other.heap_);
  size_ = other.size_;
  if (heap_ == nullptr) std::memcpy(inline_, other.inline_, size_);
  other.size_ = 0;
}

// --- AttributeValue -------------------------------------------------------------------------

std::string AttributeValue::ToString() const {
  switch (type) {
    case ValueType::kEmpty:
      return "";
    case ValueType::kBool:
      return bool_value ? "true" : "false";
    case ValueType::kInt:
      return std::to_string(int_value);
    case ValueType::kDouble: {
      // The shortest text that reads back as the same double: 0.2, not 0.20000000000000001.
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, double_value);
      return std::string(buf, r.ptr);
    }
    default:
      return text;
  }
}

std::optional<int64_t> AttributeValue::ToInt() const {
  if (type == ValueType::kInt) return int_value;
  if (type == ValueType::kDouble) return SaturatedInt(double_value);
  if (type == ValueType::kString && IsDigits(text)) return std::strtoll(text.c_str(), nullptr, 10);
  return std::nullopt;
}

std::optional<double> AttributeValue::ToDouble() const {
  if (type == ValueType::kDouble) return double_value;
  if (type == ValueType::kInt) return static_cast<double>(int_value);
  if (type == ValueType::kString && !text.empty()) {
    char* end = nullptr;
    double d = std::strtod(text.c_str(), &end);
    if (end != nullptr && *end == '\0') return d;
  }
  return std::nullopt;
}

std::optional<bool> AttributeValue::ToBool() const {
  if (type == ValueType::kBool) return bool_value;
  if (type == ValueType::kString && (text == "true" || text == "false")) return text == "true";
  return std::nullopt;
}

std::vector<std::string> AttributeValue::ToStringList() const {
  std::vector<std::string> out;
  if (type != ValueType::kArray && type != ValueType::kString) return out;
  if (type == ValueType::kString && (text.empty() || text[0] != '[')) {
    if (!text.empty()) out.push_back(text);
    return out;
  }
  simdjson::dom::parser parser;
  element doc;
  if (parser.parse(text.data(), text.size()).get(doc) != simdjson::SUCCESS || !doc.is_array())
    return out;
  for (element item : doc.get_array()) out.push_back(StringOf(item));
  return out;
}

AttributeValue AttributeValue::String(std::string s) {
  AttributeValue v;
  v.type = ValueType::kString;
  v.text = std::move(s);
  return v;
}
AttributeValue AttributeValue::Int(int64_t i) {
  AttributeValue v;
  v.type = ValueType::kInt;
  v.int_value = i;
  return v;
}
AttributeValue AttributeValue::Double(double d) {
  AttributeValue v;
  v.type = ValueType::kDouble;
  v.double_value = d;
  return v;
}
AttributeValue AttributeValue::Bool(bool b) {
  AttributeValue v;
  v.type = ValueType::kBool;
  v.bool_value = b;
  return v;
}
AttributeValue AttributeValue::StringList(const std::vector<std::string>& items) {
  AttributeValue v;
  v.type = ValueType::kArray;
  JsonWriter w;
  w.BeginArray();
  for (const std::string& s : items) w.String(s);
  w.EndArray();
  v.text = w.Take();
  return v;
}

const AttributeValue* FindAttribute(const Attributes& attrs, std::string_view key) {
  for (const Attribute& a : attrs)
    if (a.key == key) return &a.value;
  return nullptr;
}

std::string AttributeString(const Attributes& attrs, std::string_view key) {
  const AttributeValue* v = FindAttribute(attrs, key);
  return v == nullptr ? std::string() : v->ToString();
}

// --- Ids ---------------------------------------------------------------------------------

std::string HexOf(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::optional<std::string> DecodeId(std::string_view text, size_t size) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (text.size() == size * 2 &&
      std::all_of(text.begin(), text.end(), [&](char c) { return hex(c) >= 0; })) {
    std::string out(size, '\0');
    for (size_t i = 0; i < size; ++i)
      out[i] = static_cast<char>(hex(text[2 * i]) * 16 + hex(text[2 * i + 1]));
    return out;
  }
  auto decoded = Base64Decode(text);
  if (decoded && decoded->size() == size) return decoded;
  return std::nullopt;
}

// --- Documents ----------------------------------------------------------------------------

struct OtlpJsonReader::State {
  simdjson::dom::parser parser;
  // The input, then SIMDJSON_PADDING bytes that simdjson may read. Not a std::string: its
  // resize() would zero the whole input's length before the copy overwrites it.
  std::unique_ptr<char[]> padded;
  size_t capacity = 0;  // Input bytes `padded` holds before its padding.

  // `padded`, able to hold `size` input bytes; what it held is lost when it grows.
  char* PaddedFor(size_t size) {
    // The buffer of an earlier, larger document is reused: no allocation after the first.
    if (padded == nullptr || capacity < size) {
      padded.reset(new char[size + simdjson::SIMDJSON_PADDING]);
      capacity = size;
    }
    return padded.get();
  }
};

OtlpJsonReader::OtlpJsonReader(size_t batch_bytes, unsigned workers)
    : batch_bytes_(batch_bytes), workers_(workers), state_(std::make_unique<State>()) {
  // Batches are parsed on this thread. With simdjson's stage-1 thread (3.0.1), the stream's
  // truncated_bytes() reads index arrays the thread had swapped for another batch's, and
  // said 0 for an unfinished document after the last one (found by otlp_import_fuzz): such
  // input passed read a batch at a time and failed read at once.
  state_->parser.threaded = false;
}
OtlpJsonReader::~OtlpJsonReader() = default;

Result<OtlpBatch> ParseOtlpJson(std::string_view json, std::string_view where) {
  return OtlpJsonReader(OtlpJsonReader::kDefaultBatchBytes, 0).Read(json, where);
}

Result<OtlpBatch> OtlpJsonReader::Read(std::string_view json, std::string_view where) {
  char* padded = state_->PaddedFor(json.size());
  // An empty view may have no data at all, and memcpy from null is undefined even for 0.
  if (!json.empty()) std::memcpy(padded, json.data(), json.size());
  Result<OtlpBatch> batch = ReadPadded(padded, json.size(), where);
  Release(json.size());
  return batch;
}

static_assert(OtlpJsonReader::kPadding >= simdjson::SIMDJSON_PADDING);

Result<OtlpBatch> OtlpJsonReader::ReadInPlace(char* text, size_t size, std::string_view where) {
  Result<OtlpBatch> batch = ReadPadded(text, size, where);
  // The parser's memory grows with the input even when the input is the caller's.
  Release(size);
  return batch;
}

Result<OtlpBatch> OtlpJsonReader::ReadFile(Env& env, const std::string& path, uint64_t max_bytes) {
  // Read straight into the parser's padded buffer: a copy of the file beside it would be
  // one more file-sized allocation at the peak.
  Result<size_t> size =
      ReadFileInto(env, path, max_bytes, [this](size_t n) { return state_->PaddedFor(n); });
  if (!size.ok()) return size.status();
  Result<OtlpBatch> batch = ReadPadded(state_->padded.get(), *size, path);
  Release(*size);
  return batch;
}

Result<OtlpBatch> OtlpJsonReader::ReadPadded(char* const padded, size_t size,
                                             std::string_view where) {
  OtlpBatch batch;
  std::memset(padded + size, 0, simdjson::SIMDJSON_PADDING);
  const std::string_view json(padded, size);
  if (json.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return Status::Corruption(std::string(where) + ": empty: no OTLP/JSON document in it");
  // Checked whole, first: a batch's parse checks only the text up to the last document
  // it finds, so bad bytes after it would pass read a batch at a time and fail read at once.
  if (!simdjson::validate_utf8(padded, size))
    return Status::Corruption(std::string(where) + ": not valid UTF-8 (OTLP/JSON is UTF-8)");
  simdjson::dom::parser& parser = state_->parser;
  // Documents are parsed a batch of input at a time, so that the parser's memory (several
  // times what it parses at once) follows the batch, not the file: a Collector's file
  // exporter writes one document per line into files of gigabytes. Input whose first line
  // is longer than a batch (one export request, as exporters send it, is one line) is
  // parsed at once. A later document larger than a batch (simdjson says CAPACITY, having
  // read the batch for nothing) is parsed, with what follows it, at once.
  size_t offset = 0;  // Where the stream being read starts in the input.
  size_t batch_size = size;
  if (size > batch_bytes_ && std::memchr(padded, '\n', batch_bytes_) != nullptr)
    batch_size = batch_bytes_;
  batch_size = std::max(batch_size, size_t{simdjson::dom::MINIMAL_BATCH_SIZE});
  size_t docs = 0;
  bool restart = true;
  while (restart) {
    restart = false;
    simdjson::dom::document_stream stream;
    if (auto err = parser.parse_many(padded + offset, size - offset, batch_size).get(stream);
        err != simdjson::SUCCESS)
      return Status::Corruption(std::string(where) +
                                ": not OTLP/JSON: " + simdjson::error_message(err));
    for (auto it = stream.begin(); it != stream.end(); ++it) {
      const size_t at = offset + it.current_index();
      element doc;
      auto err = (*it).get(doc);
      if (err == simdjson::CAPACITY && batch_size < size - offset) {
        offset = at;
        batch_size = size - offset;
        restart = true;
        break;
      }
      if (err != simdjson::SUCCESS)
        return Status::Corruption(std::string(where) + ": at byte " + std::to_string(at) +
                                  ": not valid JSON: " + simdjson::error_message(err));
      const bool spans = doc.is_object() && Member(doc, "resourceSpans", "resource_spans");
      const bool logs = doc.is_object() && Member(doc, "resourceLogs", "resource_logs");
      const bool console = IsConsoleSpan(doc) || (doc.is_array() && doc.get_array().size() > 0 &&
                                                  IsConsoleSpan(doc.get_array().at(0)));
      if (!spans && !logs && !console)
        return Status::Corruption(
            std::string(where) + ": at byte " + std::to_string(at) +
            ": expected an OTLP/JSON trace or log export, an object with \"resourceSpans\" or "
            "\"resourceLogs\"" +
            (doc.is_object() && Member(doc, "resourceMetrics", "resource_metrics")
                 ? " (this is metrics)"
                 : ""));
      if (spans) ReadResourceSpans(doc, where, docs, workers_, batch);
      if (logs) ReadResourceLogs(doc, where, docs, batch);
      if (console) ReadConsoleSpans(doc, where, docs, batch);
      ++docs;
    }
    // Bounded: simdjson's count can exceed what is left to read.
    if (const size_t truncated = std::min(stream.truncated_bytes(), size - offset);
        !restart && truncated > 0)
      return Status::Corruption(std::string(where) + ": the last " + std::to_string(truncated) +
                                " bytes are an unfinished JSON document");
  }
  if (docs == 0)
    return Status::Corruption(std::string(where) + ": empty: no OTLP/JSON document in it");
  return batch;
}

void OtlpJsonReader::Release(size_t parsed_bytes) {
  // The parser's memory is several times its largest input; one huge request must not pin
  // that for the life of a receiver whose usual batches are a few hundred kB.
  constexpr size_t kKeepForInputsUpTo = 16 << 20;
  if (parsed_bytes > kKeepForInputsUpTo) state_ = std::make_unique<State>();
}

bool LogRecordNamesSpan(const std::optional<std::string>& trace_id,
                        const std::optional<std::string>& span_id, std::string reason,
                        const std::string& where, size_t resource, size_t scope, size_t record,
                        OtlpBatch& out) {
  if (!trace_id || !span_id) {
    out.rejected.push_back({where + "resourceLogs[" + std::to_string(resource) + "].scopeLogs[" +
                                std::to_string(scope) + "].logRecords[" + std::to_string(record) +
                                "]",
                            std::move(reason)});
    return false;
  }
  if (trace_id->empty() || span_id->empty()) {
    ++out.log_records_outside_span;
    return false;
  }
  return true;
}

Span LogRecordOfSpan(std::string trace_id, std::string span_id, std::string event_name,
                     SpanEvent event, const std::string& service, const std::string& scope) {
  event.name = std::move(event_name);
  if (event.name.empty()) event.name = AttributeString(event.attributes, "event.name");
  if (event.name.empty()) event.name = "log";
  Span span;
  span.record = SpanRecord::kEventsOfSpan;
  span.trace_id = std::move(trace_id);
  span.span_id = std::move(span_id);
  span.service_name = service;
  span.scope_name = scope;
  span.events.push_back(std::move(event));
  return span;
}

std::string WriteOtlpJson(const std::vector<Span>& spans) {
  // Resource (service) -> scope -> spans, in first-seen order.
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::vector<const Span*>>>>>
      groups;
  for (const Span& s : spans) {
    auto g = std::find_if(groups.begin(), groups.end(),
                          [&](const auto& x) { return x.first == s.service_name; });
    if (g == groups.end()) g = groups.insert(groups.end(), {s.service_name, {}});
    auto sc = std::find_if(g->second.begin(), g->second.end(),
                           [&](const auto& x) { return x.first == s.scope_name; });
    if (sc == g->second.end()) sc = g->second.insert(g->second.end(), {s.scope_name, {}});
    sc->second.push_back(&s);
  }
  JsonWriter w;
  w.BeginObject().Key("resourceSpans").BeginArray();
  for (const auto& [service, scopes] : groups) {
    w.BeginObject().Key("resource").BeginObject();
    WriteAttributes(w, {{"service.name", AttributeValue::String(service)}});
    w.EndObject().Key("scopeSpans").BeginArray();
    for (const auto& [scope, list] : scopes) {
      w.BeginObject().Key("scope").BeginObject().Key("name").String(scope).EndObject();
      w.Key("spans").BeginArray();
      for (const Span* s : list) {
        w.BeginObject();
        w.Key("traceId").String(s->trace_id).Key("spanId").String(s->span_id);
        if (!s->parent_span_id.empty()) w.Key("parentSpanId").String(s->parent_span_id);
        w.Key("name").String(s->name).Key("kind").Int(s->kind);
        w.Key("startTimeUnixNano").String(std::to_string(s->start_ns));
        w.Key("endTimeUnixNano").String(std::to_string(s->end_ns));
        WriteAttributes(w, s->attributes);
        w.Key("events").BeginArray();
        for (const SpanEvent& e : s->events) {
          w.BeginObject().Key("timeUnixNano").String(std::to_string(e.time_ns));
          w.Key("name").String(e.name);
          WriteAttributes(w, e.attributes);
          w.EndObject();
        }
        w.EndArray();
        w.Key("status").BeginObject();
        if (s->status != StatusCode::kUnset) w.Key("code").Int(static_cast<int>(s->status));
        if (!s->status_message.empty()) w.Key("message").String(s->status_message);
        w.EndObject();
        w.EndObject();
      }
      w.EndArray().EndObject();
    }
    w.EndArray().EndObject();
  }
  w.EndArray().EndObject();
  return w.Take();
}

}  // namespace baton::otel
