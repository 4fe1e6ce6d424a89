#include "harness/otel/otlp_protobuf.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

#include "base/json_writer.h"
#include "harness/otel/otlp_logs.pb.h"
#include "harness/otel/otlp_trace.pb.h"

namespace baton::otel {
namespace {

// As OTLP/JSON's reader: times past 2096 are garbage, and below 2^62 every difference of
// two times is representable.
constexpr uint64_t kLatestTimeNs = uint64_t{4'000'000'000} * 1'000'000'000;

std::string Base64(std::string_view bytes) {
  static constexpr char kDigits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = (uint32_t(uint8_t(bytes[i])) << 16) |
                       (uint32_t(uint8_t(bytes[i + 1])) << 8) | uint8_t(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kDigits[(v >> shift) & 63];
  }
  if (i < bytes.size()) {
    uint32_t v = uint32_t(uint8_t(bytes[i])) << 16;
    if (i + 1 < bytes.size()) v |= uint32_t(uint8_t(bytes[i + 1])) << 8;
    out += kDigits[(v >> 18) & 63];
    out += kDigits[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kDigits[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

void AppendPlain(std::string& out, const otlp::AnyValue& v);

void AppendArray(std::string& out, const otlp::ArrayValue& a) {
  out += '[';
  for (int i = 0; i < a.values_size(); ++i) {
    if (i > 0) out += ',';
    AppendPlain(out, a.values(i));
  }
  out += ']';
}

void AppendKvList(std::string& out, const otlp::KeyValueList& kv) {
  out += '{';
  for (int i = 0; i < kv.values_size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(out, kv.values(i).key());
    out += ':';
    if (kv.values(i).has_value()) {
      AppendPlain(out, kv.values(i).value());
    } else {
      out += "null";
    }
  }
  out += '}';
}

// A value inside an array or key-value list, as plain JSON: what OTLP/JSON's reader writes
// for the same value (bytes as their base64, as OTLP/JSON carries them).
void AppendPlain(std::string& out, const otlp::AnyValue& v) {
  switch (v.value_case()) {
    case otlp::AnyValue::kStringValue:
      AppendJsonString(out, v.string_value());
      return;
    case otlp::AnyValue::kBoolValue:
      out += v.bool_value() ? "true" : "false";
      return;
    case otlp::AnyValue::kIntValue:
      out += std::to_string(v.int_value());
      return;
    case otlp::AnyValue::kDoubleValue: {
      if (!std::isfinite(v.double_value())) {
        out += "null";  // JSON has no NaN or infinity.
        return;
      }
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.double_value());
      out.append(buf, ec == std::errc() ? end : buf);
      return;
    }
    case otlp::AnyValue::kArrayValue:
      AppendArray(out, v.array_value());
      return;
    case otlp::AnyValue::kKvlistValue:
      AppendKvList(out, v.kvlist_value());
      return;
    case otlp::AnyValue::kBytesValue:
      AppendJsonString(out, Base64(v.bytes_value()));
      return;
    case otlp::AnyValue::VALUE_NOT_SET:
      break;
  }
  out += "null";
}

// The value's text is moved out of the message (a message's content can be most of a
// request's bytes): the request is read once and dropped.
AttributeValue ValueOf(otlp::AnyValue& v) {
  AttributeValue out;
  switch (v.value_case()) {
    case otlp::AnyValue::kStringValue:
      out.type = ValueType::kString;
      out.text = std::move(*v.mutable_string_value());
      break;
    case otlp::AnyValue::kBoolValue:
      out.type = ValueType::kBool;
      out.bool_value = v.bool_value();
      break;
    case otlp::AnyValue::kIntValue:
      out.type = ValueType::kInt;
      out.int_value = v.int_value();
      break;
    case otlp::AnyValue::kDoubleValue:
      out.type = ValueType::kDouble;
      out.double_value = v.double_value();
      break;
    case otlp::AnyValue::kArrayValue:
      out.type = ValueType::kArray;
      AppendArray(out.text, v.array_value());
      break;
    case otlp::AnyValue::kKvlistValue:
      out.type = ValueType::kKvList;
      AppendKvList(out.text, v.kvlist_value());
      break;
    case otlp::AnyValue::kBytesValue:
      out.type = ValueType::kBytes;
      out.text = std::move(*v.mutable_bytes_value());
      break;
    case otlp::AnyValue::VALUE_NOT_SET:
      break;
  }
  return out;
}

Attributes AttributesOf(google::protobuf::RepeatedPtrField<otlp::KeyValue>& kvs) {
  Attributes out;
  out.reserve(static_cast<size_t>(kvs.size()));
  for (otlp::KeyValue& kv : kvs) {
    Attribute a;
    a.key = std::string_view(kv.key());
    if (kv.has_value()) a.value = ValueOf(*kv.mutable_value());
    out.push_back(std::move(a));
  }
  return out;
}

// "" for an empty or all-zero id (the spec's "no parent"); nullopt, with the reason, for an
// id of the wrong size.
std::optional<std::string> IdOf(const std::string& bytes, std::string_view name, size_t size,
                                std::string* reason) {
  if (bytes.empty()) return std::string();
  if (bytes.size() != size) {
    *reason = std::string(name) + ": expected " + std::to_string(size) + " bytes, got " +
              std::to_string(bytes.size());
    return std::nullopt;
  }
  if (std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; })) return std::string();
  return HexOf(bytes);
}

struct ScopeInfo {
  std::string service;
  std::string scope;
};

std::optional<Span> SpanOf(otlp::Span& s, const ScopeInfo& info, std::string* reason) {
  auto trace = IdOf(s.trace_id(), "traceId", 16, reason);
  if (!trace) return std::nullopt;
  auto id = IdOf(s.span_id(), "spanId", 8, reason);
  if (!id) return std::nullopt;
  auto parent = IdOf(s.parent_span_id(), "parentSpanId", 8, reason);
  if (!parent) return std::nullopt;
  if (trace->empty() || id->empty()) {
    *reason = trace->empty() ? "traceId: missing or all zeros" : "spanId: missing or all zeros";
    return std::nullopt;
  }
  // 0 is what an unset fixed64 reads as: a span with no start time.
  if (s.start_time_unix_nano() == 0) {
    *reason = "startTimeUnixNano: missing";
    return std::nullopt;
  }
  if (s.start_time_unix_nano() > kLatestTimeNs) {
    *reason = "startTimeUnixNano: " + std::to_string(s.start_time_unix_nano()) +
              " is not a time after 1970 and before 2096";
    return std::nullopt;
  }
  Span span;
  span.trace_id = std::move(*trace);
  span.span_id = std::move(*id);
  span.parent_span_id = std::move(*parent);
  span.name = std::move(*s.mutable_name());
  span.kind = std::clamp(s.kind(), 0, 5);
  span.start_ns = static_cast<int64_t>(s.start_time_unix_nano());
  // A span exported before it ended (or with a clock that went back) lasts no time.
  const uint64_t end =
      s.end_time_unix_nano() == 0 ? s.start_time_unix_nano() : s.end_time_unix_nano();
  span.end_ns = static_cast<int64_t>(std::clamp(end, s.start_time_unix_nano(), kLatestTimeNs));
  span.attributes = AttributesOf(*s.mutable_attributes());
  if (span.parent_span_id.empty())
    for (const otlp::Span::Link& link : s.links()) {
      std::string ignored;  // A link that names no trace is no reason to lose the span.
      auto linked = IdOf(link.trace_id(), "links.traceId", 16, &ignored);
      if (linked && !linked->empty() && *linked != span.trace_id) {
        span.continues_trace_id = std::move(*linked);
        break;
      }
    }
  span.events.reserve(static_cast<size_t>(s.events_size()));
  for (otlp::Span::Event& e : *s.mutable_events()) {
    SpanEvent ev;
    ev.name = std::move(*e.mutable_name());
    const uint64_t t = e.time_unix_nano();
    ev.time_ns = t == 0 || t > kLatestTimeNs ? span.start_ns : static_cast<int64_t>(t);
    ev.attributes = AttributesOf(*e.mutable_attributes());
    span.events.push_back(std::move(ev));
  }
  if (s.has_status()) {
    const int32_t code = s.status().code();
    span.status = code == 1 ? StatusCode::kOk : code == 2 ? StatusCode::kError : StatusCode::kUnset;
    span.status_message = std::move(*s.mutable_status()->mutable_message());
  }
  span.service_name = info.service;
  span.scope_name = info.scope;
  return span;
}

// A request parsed into `arena`, or why not.
template <typename Request>
Result<Request*> ParseRequest(google::protobuf::Arena& arena, std::string_view body,
                              std::string_view where, std::string_view message_name) {
  if (body.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
    return Status::InvalidArgument(std::string(where) + ": " + std::to_string(body.size()) +
                                   " bytes, over protobuf's limit of 2 GiB");
  Request* request = google::protobuf::Arena::CreateMessage<Request>(&arena);
  if (!request->ParseFromArray(body.data(), static_cast<int>(body.size())))
    return Status::Corruption(std::string(where) + ": not an OTLP/protobuf " +
                              std::string(message_name) + " (" + std::to_string(body.size()) +
                              " bytes: truncated, another message, or a string that is not "
                              "UTF-8)");
  return request;
}

// The request's messages live in an arena, allocated in a few large blocks and freed at
// once: parsed message by message on the heap, a request of 512 spans spent a third of the
// receiver's time in malloc and free. Strings are still moved out of it.
google::protobuf::ArenaOptions ArenaFor(std::string_view body) {
  google::protobuf::ArenaOptions options;
  options.start_block_size = std::clamp<size_t>(body.size(), 4096, 1 << 20);
  options.max_block_size = 8 << 20;
  return options;
}

ScopeInfo ResourceInfo(const otlp::Resource& resource) {
  ScopeInfo info;
  for (const otlp::KeyValue& kv : resource.attributes())
    if (kv.key() == "service.name" && kv.value().has_string_value())
      info.service = kv.value().string_value();
  return info;
}

}  // namespace

Result<OtlpBatch> ParseOtlpLogsProtobuf(std::string_view body, std::string_view where) {
  google::protobuf::Arena arena(ArenaFor(body));
  auto parsed =
      ParseRequest<otlp::ExportLogsServiceRequest>(arena, body, where, "ExportLogsServiceRequest");
  if (!parsed.ok()) return parsed.status();
  otlp::ExportLogsServiceRequest& request = **parsed;
  OtlpBatch out;
  const std::string prefix = std::string(where) + ": ";
  for (int ri = 0; ri < request.resource_logs_size(); ++ri) {
    otlp::ResourceLogs& rl = *request.mutable_resource_logs(ri);
    const ScopeInfo info = ResourceInfo(rl.resource());
    for (int si = 0; si < rl.scope_logs_size(); ++si) {
      otlp::ScopeLogs& sl = *rl.mutable_scope_logs(si);
      ScopeInfo scoped = info;
      if (sl.has_scope()) scoped.scope = sl.scope().name();
      for (int li = 0; li < sl.log_records_size(); ++li) {
        otlp::LogRecord& r = *sl.mutable_log_records(li);
        std::string reason;
        auto trace = IdOf(r.trace_id(), "traceId", 16, &reason);
        auto id = trace ? IdOf(r.span_id(), "spanId", 8, &reason) : std::nullopt;
        if (!LogRecordNamesSpan(trace, id, std::move(reason), prefix, static_cast<size_t>(ri),
                                static_cast<size_t>(si), static_cast<size_t>(li), out))
          continue;
        SpanEvent ev;
        ev.attributes = AttributesOf(*r.mutable_attributes());
        const uint64_t t =
            r.time_unix_nano() != 0 ? r.time_unix_nano() : r.observed_time_unix_nano();
        ev.time_ns = t > kLatestTimeNs ? 0 : static_cast<int64_t>(t);
        if (r.has_body()) {
          if (r.body().has_kvlist_value()) {
            for (otlp::KeyValue& kv : *r.mutable_body()->mutable_kvlist_value()->mutable_values())
              ev.attributes.push_back(
                  {std::string_view(kv.key()),
                   kv.has_value() ? ValueOf(*kv.mutable_value()) : AttributeValue()});
          } else {
            ev.attributes.push_back({"body", ValueOf(*r.mutable_body())});
          }
        }
        out.spans.push_back(LogRecordOfSpan(std::move(*trace), std::move(*id),
                                            std::move(*r.mutable_event_name()), std::move(ev),
                                            scoped.service, scoped.scope));
        ++out.log_records;
      }
    }
  }
  return out;
}

Result<OtlpBatch> ParseOtlpProtobuf(std::string_view body, std::string_view where) {
  google::protobuf::Arena arena(ArenaFor(body));
  auto parsed = ParseRequest<otlp::ExportTraceServiceRequest>(arena, body, where,
                                                              "ExportTraceServiceRequest");
  if (!parsed.ok()) return parsed.status();
  otlp::ExportTraceServiceRequest& request = **parsed;
  OtlpBatch out;
  const std::string prefix = std::string(where) + ": ";
  for (int ri = 0; ri < request.resource_spans_size(); ++ri) {
    otlp::ResourceSpans& rs = *request.mutable_resource_spans(ri);
    const ScopeInfo info = ResourceInfo(rs.resource());
    // Exporters before OTLP 0.19 sent the same layout as instrumentation_library_spans.
    auto& scopes = rs.scope_spans_size() > 0 ? *rs.mutable_scope_spans()
                                             : *rs.mutable_instrumentation_library_spans();
    for (int si = 0; si < scopes.size(); ++si) {
      otlp::ScopeSpans& ss = *scopes.Mutable(si);
      ScopeInfo scoped = info;
      if (ss.has_scope()) scoped.scope = ss.scope().name();
      out.spans.reserve(out.spans.size() + static_cast<size_t>(ss.spans_size()));
      for (int pi = 0; pi < ss.spans_size(); ++pi) {
        std::string reason;
        if (std::optional<Span> span = SpanOf(*ss.mutable_spans(pi), scoped, &reason)) {
          out.spans.push_back(std::move(*span));
        } else {
          out.rejected.push_back({prefix + "resourceSpans[" + std::to_string(ri) + "].scopeSpans[" +
                                      std::to_string(si) + "].spans[" + std::to_string(pi) + "]",
                                  std::move(reason)});
        }
      }
    }
  }
  return out;
}

std::string OtlpProtobufResponse(int64_t rejected_spans, std::string_view error_message) {
  otlp::ExportTraceServiceResponse response;
  if (rejected_spans > 0 || !error_message.empty()) {
    response.mutable_partial_success()->set_rejected_spans(rejected_spans);
    response.mutable_partial_success()->set_error_message(std::string(error_message));
  }
  return response.SerializeAsString();
}

std::string OtlpProtobufStatus(int32_t rpc_code, std::string_view message) {
  otlp::RpcStatus status;
  status.set_code(rpc_code);
  status.set_message(std::string(message));
  return status.SerializeAsString();
}

}  // namespace baton::otel
