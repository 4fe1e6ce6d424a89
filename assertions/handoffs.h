// The boundaries of a session, reconstructed from its events: every handoff (a message with
// its delivery, interpretation, processing, quality, use downstream and the check that
// covered it) and every context read (with the version it used and what superseded it).
// The analyses and the GoogleTest matchers work on these.
#ifndef BATON_ASSERTIONS_HANDOFFS_H_
#define BATON_ASSERTIONS_HANDOFFS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "assertions/policy.h"
#include "assertions/scorers.h"
#include "replayer/trace.h"

namespace baton {

struct Handoff {
  std::string message_id;
  std::string from;
  std::string to;
  std::string intent;
  const Event* send = nullptr;
  const Event* delivery = nullptr;        // nullptr: never delivered.
  const Event* interpretation = nullptr;  // What the receiver understood, if recorded.
  const Event* processed = nullptr;
  // The payload is the sender's own model output (not an instruction or a relay). In an
  // imported transcript (header metadata source=transcript), which shows what agents said
  // but not their model calls, every agent's message is (not the user's task, a system
  // prompt, or a code run's report).
  bool is_output = false;
  // Quality: a recorded score of this message, else the policy's scorers on the payload.
  std::optional<double> quality;
  std::string quality_by;  // The scorer.
  std::string quality_rationale;
  const Event* score = nullptr;  // The recorded score, when that is where quality came from.
  double threshold = 0.0;
  // Whether the receiver's interpretation matches the intent (nullopt: none recorded).
  std::optional<bool> understood;
  // The receiver's first model call or message that carries the payload onward.
  const Event* use = nullptr;
  // What covered that use: a passing check, or a passing score, before it; or the
  // receiver scoring the message itself (it was the judge).
  const Event* check = nullptr;
  // The receiver passed the payload on to another agent.
  bool forwarded = false;
  // Whether the session could have recorded that check (Trace::checks()).
  Trace::Checks checks_recorded = Trace::Checks::kRecorded;

  bool checked() const { return check != nullptr; }
};

struct ContextReadInfo {
  const Event* read = nullptr;
  std::string key;
  uint64_t version = 0;
  const Event* write = nullptr;          // The write of the version read (nullptr: unknown).
  const Event* superseded_by = nullptr;  // The oldest newer version written before the read.
  int64_t staleness_ns = 0;              // read time - superseded_by's time (0 if fresh).
  int64_t age_ns = 0;                    // read time - write time.
  const Event* incoming = nullptr;       // The delivery the reader was acting on, if any.
};

std::vector<Handoff> BuildHandoffs(const Trace& trace, const Policy& policy,
                                   const ScorerSet& scorers);
std::vector<ContextReadInfo> BuildReads(const Trace& trace);

// The delivery the agent of `event` was acting on: the nearest message_delivery of the same
// agent up its cause chain. nullptr when none.
const Event* IncomingDelivery(const Trace& trace, const Event& event);

}  // namespace baton

#endif  // BATON_ASSERTIONS_HANDOFFS_H_
