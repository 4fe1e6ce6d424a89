// libFuzzer target: the OTLP/JSON reader and the span importer on untrusted bytes (what
// `baton import otlp` and `baton serve --otlp` take from the network). Whatever the
// document, a batch or an error, never a crash; every session built from the spans numbers
// its events 1..N and points causes only backwards. One OtlpJsonReader, as a receiver keeps,
// reads every input after all the earlier ones and must read it as a fresh parse does; one
// that parses 64 bytes at a time (a document larger than that, with the rest, at once)
// must accept what a whole-input parse accepts and read the same spans.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fuzz/span_sessions_check.h"
#include "harness/otel/otlp_spans.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  auto batch = baton::otel::ParseOtlpJson(json, "fuzz.json");
  static baton::otel::OtlpJsonReader* const reused = new baton::otel::OtlpJsonReader();
  static baton::otel::OtlpJsonReader* const batched = new baton::otel::OtlpJsonReader(64);
  auto again = reused->Read(json, "fuzz.json");
  auto in_batches = batched->Read(json, "fuzz.json");
  if (again.ok() != batch.ok() || in_batches.ok() != batch.ok()) std::abort();
  if (!batch.ok()) {
    if (again.status().message() != batch.status().message()) std::abort();
    return 0;
  }
  for (const auto* other : {&again, &in_batches}) {
    const baton::otel::OtlpBatch& b = **other;
    if (b.spans.size() != batch->spans.size() || b.rejected.size() != batch->rejected.size())
      std::abort();
    for (size_t i = 0; i < batch->spans.size(); ++i)
      if (b.spans[i].span_id != batch->spans[i].span_id ||
          b.spans[i].attributes.size() != batch->spans[i].attributes.size())
        std::abort();
  }
  CheckSessionsFromSpans(std::move(batch->spans));
  return 0;
}
