// `baton why --counterfactual`: each finding's repair is planned from the recording alone
// (the freshest version for a stale read, a healthy handoff's answer for a low-quality one,
// the final reply for a retry storm, the reply that left a loop), findings with nothing
// recorded to put in their place say so, and on the incident corpus the verb names the
// single repair that flips the outcome.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "assertions/counterfactual_repairs.h"
#include "tests/testing/fake_openai_server.h"
#include "tests/testing/run_command.h"
#include "tests/testing/sample_events.h"

namespace baton {
namespace {

using baton::testing::FreshTempDir;
using baton::testing::RunCommand;
using baton::testing::RunResult;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kBaton = BATON_BIN;
const std::string kTeam = RESEARCH_TEAM_BIN;
const std::string kCorpora = std::string(BATON_SOURCE_DIR) + "/corpora";
const std::string kJs = std::string(BATON_SOURCE_DIR) + "/tests/js";

// Builds a trace event by event.
class TraceBuilder {
 public:
  uint64_t Add(const std::string& agent, EventBody body) {
    Event e;
    e.seq = events_.size() + 1;
    e.agent = agent;
    e.body = std::move(body);
    events_.push_back(std::move(e));
    return events_.back().seq;
  }
  uint64_t Write(const std::string& key, uint64_t version) {
    return Add("feed", ContextWrite{key, version, Content("v" + std::to_string(version))});
  }
  uint64_t Call(const std::string& agent, const std::string& answer, uint32_t attempt = 1,
                const std::string& error = "") {
    ModelCall c;
    c.call_id = agent + "/model1";
    c.request.messages = {{"user", Content("q"), "", ""}};
    c.response.content = Content(answer);
    c.attempt = attempt;
    c.error = error;
    return Add(agent, c);
  }
  uint64_t Send(const std::string& from, const std::string& to, const std::string& id,
                std::vector<ContextRef> built_on = {}) {
    return Add(from, MessageSend{id, to, "findings", Content("x"), std::move(built_on)});
  }
  Trace Build() { return Trace::FromEvents(baton::testing::SampleHeader(), events_); }

 private:
  std::vector<Event> events_;
};

Finding FindingOf(FindingKind kind, const std::string& from, const std::string& to,
                  std::vector<uint64_t> evidence, double limit = 0) {
  Finding f;
  f.kind = kind;
  f.from = from;
  f.to = to;
  f.evidence = std::move(evidence);
  f.at_seq = f.evidence.back();
  f.limit = limit;
  return f;
}

std::vector<Repair> Plan(const Trace& t, std::vector<Finding> findings) {
  Analysis a;
  a.findings = std::move(findings);
  return PlanRepairs(t, a);
}

TEST(PlanRepairsTest, AStaleReadGetsTheFreshestVersionWrittenBeforeIt) {
  TraceBuilder b;
  b.Write("market", 1);
  b.Write("market", 2);
  b.Write("market", 3);
  const uint64_t read = b.Add("researcher", ContextRead{"market", 2});
  b.Write("market", 4);  // After the read: not what it could have seen.
  const uint64_t send = b.Send("researcher", "writer", "r->w#1", {{"market", 2}});
  const Trace t = b.Build();
  auto repairs = Plan(t, {FindingOf(FindingKind::kStaleContext, "planner", "researcher", {3, read}),
                          // The same stale version, seen where the message was used.
                          FindingOf(FindingKind::kStaleContext, "researcher", "writer", {send})});
  ASSERT_EQ(repairs.size(), 2u);
  ASSERT_TRUE(repairs[0].patch.has_value()) << repairs[0].why_not;
  EXPECT_EQ(repairs[0].patch->recorded_seq, read);
  EXPECT_EQ(repairs[0].patch->context_version, 3u);
  EXPECT_EQ(repairs[0].what, "researcher reads market v3 (the freshest then) instead of v2 at #4");
  ASSERT_TRUE(repairs[1].patch.has_value()) << repairs[1].why_not;
  EXPECT_EQ(repairs[1].patch, repairs[0].patch);
  EXPECT_EQ(repairs[1].same_as, 0u);
}

TEST(PlanRepairsTest, AReadOfTheFreshestVersionHasNoRepair) {
  TraceBuilder b;
  b.Write("market", 1);
  const uint64_t read = b.Add("researcher", ContextRead{"market", 1});
  const Trace t = b.Build();
  auto repairs = Plan(t, {FindingOf(FindingKind::kContextTooOld, "p", "researcher", {read})});
  EXPECT_FALSE(repairs[0].patch.has_value());
  EXPECT_THAT(repairs[0].why_not, HasSubstr("market v1 was the freshest version"));
}

TEST(PlanRepairsTest, ALowQualityHandoffGetsTheAnswerBehindAHealthyOne) {
  TraceBuilder b;
  const uint64_t bad_call = b.Call("researcher", "no results");
  const uint64_t bad = b.Send("researcher", "writer", "r->w#1");
  const uint64_t score = b.Add("judge", Score{bad, "r->w#1", 0.2, "judge", Content("")});
  b.Call("researcher", "failed", 1, "unavailable");  // An error is not an answer.
  const uint64_t good_call = b.Call("researcher", "revenue 3.1B, supply risk");
  b.Call("researcher", "failed again", 2, "unavailable");
  const uint64_t good = b.Send("researcher", "writer", "r->w#2");
  b.Add("judge", Score{good, "r->w#2", 0.9, "judge", Content("")});
  const Trace t = b.Build();
  auto repairs =
      Plan(t, {FindingOf(FindingKind::kLowQuality, "researcher", "writer", {bad, score}, 0.7)});
  ASSERT_TRUE(repairs[0].patch.has_value()) << repairs[0].why_not;
  EXPECT_EQ(repairs[0].patch->recorded_seq, bad_call);
  ASSERT_TRUE(repairs[0].patch->model_response.has_value());
  EXPECT_EQ(repairs[0].patch->model_response->content.text, "revenue 3.1B, supply risk");
  EXPECT_THAT(repairs[0].what, HasSubstr("answer at #" + std::to_string(good_call)));
  EXPECT_THAT(repairs[0].what, HasSubstr("behind r->w#2, scored 0.90"));
  // Above the bar it is not: no counterpart.
  auto strict =
      Plan(t, {FindingOf(FindingKind::kLowQuality, "researcher", "writer", {bad, score}, 0.95)});
  EXPECT_FALSE(strict[0].patch.has_value());
  EXPECT_EQ(strict[0].why_not,
            "no other researcher -> writer handoff (findings) passed 0.95 in the recording");
}

TEST(PlanRepairsTest, ARetryStormGetsTheFinalReplyAtItsFirstAttempt) {
  TraceBuilder b;
  const uint64_t first = b.Call("writer", "", 1, "HTTP 503");
  const uint64_t second = b.Call("writer", "", 2, "HTTP 503");
  const uint64_t last = b.Call("writer", "REPORT: risks", 3);
  const Trace t = b.Build();
  auto repairs =
      Plan(t, {FindingOf(FindingKind::kHiddenLatency, "writer", "writer", {first, second, last})});
  ASSERT_TRUE(repairs[0].patch.has_value()) << repairs[0].why_not;
  EXPECT_EQ(repairs[0].patch->recorded_seq, first);
  EXPECT_EQ(repairs[0].patch->model_response->content.text, "REPORT: risks");
  EXPECT_THAT(repairs[0].what, HasSubstr("with the reply attempt 3 got (#3)"));
  auto none =
      Plan(t, {FindingOf(FindingKind::kHiddenLatency, "writer", "writer", {first, second})});
  EXPECT_FALSE(none[0].patch.has_value());
  EXPECT_THAT(none[0].why_not, HasSubstr("every attempt failed"));
}

TEST(PlanRepairsTest, ALoopGetsTheReplyThatLedOutOfIt) {
  TraceBuilder b;
  std::vector<uint64_t> sends;
  std::vector<uint64_t> replies;
  for (int round = 1; round <= 3; ++round) {
    sends.push_back(b.Send("writer", "reviewer", "w->r#" + std::to_string(round)));
    replies.push_back(b.Call("reviewer", "REVISE " + std::to_string(round)));
    sends.push_back(b.Send("reviewer", "writer", "r->w#" + std::to_string(round)));
  }
  sends.push_back(b.Send("writer", "reviewer", "w->r#4"));
  const uint64_t approve = b.Call("reviewer", "APPROVE");
  b.Send("reviewer", "planner", "r->p#1");
  const Trace t = b.Build();
  auto repairs = Plan(t, {FindingOf(FindingKind::kLoop, "writer", "reviewer", sends, 2)});
  ASSERT_TRUE(repairs[0].patch.has_value()) << repairs[0].why_not;
  EXPECT_EQ(repairs[0].patch->recorded_seq, replies[1]);  // The second send back: the bound.
  EXPECT_EQ(repairs[0].patch->model_response->content.text, "APPROVE");
  EXPECT_THAT(repairs[0].what, HasSubstr("its reply at #" + std::to_string(approve) +
                                         " (which led out of the loop, to planner)"));
}

TEST(PlanRepairsTest, WhatTheProgramDidItselfHasNothingToPutInItsPlace) {
  TraceBuilder b;
  const uint64_t send = b.Send("planner", "writer", "p->w#1");
  const Trace t = b.Build();
  for (FindingKind k : {FindingKind::kMisunderstood, FindingKind::kUncheckedConsumption,
                        FindingKind::kUnprocessed, FindingKind::kUndelivered}) {
    auto repairs = Plan(t, {FindingOf(k, "planner", "writer", {send})});
    EXPECT_FALSE(repairs[0].patch.has_value()) << FindingKindName(k);
    EXPECT_THAT(repairs[0].why_not, HasSubstr("not a served answer")) << FindingKindName(k);
  }
}

// --- the verb on the incident corpus ------------------------------------------------------

RunResult Counterfactual(const std::string& name, const std::string& incident,
                         const std::string& extra = "") {
  return RunCommand(kBaton + " why --counterfactual " + extra + kCorpora + "/" + name +
                    ".baton -- " + kTeam + " --incident " + incident + " --seed 1 --quiet");
}

TEST(WhyCounterfactualCliTest, TheFreshReadFlipsTheStaleContextOutcome) {
  const std::string dir = FreshTempDir("counterfactual");
  RunResult r = Counterfactual("stale_context", "stale_context", "--keep " + dir + " ");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("repair: researcher reads market_data v7 (the freshest then) "
                               "instead of v6"));
  EXPECT_THAT(r.out, HasSubstr("the same repair as [1]"));
  EXPECT_THAT(r.out, HasSubstr("the failed outcome is attributable to stale context at "
                               "researcher <- planner: repairing it alone makes the outcome "
                               "succeed"));
  EXPECT_THAT(r.out, HasSubstr("It agrees with the root cause above"));
  // The repaired run is a recording of its own, and reads the fresh version.
  RunResult reads = RunCommand(kBaton + " cat " + dir + "/repair-1.baton --kind context_read");
  EXPECT_THAT(reads.out, HasSubstr("\"agent\":\"researcher\""));
  EXPECT_THAT(reads.out, HasSubstr("\"version\":7"));
  EXPECT_THAT(RunCommand(kBaton + " inspect " + dir + "/repair-1.baton").out,
              HasSubstr("counterfactual_of=research-team-seed-1"));
}

TEST(WhyCounterfactualCliTest, TheReplyBeforeTheRetryStormMakesTheSessionPass) {
  RunResult r = Counterfactual("retry_storm", "retry_storm");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("answered at its first attempt"));
  EXPECT_THAT(r.out, HasSubstr("PASS (outcome success, 0 finding(s)): the session passes"));
  EXPECT_THAT(r.out, HasSubstr("the failure is attributable to a retry storm"));
}

TEST(WhyCounterfactualCliTest, ALostMessageHasNoRepairAndSaysSo) {
  RunResult r = Counterfactual("lost_message", "lost_message");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("no repair: the lost message is the program's own handling"));
  EXPECT_THAT(r.out, HasSubstr("no finding has a counterpart in the recording"));
}

TEST(WhyCounterfactualCliTest, ARepairThatChangesNothingSaysTheVerdictStands) {
  // The reviewer never approves: the reply that left the loop (forced by the bound) is
  // another rejection, and the loop goes on.
  RunResult r = Counterfactual("unbounded_loop", "unbounded_loop");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("(which led out of the loop, to planner)"));
  EXPECT_THAT(r.out, HasSubstr("still fails"));
  EXPECT_THAT(r.out, HasSubstr("no single repair flips the verdict (1 tried)"));
}

TEST(WhyCounterfactualCliTest, APassingSessionHasNothingToRepair) {
  RunResult r = Counterfactual("healthy_seed2", "none");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("the session passes; there is nothing to repair"));
}

// Any program, through the proxy: the official openai SDK met two 503s and retried; served
// the final reply at its first attempt, it makes one call and the session passes.
TEST(WhyCounterfactualCliTest, AProgramThroughTheProxyIsRepairedToo) {
  ASSERT_EQ(RunCommand("test -d " + kJs + "/node_modules/openai").exit_code, 0)
      << "scripts/install-deps installs the pinned SDKs (npm ci in tests/js)";
  const std::string dir = FreshTempDir("counterfactual_proxy");
  baton::testing::FakeOpenAiServer upstream;
  upstream.Enqueue({200,
                    baton::testing::FakeOpenAiServer::CompletionBody("compounding"),
                    {},
                    std::chrono::milliseconds(0)});
  const std::string program = " -- node " + kJs + "/openai_retry.mjs";
  RunResult rec = RunCommand(
      "OPENAI_API_KEY=sk-test " + kBaton + " record -o " + dir +
      "/r.baton --faults 503@1,503@2 --upstream openai=" + upstream.base_url() + program);
  ASSERT_EQ(rec.exit_code, 0) << rec.out << rec.err;
  ASSERT_THAT(rec.out, HasSubstr("(attempts 3)"));
  RunResult r = RunCommand("OPENAI_API_KEY=sk-test " + kBaton + " why --counterfactual --keep " +
                           dir + "/kept " + dir + "/r.baton" + program);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("answered at its first attempt (#1) with the reply attempt 3 got"));
  EXPECT_THAT(r.out, HasSubstr("the session passes"));
  EXPECT_THAT(r.out, HasSubstr("the failure is attributable to a retry storm"));
  EXPECT_EQ(upstream.received().size(), 1u);  // The repaired run never went upstream.
  RunResult cat = RunCommand(kBaton + " cat " + dir + "/kept/repair-1.baton --kind model_call");
  EXPECT_THAT(cat.out, HasSubstr("compounding"));
  EXPECT_THAT(cat.out, Not(HasSubstr("\"attempt\":2")));
  // Without the key the SDK refuses to start: the verb says what the program said.
  RunResult no_key = RunCommand("env -u OPENAI_API_KEY " + kBaton + " why --counterfactual " + dir +
                                "/r.baton" + program);
  EXPECT_THAT(no_key.out, HasSubstr("left no session"));
  EXPECT_THAT(no_key.out, HasSubstr("the program said: "));
}

TEST(WhyCounterfactualCliTest, BadRequestsExitTwo) {
  const std::string file = kCorpora + "/stale_context.baton";
  struct Case {
    std::string args;
    const char* says;
  };
  const Case cases[] = {
      {"--counterfactual " + file, "give it after --"},
      {"--counterfactual --json " + file + " -- " + kTeam, "text only"},
      {file + " -- " + kTeam, "only with --counterfactual"},
      {"--counterfactual " + kCorpora + "/missing.baton -- " + kTeam, "missing.baton"},
  };
  for (const Case& c : cases) {
    RunResult r = RunCommand(kBaton + " why " + c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.out << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.says)) << c.args;
  }
}

}  // namespace
}  // namespace baton
