// libFuzzer target: the OTLP/protobuf decoders on untrusted bytes (what `baton serve --otlp`
// takes from the network as application/x-protobuf, at /v1/traces and at /v1/logs). The same
// bytes are read as both requests. Whatever the bytes, a batch or an error, never a crash;
// every span read has ids of the right size in hex and an end no earlier than its start,
// every log record read is one event of a span named by such ids, and every session built
// from them numbers its events 1..N and points causes only backwards.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fuzz/span_sessions_check.h"
#include "harness/otel/otlp_protobuf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto traces = baton::otel::ParseOtlpProtobuf(body, "fuzz.bin");
  auto logs = baton::otel::ParseOtlpLogsProtobuf(body, "fuzz.bin");
  std::vector<baton::otel::Span> all;
  for (auto* batch : {&traces, &logs}) {
    if (!batch->ok()) continue;
    size_t records = 0;
    for (baton::otel::Span& s : (*batch)->spans) {
      if (s.trace_id.size() != 32 || s.span_id.size() != 16) std::abort();
      if (s.record == baton::otel::SpanRecord::kEventsOfSpan) {
        if (s.events.size() != 1 || s.events[0].name.empty() || s.events[0].time_ns < 0)
          std::abort();
        ++records;
      } else {
        if (!s.parent_span_id.empty() && s.parent_span_id.size() != 16) std::abort();
        if (s.end_ns < s.start_ns || s.start_ns <= 0) std::abort();
      }
      all.push_back(std::move(s));
    }
    if (records != (*batch)->log_records) std::abort();
  }
  // Spans and the log records of their events, as a receiver groups them.
  CheckSessionsFromSpans(std::move(all));
  return 0;
}
