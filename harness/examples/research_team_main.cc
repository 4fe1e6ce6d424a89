// build/bin/research_team: the research-team example as a program. Records with
// BATON_RECORD=FILE, replays with BATON_REPLAY=FILE (see harness/runtime/agent_runtime.h).
//
// Exit: 0 the run finished (and a replay matched), 1 the run failed or the replay diverged,
// 2 bad usage.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "harness/examples/research_team.h"

int main(int argc, char** argv) {
  using namespace baton;
  using namespace baton::examples;
  CLI::App app{"The research-team example: planner, researcher, analyst, writer, reviewer."};
  ResearchTeamOptions options;
  bool threads = false, real_time = false, quiet = false;
  app.add_option("--seed", options.seed,
                 "Seeds the scripted model: different seeds, different paths");
  app.add_option("--task", options.task, "The task given to the planner");
  app.add_option("--prompt-variant", options.prompt_variant,
                 "The writer's prompt template (1 or 2)")
      ->check(CLI::Range(1, 2));
  app.add_flag("--threads", threads, "Run each agent on its own thread");
  app.add_flag("--real-time", real_time, "Use the system clock instead of virtual time");
  app.add_flag("--quiet", quiet, "Do not print the final report");
  std::string incident = "none";
  app.add_option("--incident", incident,
                 "A known incident to reproduce: none, stale_context, misunderstood, "
                 "empty_tool_result, unbounded_loop, retry_storm, routing_error, lost_message, "
                 "order_race");
  CLI11_PARSE(app, argc, argv);
  options.threading = threads ? Threading::kThreadPerAgent : Threading::kSingleThread;
  auto parsed = ParseIncident(incident);
  if (!parsed) {
    std::string names;
    for (int i = static_cast<int>(Incident::kNone); i <= static_cast<int>(Incident::kOrderRace);
         ++i)
      names += std::string(names.empty() ? "" : ", ") +
               std::string(IncidentName(static_cast<Incident>(i)));
    std::fprintf(stderr, "research_team: unknown incident '%s'; the incidents are: %s\n",
                 incident.c_str(), names.c_str());
    return 2;
  }
  options.incident = *parsed;

  RuntimeOptions defaults = ResearchTeamRuntimeOptions(options);
  if (real_time) defaults.time = TimeSource::kSystem;
  auto runtime_options = RuntimeOptionsFromEnvironment(defaults);
  if (!runtime_options.ok()) {
    std::fprintf(stderr, "research_team: %s\n", runtime_options.status().ToString().c_str());
    return 2;
  }
  ResearchTeamRun run = RunResearchTeamOn(*runtime_options, options);
  if (!run.start.ok()) {
    std::fprintf(stderr, "research_team: %s\n", run.start.ToString().c_str());
    return 2;
  }
  const Result<std::string>& report = run.report;
  const Status& finished = run.finish;
  if (!report.ok()) {
    std::fprintf(stderr, "research_team: %s\n", report.status().ToString().c_str());
    // Under `baton replay` the report goes to BATON_REPLAY_REPORT and is printed there.
    if (!finished.ok() && finished.code() == Status::Code::kDiverged &&
        std::getenv("BATON_REPLAY_REPORT") == nullptr)
      std::fprintf(stderr, "%s", finished.message().c_str());
    return 1;
  }
  if (!finished.ok()) {
    std::fprintf(stderr, "research_team: %s\n", finished.ToString().c_str());
    return 1;
  }
  if (!quiet) std::printf("%s\n", report->c_str());
  return 0;
}
