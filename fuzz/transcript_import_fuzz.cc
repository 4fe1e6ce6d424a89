// libFuzzer target: `baton import transcript` on untrusted JSON. Whatever the document,
// the importer returns a session or an error naming the key and index, never a crash; a
// session's every event maps back to a step of the transcript.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "harness/import/transcript_import.h"
#include "replayer/trace.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  auto session = baton::transcript::ParseTranscript(json, "fuzz.json");
  if (!session.ok()) return 0;
  for (const baton::Event& e : session->events) {
    if (e.As<baton::Outcome>() != nullptr) continue;
    if (!baton::SourceStep(session->events, e.seq).has_value()) std::abort();
  }
  return 0;
}
