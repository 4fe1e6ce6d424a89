#include "tests/testing/scenario_runner.h"

namespace baton::testing {

Result<Trace> RecordScenario(examples::Incident incident, uint64_t seed, const std::string& path) {
  examples::ResearchTeamOptions o;
  o.seed = seed;
  o.incident = incident;
  if (incident == examples::Incident::kRoutingError) o.task = kDataTask;
  RuntimeOptions ro;
  ro.mode = ReplayMode::kRecord;
  ro.record_path = path;
  ro.time = TimeSource::kVirtual;
  ro.random_seed = seed * 7919 + 1;
  ro.retry = examples::ResearchTeamRetryPolicy(incident);
  ro.header.session_id =
      std::string(examples::IncidentName(incident)) + "-seed-" + std::to_string(seed);
  auto model = examples::NewResearchTeamModel(seed, incident);
  auto tools = examples::NewResearchTeamTools(incident);
  auto rt = AgentRuntime::Create(ro, model.get(), tools.get());
  if (!rt.ok()) return rt.status();
  model->set_clock((*rt)->virtual_clock());
  (void)examples::RunResearchTeam(**rt, o);
  BATON_RETURN_IF_ERROR((*rt)->Finish());
  return Trace::Load(path);
}

}  // namespace baton::testing
