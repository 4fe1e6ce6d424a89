// Record the research-team example, replay it: deterministic, equivalent, and a code change
// stops the replay at the right call with a diff of the changed text.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "harness/examples/research_team.h"
#include "harness/runtime/mock_model_client.h"
#include "recorder/recorder.h"
#include "replayer/session_diff.h"
#include "replayer/trace.h"
#include "tests/testing/run_command.h"

namespace baton {
namespace {

using examples::ResearchTeamOptions;
using examples::Threading;
using ::testing::HasSubstr;
using ::testing::Return;

// Runs the team as the program does; the test chooses the mode, the paths and, for a
// replay, a random seed unlike the recording's.
examples::ResearchTeamRun RunTeam(const RuntimeOptions& chosen, const ResearchTeamOptions& o) {
  RuntimeOptions ro = examples::ResearchTeamRuntimeOptions(o);
  ro.mode = chosen.mode;
  ro.record_path = chosen.record_path;
  ro.replay_path = chosen.replay_path;
  if (chosen.random_seed != 0) ro.random_seed = chosen.random_seed;
  return examples::RunResearchTeamOn(ro, o);
}

RuntimeOptions Record(const std::string& path) {
  RuntimeOptions ro;
  ro.mode = ReplayMode::kRecord;
  ro.record_path = path;
  return ro;
}

RuntimeOptions Replay(const std::string& from, const std::string& to) {
  RuntimeOptions ro;
  ro.mode = ReplayMode::kReplay;
  ro.replay_path = from;
  ro.record_path = to;
  ro.random_seed = 12345;  // Unlike the recording's: the draws must come from the log.
  return ro;
}

::testing::AssertionResult Equivalent(const std::string& a, const std::string& b) {
  auto ta = Trace::Load(a), tb = Trace::Load(b);
  if (!ta.ok()) return ::testing::AssertionFailure() << ta.status().ToString();
  if (!tb.ok()) return ::testing::AssertionFailure() << tb.status().ToString();
  auto d = DiffSessions(*ta, *tb);
  if (!d.ok()) return ::testing::AssertionFailure() << d.status().ToString();
  if (!d->equivalent) return ::testing::AssertionFailure() << d->Render();
  return ::testing::AssertionSuccess() << "equivalent";
}

class ResearchTeamReplayTest : public ::testing::Test {
 protected:
  std::string dir_ = baton::testing::FreshTempDir("research_team_replay");
  std::string Path(const std::string& name) { return dir_ + "/" + name; }
};

TEST_F(ResearchTeamReplayTest, EverySeedReplaysToAnEquivalentSession) {
  std::set<std::string> routes;
  for (uint64_t seed = 1; seed <= 16; ++seed) {
    ResearchTeamOptions o;
    o.seed = seed;
    std::string rec = Path("rec" + std::to_string(seed) + ".baton");
    std::string rep = Path("rep" + std::to_string(seed) + ".baton");
    examples::ResearchTeamRun recorded = RunTeam(Record(rec), o);
    ASSERT_TRUE(recorded.report.ok()) << recorded.report.status().ToString();
    ASSERT_TRUE(recorded.finish.ok()) << recorded.finish.ToString();
    examples::ResearchTeamRun replayed = RunTeam(Replay(rec, rep), o);
    ASSERT_TRUE(replayed.report.ok()) << replayed.report.status().ToString();
    EXPECT_TRUE(replayed.finish.ok()) << replayed.finish.ToString();
    EXPECT_TRUE(replayed.replay.matched) << replayed.replay.Render();
    EXPECT_EQ(*replayed.report, *recorded.report);
    EXPECT_TRUE(Equivalent(rec, rep)) << "seed " << seed;
    auto t = Trace::Load(rec);
    ASSERT_TRUE(t.ok());
    for (const Event& e : t->events())
      if (auto* r = e.As<RoutingDecision>()) routes.insert(r->chosen);
  }
  // The seeds cover every route, so the test exercises every path of the workflow.
  EXPECT_EQ(routes.size(), 3u);
}

TEST_F(ResearchTeamReplayTest, ConcurrentSessionReplaysIdenticallyAHundredTimes) {
  ResearchTeamOptions o;
  o.seed = 3;  // Routes to researcher+analyst: two agents feed the writer in parallel.
  o.threading = Threading::kThreadPerAgent;
  std::string rec = Path("concurrent.baton");
  examples::ResearchTeamRun recorded = RunTeam(Record(rec), o);
  ASSERT_TRUE(recorded.report.ok()) << recorded.report.status().ToString();
  auto t = Trace::Load(rec);
  ASSERT_TRUE(t.ok());
  ASSERT_FALSE(t->EventsOf("analyst").empty());
  for (int i = 0; i < 100; ++i) {
    std::string rep = Path("concurrent-replay.baton");
    examples::ResearchTeamRun replayed = RunTeam(Replay(rec, rep), o);
    ASSERT_TRUE(replayed.report.ok()) << "run " << i << ": " << replayed.report.status().ToString();
    ASSERT_TRUE(replayed.replay.matched) << "run " << i << ": " << replayed.replay.Render();
    ASSERT_TRUE(Equivalent(rec, rep)) << "run " << i;
  }
}

TEST_F(ResearchTeamReplayTest, PromptChangeStopsAtTheWritersCallWithTheChangedText) {
  ResearchTeamOptions o;
  o.seed = 3;
  std::string rec = Path("variant1.baton");
  ASSERT_TRUE(RunTeam(Record(rec), o).report.ok());
  auto t = Trace::Load(rec);
  ASSERT_TRUE(t.ok());
  uint64_t writer_call = 0;
  for (const Event& e : t->events())
    if (e.agent == "writer" && e.kind() == EventKind::kModelCall) {
      writer_call = e.seq;
      break;
    }
  ASSERT_NE(writer_call, 0u);

  o.prompt_variant = 2;
  examples::ResearchTeamRun replayed = RunTeam(Replay(rec, Path("variant2.baton")), o);
  ASSERT_FALSE(replayed.report.ok());
  EXPECT_EQ(replayed.report.status().code(), Status::Code::kDiverged);
  ASSERT_EQ(replayed.replay.divergences.size(), 1u);
  const Divergence& d = replayed.replay.divergences[0];
  EXPECT_EQ(d.recorded_seq, writer_call);
  EXPECT_EQ(d.agent, "writer");
  EXPECT_THAT(d.Render(), HasSubstr("request.messages[1].content"));
  EXPECT_THAT(d.Render(), HasSubstr("+ [writer] Write a detailed, well-structured report"));
  EXPECT_THAT(d.Render(), HasSubstr("- [writer] Write a concise report"));
  EXPECT_EQ(replayed.finish.code(), Status::Code::kDiverged);
}

TEST_F(ResearchTeamReplayTest, ReplayOrRecordServesNewCallsLiveAndAppendsThem) {
  ResearchTeamOptions o;
  o.seed = 3;
  std::string rec = Path("base.baton"), next = Path("rerecorded.baton");
  ASSERT_TRUE(RunTeam(Record(rec), o).report.ok());
  o.prompt_variant = 2;
  RuntimeOptions ro = Replay(rec, next);
  ro.mode = ReplayMode::kReplayOrRecord;
  examples::ResearchTeamRun run = RunTeam(ro, o);
  ASSERT_TRUE(run.report.ok()) << run.report.status().ToString();
  EXPECT_GT(run.replay.served_live, 0u);
  EXPECT_GT(run.replay.served, 0u);
  auto t = Trace::Load(next);
  ASSERT_TRUE(t.ok());
  bool found_new_prompt = false;
  for (const Event& e : t->events())
    if (auto* c = e.As<ModelCall>())
      for (const auto& m : c->request.messages)
        found_new_prompt |= m.content.text.find("detailed, well-structured") != std::string::npos;
  EXPECT_TRUE(found_new_prompt);
}

TEST_F(ResearchTeamReplayTest, ARecordingMissingAResponseSaysWhichCall) {
  ResearchTeamOptions o;
  o.seed = 3;
  std::string rec = Path("full.baton"), cut = Path("cut.baton");
  ASSERT_TRUE(RunTeam(Record(rec), o).report.ok());
  auto t = Trace::Load(rec);
  ASSERT_TRUE(t.ok());
  // Copy the session without the reviewer's last model call.
  uint64_t dropped = 0;
  for (const Event& e : t->events())
    if (e.agent == "reviewer" && e.kind() == EventKind::kModelCall) dropped = e.seq;
  size_t reviewer_calls = 0;
  {
    auto w = Recorder::Create(cut, t->header());
    ASSERT_TRUE(w.ok());
    for (const Event& e : t->events()) {
      if (e.seq == dropped) continue;
      if (e.agent == "reviewer" && e.kind() == EventKind::kModelCall) ++reviewer_calls;
      (*w)->RecordWithTimes(e);
    }
    ASSERT_TRUE((*w)->Close().ok());
  }
  examples::ResearchTeamRun replayed = RunTeam(Replay(cut, Path("cut-replay.baton")), o);
  ASSERT_FALSE(replayed.report.ok());
  std::string expected = "reviewer's " + std::to_string(reviewer_calls + 1);
  EXPECT_THAT(replayed.report.status().message(), HasSubstr(expected));
  EXPECT_THAT(replayed.report.status().message(), HasSubstr("model call has no recording"));
}

TEST_F(ResearchTeamReplayTest, RetriesAreRecordedAsRetriesAndReplayedTheSameWay) {
  MockModelClient model;
  ModelResponse ok;
  ok.content = "fine";
  EXPECT_CALL(model, Complete)
      .WillOnce(Return(Result<ModelResponse>(Status::Unavailable("HTTP 503"))))
      .WillOnce(Return(Result<ModelResponse>(Status::Unavailable("timeout"))))
      .WillOnce(Return(Result<ModelResponse>(ok)));
  std::string rec = Path("retries.baton");
  RuntimeOptions ro = Record(rec);
  ro.time = TimeSource::kVirtual;
  int64_t elapsed = 0;
  {
    auto rt = AgentRuntime::Create(ro, &model, nullptr);
    ASSERT_TRUE(rt.ok());
    int64_t t0 = (*rt)->clock().MonoNanos();
    auto r = (*rt)->CallModel(
        "a", ModelRequest{"m", {}, {{"user", Content("q"), "", ""}}, {}, {}, false});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->content.text, "fine");
    elapsed = (*rt)->clock().MonoNanos() - t0;
    ASSERT_TRUE((*rt)->Finish().ok());
  }
  EXPECT_EQ(elapsed, 1'500'000'000);  // Backoffs 0.5 s then 1 s on the virtual clock.
  auto t = Trace::Load(rec);
  ASSERT_TRUE(t.ok());
  std::vector<std::string> kinds;
  for (const Event& e : t->events()) kinds.push_back(std::string(KindName(e.kind())));
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"model_call", "retry", "model_call", "retry", "model_call"}));
  EXPECT_EQ(t->events()[2].As<ModelCall>()->attempt, 2u);
  EXPECT_EQ(t->events()[3].As<Retry>()->backoff_ns, 1'000'000'000);
  EXPECT_THAT(t->events()[0].As<ModelCall>()->error, HasSubstr("HTTP 503"));

  // Replayed with no model at all: the same errors, the same retries, the same answer.
  RuntimeOptions rp = Replay(rec, Path("retries-replay.baton"));
  rp.time = TimeSource::kVirtual;
  auto rt = AgentRuntime::Create(rp, nullptr, nullptr);
  ASSERT_TRUE(rt.ok());
  auto r =
      (*rt)->CallModel("a", ModelRequest{"m", {}, {{"user", Content("q"), "", ""}}, {}, {}, false});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->content.text, "fine");
  EXPECT_TRUE((*rt)->Finish().ok());
  EXPECT_TRUE(Equivalent(rec, Path("retries-replay.baton")));
}

// The environment variables are tested in foundations_test (RuntimeModesTest).

TEST(RuntimeOptionsTest, ReplayingAFileThatIsNotThereIsAnError) {
  RuntimeOptions ro;
  ro.mode = ReplayMode::kReplay;
  ro.replay_path = "/nonexistent/run.baton";
  auto rt = AgentRuntime::Create(ro, nullptr, nullptr);
  ASSERT_FALSE(rt.ok());
  EXPECT_THAT(rt.status().message(), HasSubstr("/nonexistent/run.baton"));
}

}  // namespace
}  // namespace baton
