// Realistic synthetic sessions, recorded through the real Recorder: growing multi-turn
// conversations (every model call resends its agent's history), tool calls, handoffs
// with context versions, context writes and reads, routing decisions, scores and checks.
// For benchmarks, tests, and trying baton without an agent system. Deterministic in
// the seed.
#ifndef BATON_HARNESS_SYNTH_SYNTHETIC_SESSION_H_
#define BATON_HARNESS_SYNTH_SYNTHETIC_SESSION_H_

#include <cstdint>
#include <string>

#include "recorder/recorder.h"

namespace baton::synth {

struct SynthOptions {
  uint64_t seed = 1;
  int agents = 4;  // At least 2.
  int turns = 20;  // Handoffs between agents; each has a model call.
  // Typical size of a message or a model answer. The default is the mean message size of
  // the Who&When Magentic-One logs (shared/corpora-external): 1240 bytes.
  size_t payload_bytes = 1200;
};

// The header of session number `index` generated with `options`.
SessionHeader SyntheticHeader(const SynthOptions& options, int index);

// Records the events of session `index` into `recorder` with explicit, deterministic
// times. Returns the number of events recorded.
uint64_t RecordSyntheticEvents(const SynthOptions& options, int index, Recorder& recorder);

// Creates `path` and records one synthetic session into it.
Status WriteSyntheticSession(const std::string& path, const SynthOptions& options, int index,
                             RecorderOptions recorder_options = {});

}  // namespace baton::synth

#endif  // BATON_HARNESS_SYNTH_SYNTHETIC_SESSION_H_
