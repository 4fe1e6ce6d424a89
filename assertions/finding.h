// Finding: one thing wrong with a session, the events that prove it, and a sentence a
// person can act on. Produced by the analyses (analyses.h), ranked by root_cause.h, shown by
// `baton check`, `baton why` and the GoogleTest helpers.
#ifndef BATON_ASSERTIONS_FINDING_H_
#define BATON_ASSERTIONS_FINDING_H_

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace baton {

enum class FindingKind {
  kStaleContext,          // Used a context version already superseded.
  kContextTooOld,         // Used a context version older than the policy allows.
  kLowQuality,            // An output below its quality threshold was passed on.
  kMisunderstood,         // The receiver understood another task than the one sent.
  kUncheckedConsumption,  // An agent used another's output with no check or passing score.
  kLoop,                  // Two agents handed work back and forth past the bound.
  kHiddenLatency,         // Retries and backoff the reported durations do not show.
  kUndelivered,           // A message sent and never delivered.
  kUnprocessed,           // A message delivered and never processed.
};

// The stable names used by `baton why --json`, `baton check` and the corpora's
// .expect.json files: stale_context, context_too_old, low_quality, misunderstood,
// unchecked_consumption, loop, hidden_latency, undelivered, unprocessed.
std::string_view FindingKindName(FindingKind kind);
std::optional<FindingKind> ParseFindingKind(std::string_view name);
// For sentences: "stale context", "a low-quality handoff", ...
std::string_view FindingKindPhrase(FindingKind kind);

struct Finding {
  FindingKind kind = FindingKind::kStaleContext;
  // The boundary, receiver <- sender: `from` handed over, `to` acted. For findings inside one
  // agent (hidden latency) both name it.
  std::string from;
  std::string to;
  uint64_t at_seq = 0;             // The event where the problem shows.
  std::vector<uint64_t> evidence;  // Events proving it, in seq order.
  double value = 0.0;              // Staleness (s), quality, round trips, latency ratio...
  double limit = 0.0;              // ...and the policy's bound for it.
  std::string sentence;            // One sentence, times relative to the session start.
};

// For GoogleTest's messages: "stale_context at researcher <- planner, #12: <sentence>".
void PrintTo(const Finding& finding, std::ostream* os);

// "T+340ms", "T+12.0s", "T-11.7s": a monotonic time relative to the session start.
std::string RelativeTime(int64_t mono_ns);
// "340 ms", "12.0 s".
std::string Duration(int64_t ns);
// A score or threshold as sentences show it: "0.23".
std::string Fixed2(double v);

}  // namespace baton

#endif  // BATON_ASSERTIONS_FINDING_H_
