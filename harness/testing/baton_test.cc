#include "harness/testing/baton_test.h"

#include <unistd.h>

#include <filesystem>

namespace baton {

const Trace& BatonTest::LoadRecording(const std::string& path) {
  auto it = loaded_.find(path);
  if (it != loaded_.end()) return *it->second;
  auto trace = Trace::Load(path);
  EXPECT_TRUE(trace.ok()) << trace.status().ToString();
  auto owned = std::make_unique<Trace>(trace.ok() ? std::move(trace).value()
                                                  : Trace::FromEvents(SessionHeader{}, {}));
  return *loaded_.emplace(path, std::move(owned)).first->second;
}

BatonTest::ReplayRun BatonTest::Replay(const std::string& recording,
                                       const std::function<Status(AgentRuntime&)>& agents,
                                       RuntimeOptions options, ReplayExpectation expectation,
                                       ModelClient* live, ToolClient* tools) {
  ReplayRun run;
  run.replayed = Trace::FromEvents(SessionHeader{}, {});
  std::string dir = ::testing::TempDir() + "/baton_test_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  if (options.mode != ReplayMode::kReplayOrRecord) options.mode = ReplayMode::kReplay;
  options.replay_path = recording;
  options.record_path = dir + "/replay-" + std::to_string(++runs_) + ".baton";
  auto rt = AgentRuntime::Create(options, live, tools);
  if (!rt.ok()) {
    run.status = rt.status();
    ADD_FAILURE() << "cannot replay " << recording << ": " << rt.status().ToString();
    return run;
  }
  run.status = agents(**rt);
  run.report = (*rt)->replay_report();
  run.finish = (*rt)->Finish();
  auto t = Trace::Load(options.record_path);
  if (t.ok()) {
    run.replayed = std::move(t).value();
  } else {
    ADD_FAILURE() << "the replay of " << recording
                  << " left no readable session: " << t.status().ToString();
  }
  if (run.report.served == 0 && run.report.served_live == 0) {
    ADD_FAILURE() << "the replay of " << recording
                  << " served no call: do the agents run on the AgentRuntime they were given?";
    return run;  // That is the whole story; the unreached calls follow from it.
  }
  if (expectation == ReplayExpectation::kMatches && !run.report.matched)
    ADD_FAILURE() << "the replay of " << recording << " did not match:\n" << run.report.Render();
  if (expectation == ReplayExpectation::kDiverges && run.report.divergences.empty())
    ADD_FAILURE() << "the replay of " << recording << " was expected to diverge and did not";
  return run;
}

}  // namespace baton
