// What `baton check` does to one session file, as the benchmarks time it: read it into a
// Trace, run every analysis, and explain the outcome.
#ifndef BATON_BENCH_CHECK_SESSION_H_
#define BATON_BENCH_CHECK_SESSION_H_

#include <string>

#include "assertions/root_cause.h"

namespace baton::bench {

inline Result<Explanation> CheckSession(const std::string& path, const Policy& policy,
                                        const ScorerSet& scorers) {
  auto trace = Trace::Load(path);
  if (!trace.ok()) return trace.status();
  Analysis analysis = Analyze(*trace, policy, scorers);
  return Explain(*trace, analysis);
}

}  // namespace baton::bench

#endif  // BATON_BENCH_CHECK_SESSION_H_
