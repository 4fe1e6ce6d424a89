// OTLP/HTTP's protobuf encoding (Content-Type application/x-protobuf): the default of most
// OTLP exporters (Python's and JavaScript's exporter-trace-otlp-proto, the Collector's
// otlphttp exporter). An ExportTraceServiceRequest is decoded by libprotobuf, with baton's
// definitions of the OTLP messages (otlp_trace.proto), into the same spans its OTLP/JSON form
// gives (otlp_spans.h): hex ids, arrays and key-value lists as JSON text, the same checks and
// the same reasons for a span rejected alone.
#ifndef BATON_HARNESS_OTEL_OTLP_PROTOBUF_H_
#define BATON_HARNESS_OTEL_OTLP_PROTOBUF_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "harness/otel/otlp_spans.h"

namespace baton::otel {

// The spans of an ExportTraceServiceRequest. Bytes that are not one (truncated, not
// protobuf, a string that is not UTF-8) are Corruption naming `where`; a span without usable
// ids or times is rejected alone, named as in OTLP/JSON ("resourceSpans[0].scopeSpans[1].
// spans[3]"). Fields this reader does not know are skipped.
Result<OtlpBatch> ParseOtlpProtobuf(std::string_view body, std::string_view where);

// The log records of an ExportLogsServiceRequest (POST /v1/logs) that name a span, as events
// of that span (otlp_spans.h: SpanRecord::kEventsOfSpan), with the same rules as OTLP/JSON's
// reader; a record with ids of the wrong size is rejected alone ("resourceLogs[0].
// scopeLogs[1].logRecords[3]").
Result<OtlpBatch> ParseOtlpLogsProtobuf(std::string_view body, std::string_view where);

// An ExportTraceServiceResponse (byte for byte also an ExportLogsServiceResponse): empty when
// nothing was rejected, else its partial_success.
std::string OtlpProtobufResponse(int64_t rejected_spans, std::string_view error_message);

// A google.rpc.Status: OTLP/HTTP's error body for a request sent as protobuf.
std::string OtlpProtobufStatus(int32_t rpc_code, std::string_view message);

}  // namespace baton::otel

#endif  // BATON_HARNESS_OTEL_OTLP_PROTOBUF_H_
