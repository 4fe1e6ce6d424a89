// libFuzzer target: the OTLP/JSON reader and the span importer on untrusted bytes (what
// `baton import otlp` and `baton serve --otlp` take from the network). Whatever the
// document, a batch or an error, never a crash; every session built from the spans numbers
// its events 1..N and points causes only backwards. One OtlpJsonReader, as a receiver keeps,
// reads every input after all the earlier ones and must read it as a fresh parse does.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "harness/otel/otlp_spans.h"
#include "harness/otel/span_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  auto batch = baton::otel::ParseOtlpJson(json, "fuzz.json");
  static baton::otel::OtlpJsonReader* const reused = new baton::otel::OtlpJsonReader();
  auto again = reused->Read(json, "fuzz.json");
  if (again.ok() != batch.ok()) std::abort();
  if (!batch.ok()) {
    if (again.status().message() != batch.status().message()) std::abort();
    return 0;
  }
  if (again->spans.size() != batch->spans.size() ||
      again->rejected.size() != batch->rejected.size())
    std::abort();
  for (size_t i = 0; i < batch->spans.size(); ++i)
    if (again->spans[i].span_id != batch->spans[i].span_id ||
        again->spans[i].attributes.size() != batch->spans[i].attributes.size())
      std::abort();
  for (const auto& s :
       baton::otel::SessionsFromSpans(std::move(batch->spans), baton::otel::GroupBy::kAuto)) {
    for (size_t i = 0; i < s.events.size(); ++i) {
      if (s.events[i].seq != i + 1) std::abort();
      if (s.events[i].cause >= s.events[i].seq) std::abort();
    }
  }
  return 0;
}
