// The GoogleTest face: predicate-formatters and matchers explain themselves, compose with
// Not/AllOf/Each, and the BatonTest fixture's three uses.
#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include "assertions/trace_assertions.h"
#include "harness/testing/baton_test.h"
#include "tests/testing/run_command.h"
#include "tests/testing/scenario_runner.h"

namespace baton {
namespace {

using examples::Incident;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Each;
using ::testing::HasSubstr;
using ::testing::Not;

template <typename M, typename T>
std::string Explain(const M& matcher, const T& value) {
  ::testing::StringMatchResultListener listener;
  ::testing::Matcher<const T&>(matcher).MatchAndExplain(value, &listener);
  return listener.str();
}

template <typename M, typename T>
std::string Describe(const M& matcher) {
  std::stringstream os;
  ::testing::Matcher<const T&>(matcher).DescribeTo(&os);
  return os.str();
}

// A recorded scenario, or a failed test (and an empty trace, which every check refuses)
// when it could not be recorded: never a crash on an unchecked Result.
Trace* RecordOrFail(Incident incident, uint64_t seed, const std::string& path) {
  auto trace = testing::RecordScenario(incident, seed, path);
  if (!trace.ok()) {
    ADD_FAILURE() << "recording " << path << ": " << trace.status().ToString();
    return new Trace(Trace::FromEvents(SessionHeader{}, {}));
  }
  return new Trace(std::move(trace).value());
}

class GTestFaceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::FreshTempDir("gtest_face"));
    stale_ = RecordOrFail(Incident::kStaleContext, 1, *dir_ + "/stale.baton");
    healthy_ = RecordOrFail(Incident::kNone, 3, *dir_ + "/healthy.baton");
    loop_ = RecordOrFail(Incident::kUnboundedLoop, 1, *dir_ + "/loop.baton");
  }
  static void TearDownTestSuite() {
    delete stale_;
    delete healthy_;
    delete loop_;
    delete dir_;
  }
  static std::string* dir_;
  static Trace* stale_;
  static Trace* healthy_;
  static Trace* loop_;
};
std::string* GTestFaceTest::dir_ = nullptr;
Trace* GTestFaceTest::stale_ = nullptr;
Trace* GTestFaceTest::healthy_ = nullptr;
Trace* GTestFaceTest::loop_ = nullptr;

TEST_F(GTestFaceTest, TracePassesExplainsWithTheRootCause) {
  EXPECT_TRACE_PASSES(*healthy_, Policy{});
  ::testing::AssertionResult r = TracePasses("stale", "policy", *stale_, Policy{});
  EXPECT_FALSE(r);
  EXPECT_THAT(r.message(), HasSubstr("stale fails its policy"));
  EXPECT_THAT(r.message(),
              HasSubstr("Root cause: stale context at the boundary researcher <- planner."));
  EXPECT_THAT(r.message(), HasSubstr("[unchecked_consumption at writer <- researcher"));
  EXPECT_NONFATAL_FAILURE(EXPECT_TRACE_PASSES(*stale_, Policy{}), "Root cause: stale context");
}

TEST_F(GTestFaceTest, PerPropertyPredicates) {
  EXPECT_PRED_FORMAT2(NoStaleContext, *healthy_, Policy{});
  EXPECT_FALSE(NoStaleContext("t", "p", *stale_, Policy{}));
  EXPECT_PRED_FORMAT2(LoopsAtMost, *loop_, 6);
  ::testing::AssertionResult loops = LoopsAtMost("loop", "3", *loop_, 3);
  EXPECT_FALSE(loops);
  EXPECT_THAT(loops.message(), HasSubstr("handed the work back and forth 6 times"));
  EXPECT_PRED_FORMAT1(EveryConsumptionChecked, *healthy_);
  EXPECT_FALSE(EveryConsumptionChecked("stale", *stale_));
  ::testing::AssertionResult q = HandoffQualityBetween("stale", "\"researcher\"", "\"writer\"",
                                                       "0.7", *stale_, "researcher", "writer", 0.7);
  EXPECT_FALSE(q);
  EXPECT_THAT(q.message(), HasSubstr("scored 0.23 by judge"));
  EXPECT_FALSE(HandoffQualityBetween("h", "a", "b", "q", *healthy_, "nobody", "writer", 0.7));
}

TEST_F(GTestFaceTest, MatchersExplainThemselves) {
  std::vector<Handoff> handoffs = Handoffs(*stale_);
  const Handoff* findings = nullptr;
  for (const Handoff& h : handoffs)
    if (h.from == "researcher" && h.to == "writer") findings = &h;
  ASSERT_NE(findings, nullptr);
  EXPECT_THAT(*findings, Not(HandoffQualityAtLeast(0.7)));
  EXPECT_THAT(Explain(HandoffQualityAtLeast(0.7), *findings), HasSubstr("scored 0.23 by judge"));
  EXPECT_THAT(*findings, Not(Checked()));
  EXPECT_THAT(Explain(Checked(), *findings), HasSubstr("with no check or passing score"));
  EXPECT_THAT(*findings, Understood());
  EXPECT_EQ((Describe<::testing::Matcher<const Handoff&>, Handoff>(HandoffQualityAtLeast(0.7))),
            "is a handoff of quality at least 0.70");

  std::vector<ContextReadInfo> reads = ContextReads(*stale_);
  EXPECT_THAT(reads, Contains(Not(FreshWithin(std::chrono::seconds(5)))));
  EXPECT_THAT(reads, Contains(FreshWithin(std::chrono::seconds(5))));  // The judge's read.
  for (const ContextReadInfo& r : reads) {
    if (r.read->agent == "researcher") {
      EXPECT_THAT(Explain(FreshWithin(std::chrono::seconds(5)), r),
                  HasSubstr("researcher read market_data v6, superseded by v7"));
    }
  }
}

TEST_F(GTestFaceTest, MatchersComposeWithEachAndAllOf) {
  std::vector<Handoff> healthy = Handoffs(*healthy_);
  EXPECT_THAT(healthy, Each(AllOf(Checked(), Understood())));
  EXPECT_THAT(ContextReads(*healthy_), Each(FreshWithin(std::chrono::seconds(1))));
  // Each() over the stale session fails, and says which element and why.
  std::vector<Handoff> stale = Handoffs(*stale_);
  ::testing::Matcher<const std::vector<Handoff>&> each_checked = Each(Checked());
  ::testing::StringMatchResultListener listener;
  EXPECT_FALSE(each_checked.MatchAndExplain(stale, &listener));
  EXPECT_THAT(listener.str(), HasSubstr("whose element #"));
  EXPECT_THAT(listener.str(), HasSubstr("with no check or passing score"));
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(stale, Each(Checked())), "researcher->writer#1");
}

// The three uses of BatonTest.
class ResearchTeamRegressionTest : public BatonTest {
 protected:
  std::string dir_ = testing::FreshTempDir("baton_fixture");
};

// 1. A regression test on a recorded trace: the incident stays diagnosed the same way.
TEST_F(ResearchTeamRegressionTest, RecordedIncidentKeepsItsDiagnosis) {
  ASSERT_TRUE(testing::RecordScenario(Incident::kStaleContext, 1, dir_ + "/incident.baton").ok());
  const Trace& incident = LoadRecording(dir_ + "/incident.baton");
  EXPECT_FALSE(TracePasses("incident", "policy", incident, policy()));
  EXPECT_THAT(ContextReads(incident), Contains(Not(FreshWithin(std::chrono::seconds(5)))));
}

// 2. Replay with a fixed agent: the same code replays cleanly, and a changed writer prompt
//    is caught at the writer's call.
TEST_F(ResearchTeamRegressionTest, ReplayTheAgentsAgainstTheRecording) {
  ASSERT_TRUE(testing::RecordScenario(Incident::kNone, 3, dir_ + "/healthy.baton").ok());
  auto run_team = [](int variant) {
    return [variant](AgentRuntime& rt) -> Status {
      examples::ResearchTeamOptions o;
      o.seed = 3;
      o.prompt_variant = variant;
      auto r = examples::RunResearchTeam(rt, o);
      return r.ok() ? Status::Ok() : r.status();
    };
  };
  RuntimeOptions virtual_time;
  virtual_time.time = TimeSource::kVirtual;
  ReplayRun same = Replay(dir_ + "/healthy.baton", run_team(1), virtual_time);
  EXPECT_TRUE(same.status.ok()) << same.status.ToString();
  EXPECT_TRUE(same.report.matched) << same.report.Render();
  EXPECT_TRACE_PASSES(same.replayed, policy());
  ReplayRun changed =
      Replay(dir_ + "/healthy.baton", run_team(2), virtual_time, ReplayExpectation::kDiverges);
  EXPECT_EQ(changed.status.code(), Status::Code::kDiverged);
  ASSERT_FALSE(changed.report.divergences.empty());
  EXPECT_EQ(changed.report.divergences[0].agent, "writer");
}

// 3. A quality gate: every handoff of the healthy run clears the bar the team set.
TEST_F(ResearchTeamRegressionTest, QualityGate) {
  ASSERT_TRUE(testing::RecordScenario(Incident::kNone, 5, dir_ + "/gate.baton").ok());
  const Trace& t = LoadRecording(dir_ + "/gate.baton");
  mutable_policy().min_quality = 0.75;
  EXPECT_TRACE_PASSES(t, policy());
  int gated = 0;
  for (const Handoff& h : Handoffs(t, policy())) {
    if (h.quality && h.forwarded) {
      EXPECT_THAT(h, HandoffQualityAtLeast(0.75));
      ++gated;
    }
  }
  EXPECT_GT(gated, 0) << "the gate checked no handoff";
}

}  // namespace
}  // namespace baton
