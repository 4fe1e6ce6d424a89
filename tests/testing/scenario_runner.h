// Records a research-team run (healthy or with an incident) in-process, for tests.
#ifndef BATON_TESTS_TESTING_SCENARIO_RUNNER_H_
#define BATON_TESTS_TESTING_SCENARIO_RUNNER_H_

#include <string>

#include "harness/examples/research_team.h"
#include "replayer/trace.h"

namespace baton::testing {

// The task the routing-error scenario is given: it needs this week's data.
inline constexpr char kDataTask[] =
    "Assess the market risks for ACME Corp next quarter using this week's market data";

// Records the run to `path` on virtual time and loads it back. The run's own status (a
// lost message stalls it) is not an error here: the recording is what tests look at.
Result<Trace> RecordScenario(examples::Incident incident, uint64_t seed, const std::string& path);

}  // namespace baton::testing

#endif  // BATON_TESTS_TESTING_SCENARIO_RUNNER_H_
