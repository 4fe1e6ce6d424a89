// libFuzzer target: the OTLP/protobuf decoder on untrusted bytes (what `baton serve --otlp`
// takes from the network as application/x-protobuf). Whatever the bytes, a batch or an error,
// never a crash; every span read has ids of the right size in hex and an end no earlier than
// its start, and every session built from the spans numbers its events 1..N and points causes
// only backwards.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fuzz/span_sessions_check.h"
#include "harness/otel/otlp_protobuf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto batch = baton::otel::ParseOtlpProtobuf(body, "fuzz.bin");
  if (!batch.ok()) return 0;
  for (const baton::otel::Span& s : batch->spans) {
    if (s.trace_id.size() != 32 || s.span_id.size() != 16) std::abort();
    if (!s.parent_span_id.empty() && s.parent_span_id.size() != 16) std::abort();
    if (s.end_ns < s.start_ns || s.start_ns <= 0) std::abort();
  }
  CheckSessionsFromSpans(std::move(batch->spans));
  return 0;
}
