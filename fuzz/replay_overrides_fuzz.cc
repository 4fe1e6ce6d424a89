// libFuzzer target: what `baton fork` and chaos runs hand a program (BATON_REPLAY_OVERRIDES,
// `baton fork --patch FILE`) and the proxy's `--faults SPEC`. A user's file or flag, maybe
// hand-edited or cut short: every malformed one is an error naming the field, never a crash;
// a document that parses writes back to the same overrides.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "harness/proxy/fault_plan.h"
#include "replayer/replay_overrides.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto overrides = baton::ParseReplayOverrides(text, "fuzz.json");
  if (overrides.ok()) {
    // What it writes, it reads back to the same text (the first write may normalize text
    // that was not valid UTF-8).
    const std::string json = baton::ReplayOverridesToJson(*overrides);
    auto again = baton::ParseReplayOverrides(json, "again");
    if (!again.ok() || baton::ReplayOverridesToJson(*again) != json) std::abort();
  }
  (void)baton::ParseModelResponse(text, "fuzz.json");
  auto plan = baton::proxy::FaultPlan::Parse(text);
  if (plan.ok())
    for (int i = 0; i < 8; ++i) (void)plan->Next(i % 2 ? "a" : "b");
  return 0;
}
