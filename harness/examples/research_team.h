// The research-team workflow, built on AgentRuntime: planner -> (researcher, analyst,
// maybe) -> writer -> reviewer, the reviewer sending the draft back 0-3 times. Routing comes
// from model output; the researcher searches local documents, the analyst queries a local
// table; market data sits in the shared context store.
//
// Its model is a ScriptedModel whose answers depend on the request and the seed, so
// different seeds take different paths and the same seed takes the same one. It is the
// example of the README, the subject of the replay tests, and (with the incident knobs of
// later scenarios) the generator of corpora.
#ifndef BATON_HARNESS_EXAMPLES_RESEARCH_TEAM_H_
#define BATON_HARNESS_EXAMPLES_RESEARCH_TEAM_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "harness/runtime/agent_runtime.h"
#include "harness/runtime/model_client.h"

namespace baton::examples {

enum class Threading {
  kSingleThread,    // A fixed-order scheduler runs every agent on the calling thread.
  kThreadPerAgent,  // Each agent on its own thread: delivery order varies between runs.
};

// Known incidents the workflow can be made to have: the scenarios of corpora/.
enum class Incident {
  kNone,
  kStaleContext,     // The researcher reads market data from a replica 12 s behind.
  kMisunderstood,    // The writer takes "summarize the risks" for "summarize the report".
  kEmptyToolResult,  // Search returns nothing; the researcher answers anyway.
  kUnboundedLoop,    // The reviewer's criterion can never be met, and its bound is too high.
  kRetryStorm,       // The model API fails with 503s: retries and backoff turn 2 s into 47 s.
  kRoutingError,     // The planner misreads the task and routes to the writer alone.
  kLostMessage,      // The writer crashes after a delivery and restarts without it.
  // The writer ignores findings that arrive before its brief ("no task yet"). The planner's
  // brief is sent first and wins the race in the recorded order; when the researcher is
  // faster, its findings are lost and the run stalls. Only another delivery order shows it.
  kOrderRace,
};
std::string_view IncidentName(Incident incident);  // "stale_context", ... "none"
std::optional<Incident> ParseIncident(std::string_view name);

struct ResearchTeamOptions {
  uint64_t seed = 1;
  std::string task = "Assess the market risks for ACME Corp next quarter";
  int prompt_variant = 1;  // The writer's prompt template; 2 stands for a later code change.
  Threading threading = Threading::kSingleThread;
  Incident incident = Incident::kNone;
};

// The scripted model: same request, seed and incident, same answer.
std::unique_ptr<ScriptedModel> NewResearchTeamModel(uint64_t seed,
                                                    Incident incident = Incident::kNone);
// The search and database tools over local data.
std::unique_ptr<ToolRegistry> NewResearchTeamTools(Incident incident = Incident::kNone);
// The retry policy the program uses (the retry storm scenario retries more).
RetryPolicy ResearchTeamRetryPolicy(Incident incident);

// How the research_team program runs: virtual time, random draws seeded from the seed, the
// incident's retry policy, a header naming the run and its parameters. Mode and paths are
// left for the caller (or the environment) to set.
RuntimeOptions ResearchTeamRuntimeOptions(const ResearchTeamOptions& options);

struct ResearchTeamRun {
  Status start;                                // Creating the runtime (bad options, no file).
  Result<std::string> report = std::string();  // The run: the final report or its error.
  ReplayReport replay;                         // When replaying.
  Status finish;                               // AgentRuntime::Finish().
};

// Builds the scripted model, the tools and a runtime from `runtime`, runs the workflow and
// finishes the runtime. What the program and the tests that record or replay it share.
ResearchTeamRun RunResearchTeamOn(const RuntimeOptions& runtime,
                                  const ResearchTeamOptions& options);

// Runs the workflow on `runtime` to its outcome. The final report, or the first error
// (a divergence in strict replay, a stalled run).
Result<std::string> RunResearchTeam(AgentRuntime& runtime, const ResearchTeamOptions& options);

}  // namespace baton::examples

#endif  // BATON_HARNESS_EXAMPLES_RESEARCH_TEAM_H_
