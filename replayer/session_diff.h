// Whether two recorded sessions are the same run: per agent, event for event, under the
// normalizers, with the same global order of message deliveries. Measured times (latencies,
// stream chunk offsets, span durations, timestamps) and seq numbers are not compared: two
// runs of the same code on different machines differ there and nowhere else.
#ifndef BATON_REPLAYER_SESSION_DIFF_H_
#define BATON_REPLAYER_SESSION_DIFF_H_

#include <string>
#include <vector>

#include "base/status.h"
#include "replayer/request_normalizer.h"
#include "replayer/text_diff.h"
#include "replayer/trace.h"

namespace baton {

enum class CompareTiming {
  kIgnore,   // Default: measured durations may differ.
  kCompare,  // Also latencies, chunk offsets and span durations (virtual-clock runs).
};

struct SessionDiffOptions {
  Normalizers normalizers;
  CompareTiming timing = CompareTiming::kIgnore;
};

struct SessionDifference {
  bool equivalent = true;
  std::string agent;    // Where the first difference is.
  uint64_t seq_a = 0;   // The event in A (0: A has none there).
  uint64_t seq_b = 0;   // The event in B (0: B has none there).
  std::string summary;  // One sentence.
  std::vector<FieldDifference> fields;

  std::string Render() const;
};

// The earliest difference (by position in A) between A and B, or equivalent.
Result<SessionDifference> DiffSessions(const Trace& a, const Trace& b,
                                       const SessionDiffOptions& options = {});

}  // namespace baton

#endif  // BATON_REPLAYER_SESSION_DIFF_H_
