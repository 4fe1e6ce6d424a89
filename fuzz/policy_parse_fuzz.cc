// libFuzzer target: `baton check --policy FILE` text. A user's file, maybe hand-edited or
// truncated: every malformed policy is an error naming the key, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "assertions/policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string json(reinterpret_cast<const char*>(data), size);
  (void)baton::ParsePolicy(json, "fuzz.json");
  return 0;
}
