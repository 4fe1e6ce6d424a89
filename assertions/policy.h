// Policy: the thresholds a session is held to. Every analysis reads it; `baton check`
// loads it from a JSON file (--policy), and defaults apply to whatever the file leaves out.
//
//   {
//     "min_quality": 0.7,                        // every handoff's output
//     "min_quality_by_pair": {"researcher->planner": 0.8},
//     "max_staleness_ms": 1000,                  // a read of an outdated version
//     "max_age_ms_by_key": {"market_data": 60000},
//     "max_loops": 3,                            // round trips between two agents
//     "max_loops_by_pair": {"writer<->reviewer": 5},
//     "require_checks": true,                    // outputs used only after a check or score
//     "require_understanding": true,             // interpretation must match the intent
//     "max_hidden_latency_ratio": 3.0,           // waited / reported
//     "scorers": ["non_empty", "refusal"]        // run on outputs with no recorded score
//   }
#ifndef BATON_ASSERTIONS_POLICY_H_
#define BATON_ASSERTIONS_POLICY_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"

namespace baton {

enum class Requirement { kOff, kRequired };

enum class EmptyTrace {
  kFails,   // TracePasses refuses a trace with no events.
  kPasses,  // An empty session is acceptable (asked for explicitly).
};

struct Policy {
  double min_quality = 0.7;
  std::map<std::string, double> min_quality_by_pair;  // "from->to"
  int64_t max_staleness_ms = 1000;
  std::map<std::string, int64_t> max_age_ms_by_key;
  int max_loops = 3;
  std::map<std::string, int> max_loops_by_pair;  // "a<->b", names in either order
  Requirement checks = Requirement::kRequired;
  Requirement understanding = Requirement::kRequired;
  double max_hidden_latency_ratio = 3.0;
  std::vector<std::string> scorers = {"non_empty", "refusal"};
  // A trace with no events passes nothing by default: it is what a replay that did not run,
  // or a file that did not load, leaves behind.
  EmptyTrace empty_trace = EmptyTrace::kFails;

  double MinQuality(const std::string& from, const std::string& to) const;
  int MaxLoops(const std::string& a, const std::string& b) const;
};

// Parses a policy document (JSON). Unknown keys and wrong types are errors naming the key,
// so that a typo does not silently relax the gate.
Result<Policy> ParsePolicy(const std::string& json, const std::string& where);
Result<Policy> LoadPolicyFile(const std::string& path);
// LoadPolicyFile, or the defaults when `path` is empty (no --policy given).
Result<Policy> LoadPolicyOrDefaults(const std::string& path);

}  // namespace baton

#endif  // BATON_ASSERTIONS_POLICY_H_
