// `--faults SPEC` of the proxy (baton proxy, record, replay): failures a program never saw in
// production, answered by the proxy in place of the upstream or the recording, so that a
// Python or JS program's retries and error paths can be tested.
//
// SPEC is a comma-separated list:
//   KIND@AGENT:N   the agent's Nth model request (counting every request, retries too)
//   KIND@N         the Nth model request through the proxy, whoever sends it
//   KIND%P         every request with probability P in (0, 1], drawn from seed=S
//   seed=S         the seed of the draws (default 1): the same seed, the same faults
// KIND is 429 (rate limited, Retry-After: 1), 503 or 500 (server error), timeout (504) or
// cut (a stream stopped mid-way; a plain answer's connection dropped). A fault answers one
// request; the client's retry goes through.
#ifndef BATON_HARNESS_PROXY_FAULT_PLAN_H_
#define BATON_HARNESS_PROXY_FAULT_PLAN_H_

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "replayer/replay_overrides.h"

namespace baton::proxy {

class FaultPlan {
 public:
  FaultPlan() = default;  // No faults.
  static Result<FaultPlan> Parse(std::string_view spec);

  bool empty() const { return rules_.empty(); }
  // The fault for the next model request of `agent`, if the plan has one for it. Counts
  // the request either way. Not thread-safe: the proxy calls it from its event loop.
  std::optional<FaultKind> Next(const std::string& agent);
  // The plan as given, for messages.
  const std::string& spec() const { return spec_; }

 private:
  struct Rule {
    FaultKind kind = FaultKind::kServerError;
    std::string agent;  // Empty: any agent.
    uint64_t nth = 0;   // 0: by probability.
    double probability = 0.0;
  };
  std::string spec_;
  std::vector<Rule> rules_;
  uint64_t seed_ = 1;
  std::mt19937_64 rng_{1};
  uint64_t requests_ = 0;
  std::map<std::string, uint64_t> requests_of_;
};

}  // namespace baton::proxy

#endif  // BATON_HARNESS_PROXY_FAULT_PLAN_H_
