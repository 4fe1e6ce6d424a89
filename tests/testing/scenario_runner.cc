#include "tests/testing/scenario_runner.h"

namespace baton::testing {

Result<Trace> RecordScenario(examples::Incident incident, uint64_t seed, const std::string& path) {
  examples::ResearchTeamOptions o;
  o.seed = seed;
  o.incident = incident;
  if (incident == examples::Incident::kRoutingError) o.task = kDataTask;
  RuntimeOptions ro = examples::ResearchTeamRuntimeOptions(o);
  ro.mode = ReplayMode::kRecord;
  ro.record_path = path;
  examples::ResearchTeamRun run = examples::RunResearchTeamOn(ro, o);
  BATON_RETURN_IF_ERROR(run.start);
  BATON_RETURN_IF_ERROR(run.finish);
  return Trace::Load(path);
}

}  // namespace baton::testing
