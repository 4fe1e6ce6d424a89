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
#include <string>

#include "harness/runtime/agent_runtime.h"
#include "harness/runtime/model_client.h"

namespace baton::examples {

enum class Threading {
  kSingleThread,    // A fixed-order scheduler runs every agent on the calling thread.
  kThreadPerAgent,  // Each agent on its own thread: delivery order varies between runs.
};

struct ResearchTeamOptions {
  uint64_t seed = 1;
  std::string task = "Assess the market risks for ACME Corp next quarter";
  int prompt_variant = 1;  // The writer's prompt template; 2 stands for a later code change.
  Threading threading = Threading::kSingleThread;
};

// The scripted model: same request and seed, same answer.
std::unique_ptr<ScriptedModel> NewResearchTeamModel(uint64_t seed);
// The search and database tools over local data.
std::unique_ptr<ToolRegistry> NewResearchTeamTools();

// Runs the workflow on `runtime` to its outcome. The final report, or the first error
// (a divergence in strict replay, a stalled run).
Result<std::string> RunResearchTeam(AgentRuntime& runtime, const ResearchTeamOptions& options);

}  // namespace baton::examples

#endif  // BATON_HARNESS_EXAMPLES_RESEARCH_TEAM_H_
