// libFuzzer target: the OTLP/JSON reader and the span importer on untrusted bytes (what
// `baton import otlp` and `baton serve --otlp` take from the network). Whatever the
// document, a batch or an error, never a crash; every session built from the spans numbers
// its events 1..N and points causes only backwards.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "harness/otel/otlp_spans.h"
#include "harness/otel/span_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  auto batch = baton::otel::ParseOtlpJson(json, "fuzz.json");
  if (!batch.ok()) return 0;
  for (const auto& s :
       baton::otel::SessionsFromSpans(std::move(batch->spans), baton::otel::GroupBy::kAuto)) {
    for (size_t i = 0; i < s.events.size(); ++i) {
      if (s.events[i].seq != i + 1) std::abort();
      if (s.events[i].cause >= s.events[i].seq) std::abort();
    }
  }
  return 0;
}
