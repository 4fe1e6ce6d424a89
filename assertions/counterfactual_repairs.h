// The repair of each finding that `baton why --counterfactual` tries: the handoff behind the
// finding repaired with the recorded content of its healthy counterpart, where the recording
// has one, as a replay patch (a fork that changes nothing else).
//
// Counterparts, by finding:
//   stale context     the read gets the freshest version of its key written before it;
//   low quality       the sender's answer is replaced by its answer behind another handoff
//                     on the same boundary and intent that passed its threshold;
//   hidden latency    the first attempt of the retried call gets the reply the last attempt
//                     got (the reply before the retry storm);
//   loop              the reply that sent the work back at the bound is replaced by the
//                     same agent's reply that led out of the loop.
// Misunderstandings, unchecked use and lost messages are the program's own handling, not a
// served answer: there is nothing recorded to put in their place, and the repair says so.
#ifndef BATON_ASSERTIONS_COUNTERFACTUAL_REPAIRS_H_
#define BATON_ASSERTIONS_COUNTERFACTUAL_REPAIRS_H_

#include <optional>
#include <string>
#include <vector>

#include "assertions/analyses.h"
#include "replayer/replay_overrides.h"
#include "replayer/trace.h"

namespace baton {

// One finding's repair: the patch, or why there is none.
struct Repair {
  Finding finding;
  std::optional<ReplayPatch> patch;
  std::string what;     // With a patch: "researcher reads market_data v7 ... instead of v6 at #16".
  std::string why_not;  // Without: "no other researcher -> writer handoff (findings) passed 0.70".
  std::optional<size_t> same_as;  // Index of an earlier repair with the same patch.
};

// The repairs of `analysis`'s findings, in their order. Reads the trace only.
std::vector<Repair> PlanRepairs(const Trace& trace, const Analysis& analysis);

}  // namespace baton

#endif  // BATON_ASSERTIONS_COUNTERFACTUAL_REPAIRS_H_
