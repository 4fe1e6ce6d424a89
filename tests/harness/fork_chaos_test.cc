// What if: `baton fork` (a recorded call answered otherwise, the rest served or live),
// `baton replay --chaos` (perturbed replays that find fault-dependent failures) and the
// proxy's `--faults`; the overrides file and the fault spec they are built from, bad input
// included; the real openai SDK's retries against injected 429s and 503s.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>

#include "harness/proxy/fault_plan.h"
#include "replayer/replay_overrides.h"
#include "replayer/replay_session.h"
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
const std::string kJs = std::string(BATON_SOURCE_DIR) + "/tests/js";

// --- the overrides file -----------------------------------------------------------------

ReplayOverrides SampleOverrides() {
  ReplayOverrides o;
  ReplayPatch model;
  model.recorded_seq = 22;
  ModelResponse r;
  r.content = Content("revenue 3.1B \"quoted\" </script>");
  r.tool_calls.push_back({"c1", "search", Content("{\"q\":1}")});
  r.finish_reason = "stop";
  r.usage = {3, 4, 7};
  model.model_response = r;
  ReplayPatch tool;
  tool.recorded_seq = 21;
  tool.tool_result = "[]";
  ReplayPatch read;
  read.recorded_seq = 12;
  read.context_version = 7;
  o.patches = {model, tool, read};
  o.after_patch = AfterPatch::kLive;
  o.faults = {{"writer", 2, FaultKind::kStreamCut}, {"judge", 1, FaultKind::kRateLimited}};
  o.latency = {0.5, 2.0, 9};
  o.delivery_order.seed = 4;
  return o;
}

TEST(ReplayOverridesTest, RoundTripsThroughItsJson) {
  ReplayOverrides o = SampleOverrides();
  auto parsed = ParseReplayOverrides(ReplayOverridesToJson(o), "t.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(*parsed, o);
  auto empty = ParseReplayOverrides("{}", "t.json");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

// Found by replay_overrides_fuzz: names with bytes that are not UTF-8, and control
// characters, write back to what they read.
TEST(ReplayOverridesTest, TextThatIsNotUtf8WritesBackToWhatItReads) {
  const std::string doc =
      "{\"faults\": [{\"agent\": \"writer'\x9a\x9a\x8d\x9a\x0f\x0f\x9ajudge\", \"call\": 1, "
      "\"kind\": \"rate_limited\"}]}";
  auto first = ParseReplayOverrides(doc, "t.json");
  ASSERT_TRUE(first.ok()) << first.status().message();
  const std::string json = ReplayOverridesToJson(*first);
  auto again = ParseReplayOverrides(json, "again");
  ASSERT_TRUE(again.ok()) << again.status().message() << "\n" << json;
  EXPECT_EQ(ReplayOverridesToJson(*again), json);
}

TEST(ReplayOverridesTest, BadInputIsAnErrorNamingTheField) {
  struct Case {
    const char* json;
    const char* says;
  };
  const Case cases[] = {
      {"", "t.json"},
      {"{\"patches\": [", "t.json"},
      {"[]", "the document"},
      {"{\"patchez\": []}", "patchez: unknown field"},
      {"{\"patches\": [{\"seq\": 0, \"result\": \"x\"}]}", "patches[0].seq"},
      {"{\"patches\": [{\"seq\": 1.5, \"result\": \"x\"}]}", "patches[0].seq"},
      {"{\"patches\": [{\"seq\": -3, \"result\": \"x\"}]}", "patches[0].seq"},
      {"{\"patches\": [{\"seq\": \"7\", \"result\": \"x\"}]}", "patches[0].seq"},
      {"{\"patches\": [{\"result\": \"x\"}]}", "patches[0]: no seq"},
      {"{\"patches\": [{\"seq\": 2}]}", "give one of a response"},
      {"{\"patches\": [{\"seq\": 2, \"result\": \"x\", \"response\": {}}]}", "give one of"},
      {"{\"patches\": [{\"seq\": 2, \"result\": \"x\", \"version\": 3}]}", "give one of"},
      {"{\"patches\": [{\"seq\": 2, \"version\": 0}]}", "patches[0].version"},
      {"{\"delivery_order\": {\"seed\": 0}}", "delivery_order.seed"},
      {"{\"delivery_order\": {\"sed\": 1}}", "delivery_order.sed: unknown field"},
      {"{\"delivery_order\": 3}", "delivery_order: expected an object"},
      {"{\"patches\": [{\"seq\": 2, \"response\": {\"contents\": \"x\"}}]}",
       "patches[0].response.contents: unknown field"},
      {"{\"patches\": [{\"seq\": 2, \"response\": {\"tool_calls\": [{\"nom\": 1}]}}]}",
       "patches[0].response.tool_calls[0].nom"},
      {"{\"after_patch\": \"later\"}", "after_patch"},
      {"{\"faults\": [{\"call\": 1}]}", "faults[0]: no agent"},
      {"{\"faults\": [{\"agent\": \"w\", \"kind\": \"meteor\"}]}", "faults[0].kind"},
      {"{\"faults\": [{\"agent\": \"w\", \"call\": 0}]}", "faults[0].call"},
      {"{\"latency\": {\"min\": 2, \"max\": 1, \"seed\": 1}}", "min is above max"},
      {"{\"latency\": {\"min\": -1, \"seed\": 1}}", "latency.min"},
      {"{\"latency\": {\"speed\": 1}}", "latency.speed"},
  };
  for (const Case& c : cases) {
    auto r = ParseReplayOverrides(c.json, "t.json");
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_THAT(r.status().message(), HasSubstr(c.says)) << c.json;
  }
}

// --- patches and faults in a replay -----------------------------------------------------

Trace ThreeCalls() {
  std::vector<Event> events;
  MessageList history{{"user", "q1", "", ""}};
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    events.push_back(
        baton::testing::ConversationCall(seq, "a", history, "answer " + std::to_string(seq)));
    history.push_back({"assistant", "answer " + std::to_string(seq), "", ""});
    history.push_back({"user", "q" + std::to_string(seq + 1), "", ""});
  }
  return Trace::FromEvents(baton::testing::SampleHeader(), std::move(events));
}

// The live request of recorded call `seq`: the same request, no answer.
Event LiveOf(const Trace& t, uint64_t seq) {
  Event live;
  live.agent = t.BySeq(seq)->agent;
  ModelCall& call = live.body.emplace<ModelCall>();
  call.request = t.BySeq(seq)->As<ModelCall>()->request;
  return live;
}

TEST(ReplayOverridesTest, APatchAnswersItsCallAndLiveAfterSendsTheRestLive) {
  Trace t = ThreeCalls();
  ReplayOptions o;
  o.mode = ReplayMode::kReplayOrRecord;
  ReplayPatch p;
  p.recorded_seq = 2;
  ModelResponse r;
  r.content = Content("patched");
  p.model_response = r;
  o.overrides.patches = {p};
  o.overrides.after_patch = AfterPatch::kLive;
  auto session = ReplaySession::FromTrace(t, o);
  ASSERT_TRUE(session.ok()) << session.status().message();
  auto first = (*session)->Serve(LiveOf(t, 1));
  ASSERT_TRUE(first.ok() && *first != nullptr);
  EXPECT_EQ((*first)->As<ModelCall>()->response.content.text, "answer 1");
  auto second = (*session)->Serve(LiveOf(t, 2));
  ASSERT_TRUE(second.ok() && *second != nullptr);
  EXPECT_EQ((*second)->As<ModelCall>()->response.content.text, "patched");
  EXPECT_TRUE((*second)->As<ModelCall>()->http.api.empty());  // Answered in the live shape.
  auto third = (*session)->Serve(LiveOf(t, 3));
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(*third, nullptr);  // Live: after the patch.
  ReplayReport report = (*session)->Report();
  EXPECT_EQ(report.patched, std::vector<uint64_t>{2});
  EXPECT_EQ(report.served_live, 1u);
  EXPECT_TRUE(report.matched);
}

TEST(ReplayOverridesTest, AFaultIsServedOnceThenTheRecordedAnswer) {
  Trace t = ThreeCalls();
  ReplayOptions o;
  o.overrides.faults = {{"a", 2, FaultKind::kRateLimited}};
  auto session = ReplaySession::FromTrace(t, o);
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE((*session)->Serve(LiveOf(t, 1)).ok());
  auto fault = (*session)->Serve(LiveOf(t, 2));
  ASSERT_TRUE(fault.ok() && *fault != nullptr);
  const ModelCall* failed = (*fault)->As<ModelCall>();
  EXPECT_EQ(failed->http.status, 429u);
  EXPECT_EQ(failed->error_code, CallErrorCode::kUnavailable);
  EXPECT_THAT(failed->error, HasSubstr("429"));
  auto retry = (*session)->Serve(LiveOf(t, 2));
  ASSERT_TRUE(retry.ok() && *retry != nullptr);
  EXPECT_EQ((*retry)->As<ModelCall>()->response.content.text, "answer 2");
  ASSERT_TRUE((*session)->Serve(LiveOf(t, 3)).ok());
  ReplayReport report = (*session)->Report();
  ASSERT_EQ(report.faults.size(), 1u);
  EXPECT_THAT(report.faults[0], HasSubstr("rate_limited"));
  EXPECT_TRUE(report.matched);
}

// A tool error fails the agent's nth tool call once, in place of its result; its model
// calls and its other tool calls are served as recorded.
TEST(ReplayOverridesTest, AToolErrorFailsTheNamedToolCallOnce) {
  std::vector<Event> events;
  for (uint64_t seq = 1; seq <= 2; ++seq) {
    Event e;
    e.seq = seq;
    e.agent = "a";
    ToolCall call;
    call.call_id = "a/tool" + std::to_string(seq);
    call.tool = "search";
    call.arguments = Content("{}");
    call.result = Content("result " + std::to_string(seq));
    e.body = std::move(call);
    events.push_back(std::move(e));
  }
  Trace t = Trace::FromEvents(baton::testing::SampleHeader(), std::move(events));
  ReplayOptions o;
  o.overrides.faults = {{"a", 2, FaultKind::kToolError}, {"a", 1, FaultKind::kRateLimited}};
  auto session = ReplaySession::FromTrace(t, o);
  ASSERT_TRUE(session.ok()) << session.status().message();
  Event live;
  live.agent = "a";
  ToolCall asked;
  asked.tool = "search";
  asked.arguments = Content("{}");
  live.body = std::move(asked);
  auto first = (*session)->Serve(live);
  ASSERT_TRUE(first.ok() && *first != nullptr);
  EXPECT_EQ((*first)->As<ToolCall>()->result.text, "result 1");  // A model fault: not this.
  auto failed = (*session)->Serve(live);
  ASSERT_TRUE(failed.ok() && *failed != nullptr);
  EXPECT_EQ((*failed)->As<ToolCall>()->error, "the tool failed (injected by baton)");
  EXPECT_EQ((*failed)->As<ToolCall>()->error_code, CallErrorCode::kUnavailable);
  auto again = (*session)->Serve(live);
  ASSERT_TRUE(again.ok() && *again != nullptr);
  EXPECT_EQ((*again)->As<ToolCall>()->result.text, "result 2");
  EXPECT_THAT((*session)->Report().faults, ::testing::ElementsAre(HasSubstr("tool_error")));
}

TEST(ReplayOverridesTest, APatchMustNameACallOfItsKind) {
  Trace t = ThreeCalls();
  ReplayOptions o;
  ReplayPatch p;
  p.recorded_seq = 99;
  p.tool_result = "x";
  o.overrides.patches = {p};
  auto missing = ReplaySession::FromTrace(t, o);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("no event #99"));
  o.overrides.patches[0].recorded_seq = 1;
  auto wrong = ReplaySession::FromTrace(t, o);
  ASSERT_FALSE(wrong.ok());
  EXPECT_THAT(wrong.status().message(), HasSubstr("a tool result, but #1 is a model_call"));
}

// The counterfactual "had the reader seen the fresh version": a read patched to another
// version of its key is answered with it; the patch must name a read, and a version the
// recording wrote.
TEST(ReplayOverridesTest, AReadPatchServesAnotherVersionOfItsKey) {
  std::vector<Event> events;
  for (uint64_t v = 1; v <= 3; ++v) {
    Event w;
    w.seq = v;
    w.agent = "feed";
    w.body = ContextWrite{"market", v, Content("v" + std::to_string(v))};
    events.push_back(std::move(w));
  }
  Event read;
  read.seq = 4;
  read.agent = "researcher";
  read.body = ContextRead{"market", 2};
  events.push_back(std::move(read));
  const Trace t = Trace::FromEvents(baton::testing::SampleHeader(), std::move(events));
  ReplayOptions o;
  o.mode = ReplayMode::kReplayOrRecord;
  auto plain = ReplaySession::FromTrace(t, o);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ((*plain)->ExpectedReadVersion("researcher", "market").value(), 2u);
  ReplayPatch p;
  p.recorded_seq = 4;
  p.context_version = 3;
  o.overrides.patches = {p};
  auto patched = ReplaySession::FromTrace(t, o);
  ASSERT_TRUE(patched.ok()) << patched.status().message();
  EXPECT_EQ((*patched)->ExpectedReadVersion("researcher", "market").value(), 3u);
  EXPECT_THAT((*patched)->Report().patched, ::testing::ElementsAre(4u));
  o.overrides.patches[0].context_version = 9;
  auto unwritten = ReplaySession::FromTrace(t, o);
  ASSERT_FALSE(unwritten.ok());
  EXPECT_THAT(unwritten.status().message(), HasSubstr("the recording never wrote market v9"));
  o.overrides.patches[0].recorded_seq = 2;
  auto not_a_read = ReplaySession::FromTrace(t, o);
  ASSERT_FALSE(not_a_read.ok());
  EXPECT_THAT(not_a_read.status().message(),
              HasSubstr("a context version, but #2 is a context_write"));
}

TEST(ReplayOverridesTest, LatencyJitterScalesEachCallByItsOwnSeededFactor) {
  Trace t = ThreeCalls();
  ReplayOptions o;
  o.overrides.latency = {0.25, 4.0, 11};
  auto session = ReplaySession::FromTrace(t, o);
  ASSERT_TRUE(session.ok());
  std::set<int64_t> latencies;
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    auto served = (*session)->Serve(LiveOf(t, seq));
    ASSERT_TRUE(served.ok() && *served != nullptr);
    const int64_t recorded = t.BySeq(seq)->As<ModelCall>()->latency_ns;
    const int64_t now = (*served)->As<ModelCall>()->latency_ns;
    const double f = o.overrides.latency.FactorOf(seq);
    EXPECT_GE(f, 0.25);
    EXPECT_LE(f, 4.0);
    EXPECT_EQ(now, static_cast<int64_t>(static_cast<double>(recorded) * f));
    latencies.insert(now);
  }
  EXPECT_EQ(o.overrides.latency.FactorOf(2), LatencyJitter({0.25, 4.0, 11}).FactorOf(2));
  EXPECT_NE(o.overrides.latency.FactorOf(2), LatencyJitter({0.25, 4.0, 12}).FactorOf(2));
}

TEST(FaultAnswerTest, EachKindFailsTheWayItsNameSays) {
  ModelCall recorded;
  recorded.response.chunks = {{1, "a"}, {2, "b"}, {3, "c"}, {4, "d"}};
  recorded.http.status = 200;
  recorded.latency_ns = 100;
  ModelCall rate = FaultAnswer({"w", 1, FaultKind::kRateLimited}, recorded);
  EXPECT_EQ(rate.http.status, 429u);
  EXPECT_THAT(rate.http.response_headers, ::testing::Contains(KeyValue{"Retry-After", "1"}));
  ModelCall server = FaultAnswer({"w", 1, FaultKind::kServerError}, recorded);
  EXPECT_EQ(server.http.status, 503u);
  ModelCall timeout = FaultAnswer({"w", 1, FaultKind::kTimeout}, recorded);
  EXPECT_EQ(timeout.error_code, CallErrorCode::kDeadlineExceeded);
  ModelCall cut = FaultAnswer({"w", 1, FaultKind::kStreamCut}, recorded);
  EXPECT_TRUE(cut.http.stream_cut);
  EXPECT_EQ(cut.response.chunks.size(), 2u);  // Half the frames.
  for (const ModelCall& c : {rate, server, timeout, cut}) EXPECT_FALSE(c.error.empty());
}

// --- the proxy's fault spec -------------------------------------------------------------

TEST(FaultPlanTest, ParsesTheSpecAndFaultsTheNamedRequests) {
  auto plan = proxy::FaultPlan::Parse("429@2,503@writer:1,timeout@writer:3");
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->Next("planner"), std::nullopt);             // Request 1.
  EXPECT_EQ(plan->Next("planner"), FaultKind::kRateLimited);  // Request 2.
  EXPECT_EQ(plan->Next("writer"), FaultKind::kServerError);   // writer's 1st.
  EXPECT_EQ(plan->Next("writer"), std::nullopt);              // Its retry goes through.
  EXPECT_EQ(plan->Next("writer"), FaultKind::kTimeout);       // writer's 3rd.
  EXPECT_EQ(plan->Next("writer"), std::nullopt);
}

TEST(FaultPlanTest, ProbabilitiesAreDrawnFromTheSeed) {
  auto draws = [](const std::string& spec) {
    auto plan = proxy::FaultPlan::Parse(spec);
    EXPECT_TRUE(plan.ok()) << plan.status().message();
    std::string out;
    for (int i = 0; i < 64; ++i) out += plan->Next("a") ? 'x' : '.';
    return out;
  };
  EXPECT_EQ(draws("cut%0.5,seed=7"), draws("cut%0.5,seed=7"));
  EXPECT_NE(draws("cut%0.5,seed=7"), draws("cut%0.5,seed=8"));
  EXPECT_EQ(draws("cut%1"), std::string(64, 'x'));
  std::string half = draws("503%0.5,seed=3");
  size_t faults = std::count(half.begin(), half.end(), 'x');
  EXPECT_GT(faults, 10u);
  EXPECT_LT(faults, 54u);
}

TEST(FaultPlanTest, BadSpecsSayWhatIsWrong) {
  for (const char* bad : {"429", "meteor@1", "429@0", "429@-1", "429@x", "503@:1", "cut%0",
                          "cut%1.5", "cut%abc", "seed=0", "seed=x", "429@1,,503@2", "@1"}) {
    auto plan = proxy::FaultPlan::Parse(bad);
    ASSERT_FALSE(plan.ok()) << bad;
    EXPECT_THAT(plan.status().message(), HasSubstr("--faults")) << bad;
  }
  EXPECT_TRUE(proxy::FaultPlan::Parse("").ok());
  EXPECT_TRUE(proxy::FaultPlan::Parse("")->empty());
}

// --- the verbs, on the research team --------------------------------------------------------

class ForkCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTempDir("fork_cli");
    RunResult r = RunCommand("BATON_RECORD=" + dir_ + "/rec.baton " + kTeam +
                             " --incident stale_context --seed 1 --quiet");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::string dir_;
};

// The researcher's first answer, built on stale market data: what if it had used v7?
TEST_F(ForkCliTest, FixingTheStaleAnswerMakesTheOutcomeSucceed) {
  RunResult cat = RunCommand(kBaton + " cat " + dir_ + "/rec.baton --kind context_write");
  std::smatch latest;
  ASSERT_TRUE(std::regex_search(cat.out, latest, std::regex("revised: (revenue [^,]+)")));
  RunResult r = RunCommand(kBaton + " fork " + dir_ + "/rec.baton --call researcher:1 " +
                           "--patch-text 'FINDINGS: ACME Q3 revised: " + latest[1].str() +
                           ", growth -8%.' -o " + dir_ + "/fork.baton -- " + kTeam +
                           " --incident stale_context --seed 1 --quiet");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("recording: FAIL (outcome failure"));
  EXPECT_THAT(r.out, HasSubstr("fork:      FAIL (outcome success"));
  EXPECT_THAT(r.out, HasSubstr("the outcome succeeds: the failure is attributable to that answer"));
  EXPECT_THAT(r.out, HasSubstr("replaced live: #"));
  RunResult inspect = RunCommand(kBaton + " inspect " + dir_ + "/fork.baton");
  EXPECT_THAT(inspect.out, HasSubstr("forked_from=research-team-seed-1"));
  std::smatch at;
  ASSERT_TRUE(std::regex_search(r.out, at, std::regex("at #(\\d+) researcher model_call")));
  EXPECT_THAT(inspect.out, HasSubstr("forked_at=" + at[1].str()));
  // The patched answer is in the fork, as the model's answer to that call.
  RunResult patched = RunCommand(kBaton + " cat " + dir_ + "/fork.baton --seq " + at[1].str());
  EXPECT_THAT(patched.out, HasSubstr("FINDINGS: ACME Q3 revised: " + latest[1].str()));
}

TEST_F(ForkCliTest, AnAnswerThatChangesNothingDownstreamStillFails) {
  // The researcher's answer as recorded, given as a patch file: the fork is the recording.
  RunResult cat = RunCommand(kBaton + " cat " + dir_ + "/rec.baton --kind model_call");
  std::smatch content;
  ASSERT_TRUE(std::regex_search(cat.out, content,
                                std::regex("\"agent\":\"researcher\".*?\"response\":\\{\"content\":"
                                           "(\"(?:[^\"\\\\]|\\\\.)*\")")));
  std::ofstream(dir_ + "/same.json")
      << "{\"content\": " << content[1].str() << ", \"finish_reason\": \"stop\"}";
  RunResult r = RunCommand(kBaton + " fork " + dir_ + "/rec.baton --call researcher:1 --patch " +
                           dir_ + "/same.json -o " + dir_ + "/same.baton -- " + kTeam +
                           " --incident stale_context --seed 1 --quiet");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("the outcome still fails"));
  EXPECT_THAT(r.out, HasSubstr("0 went live"));
}

TEST_F(ForkCliTest, BadRequestsExitTwo) {
  const std::string base = kBaton + " fork " + dir_ + "/rec.baton ";
  const std::string tail = " -o " + dir_ + "/f.baton -- " + kTeam + " --seed 1 --quiet";
  struct Case {
    std::string args;
    const char* says;
  };
  const Case cases[] = {
      {"--call researcher:9 --patch-text x", "made 1 model call(s)"},
      {"--call researcher --patch-text x", "expected AGENT:N"},
      {"--event 1 --patch-text x", "is a context_write"},
      {"--event 9999 --patch-text x", "no such event"},
      {"--call researcher:1", "--patch FILE"},
      {"--patch-text x", "--call AGENT:N or --event SEQ"},
      {"--call researcher:1 --patch " + dir_ + "/missing.json", "missing.json"},
  };
  for (const Case& c : cases) {
    RunResult r = RunCommand(base + c.args + tail);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.out << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.says)) << c.args;
  }
  std::ofstream(dir_ + "/bad.json") << "{\"content\": 3}";
  RunResult bad = RunCommand(base + "--call researcher:1 --patch " + dir_ + "/bad.json" + tail);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("content: expected a string"));
}

TEST_F(ForkCliTest, ThenReplayRequiresTheRestToMatch) {
  RunResult r =
      RunCommand(kBaton + " fork " + dir_ + "/rec.baton --call researcher:1 " +
                 "--patch-text 'FINDINGS: nothing.' --then replay -o " + dir_ +
                 "/strict.baton -- " + kTeam + " --incident stale_context --seed 1 --quiet");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("first divergence downstream"));
}

TEST(ChaosCliTest, FindsFaultDependentFailuresAndEachReplaysExactly) {
  const std::string dir = FreshTempDir("chaos_cli");
  ASSERT_EQ(
      RunCommand("BATON_RECORD=" + dir + "/rec.baton " + kTeam + " --seed 3 --quiet").exit_code, 0);
  const std::string program = " -- " + kTeam + " --seed 3 --quiet";
  RunResult chaos = RunCommand(kBaton + " replay --chaos 30 " + dir + "/rec.baton" + program);
  EXPECT_EQ(chaos.exit_code, 1) << chaos.out << chaos.err;
  EXPECT_THAT(chaos.out, HasSubstr("chaos: 30 replays"));
  EXPECT_THAT(chaos.out, HasSubstr("the recording itself: PASS"));
  // The same runs again: the same failures (each run's perturbation comes from its seed).
  EXPECT_EQ(RunCommand(kBaton + " replay --chaos 30 " + dir + "/rec.baton" + program).out,
            chaos.out);
  // Every failure's command replays that run, to the same failure.
  std::regex found("\\[\\d+\\] (.*) \\(\\d+ of 30 runs\\)\\n  first at seed (\\d+)");
  size_t failures = 0;
  for (std::sregex_iterator it(chaos.out.begin(), chaos.out.end(), found), end; it != end; ++it) {
    ++failures;
    const std::string key = (*it)[1].str(), seed = (*it)[2].str();
    RunResult one = RunCommand(kBaton + " replay --chaos-seed " + seed + " --chaos-keep " + dir +
                               "/kept " + dir + "/rec.baton" + program);
    EXPECT_EQ(one.exit_code, 1) << one.out << one.err;
    EXPECT_THAT(one.out, HasSubstr("FAIL (" + key + ")")) << "seed " << seed;
    RunResult why = RunCommand(kBaton + " why " + dir + "/kept/chaos-" + seed + ".baton");
    EXPECT_NE(why.exit_code, 2) << why.err;
    EXPECT_THAT(RunCommand(kBaton + " inspect " + dir + "/kept/chaos-" + seed + ".baton").out,
                HasSubstr("chaos_seed=" + seed));
  }
  EXPECT_GT(failures, 0u) << chaos.out;
}

// Chaos also fails tools: a search that errors stops the researcher, and the run says so.
TEST(ChaosCliTest, ToolErrorsAreAmongTheFaults) {
  const std::string file = std::string(BATON_SOURCE_DIR) + "/corpora/order_race.baton";
  RunResult chaos = RunCommand(kBaton + " replay --chaos 20 --perturb faults " + file + " -- " +
                               kTeam + " --incident order_race --seed 1 --quiet");
  EXPECT_EQ(chaos.exit_code, 1) << chaos.out << chaos.err;
  EXPECT_THAT(chaos.out, HasSubstr("tool_error on researcher's tool call 1"));
  EXPECT_THAT(chaos.out, HasSubstr("the program said: research_team: unavailable: the tool failed "
                                   "(injected by baton)"));
}

// The official openai SDK against injected failures: it retries a 429 (after Retry-After)
// and a 503, the upstream sees only the requests that got through, and the recording shows
// the failed attempt and the retry.
TEST(ProxyFaultsTest, TheOpenAiSdkRetriesInjectedFailures) {
  ASSERT_EQ(RunCommand("test -d " + kJs + "/node_modules/openai").exit_code, 0)
      << "scripts/install-deps installs the pinned SDKs (npm ci in tests/js)";
  const std::string dir = FreshTempDir("proxy_faults");
  for (const char* spec : {"429@1", "503@agent-1:1"}) {
    baton::testing::FakeOpenAiServer upstream;
    upstream.Enqueue(
        {200,
         R"({"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"compounding"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}})",
         {},
         std::chrono::milliseconds(0)});
    const std::string rec = dir + "/" + std::string(spec).substr(0, 3) + ".baton";
    RunResult r = RunCommand("OPENAI_API_KEY=sk-test " + kBaton + " record -o " + rec +
                             " --faults " + spec + " --upstream openai=" + upstream.base_url() +
                             " -- node " + kJs + "/openai_retry.mjs");
    ASSERT_EQ(r.exit_code, 0) << spec << "\n" << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("answer: compounding (attempts 2)")) << spec;
    EXPECT_EQ(upstream.received().size(), 1u) << spec;
    RunResult cat = RunCommand(kBaton + " cat " + rec);
    EXPECT_THAT(cat.out, HasSubstr("\"attempt\":1"));
    EXPECT_THAT(cat.out, HasSubstr("\"attempt\":2"));
    EXPECT_THAT(cat.out, HasSubstr("\"kind\":\"retry\""));
    EXPECT_THAT(cat.out, HasSubstr(std::string("HTTP ") + std::string(spec).substr(0, 3)));
  }
  RunResult bad = RunCommand(kBaton + " record -o " + dir + "/x.baton --faults 429@0 -- true");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--faults"));
}

// A fork through the proxy: the SDK's streamed call answered with the patch, in the stream
// shape the SDK asked for.
TEST(ProxyForkTest, APatchedStreamedAnswerReachesTheSdk) {
  ASSERT_EQ(RunCommand("test -d " + kJs + "/node_modules/openai").exit_code, 0);
  const std::string dir = FreshTempDir("proxy_fork");
  const std::string rec = dir + "/rec.baton";
  {
    baton::testing::FakeOpenAiServer upstream;
    upstream.Enqueue(
        {200,
         R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_h1","type":"function","function":{"name":"transfer_to_researcher","arguments":"{\"task\":\"EU market\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":30,"completion_tokens":9,"total_tokens":39}})",
         {},
         std::chrono::milliseconds(0)});
    upstream.Enqueue(
        {200,
         "",
         {R"({"id":"c2","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"Growth is 2%."},"finish_reason":"stop"}]})",
          "[DONE]"},
         std::chrono::milliseconds(0)});
    RunResult r = RunCommand("OPENAI_API_KEY=sk-test CHAT_ONLY=1 " + kBaton + " record -o " + rec +
                             " --upstream openai=" + upstream.base_url() + " -- node " + kJs +
                             "/openai_chat.mjs");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  RunResult calls = RunCommand(kBaton + " cat " + rec + " --kind model_call");
  std::smatch last;
  std::string::const_iterator from = calls.out.cbegin();
  std::string seq;
  for (std::smatch m; std::regex_search(from, calls.out.cend(), m, std::regex("\"seq\":(\\d+)"));
       from = m.suffix().first)
    seq = m[1].str();
  ASSERT_FALSE(seq.empty());
  // No upstream now: the first call is served, the patched one answered from the patch.
  RunResult fork = RunCommand("OPENAI_API_KEY=sk-test CHAT_ONLY=1 " + kBaton + " fork " + rec +
                              " --event " + seq + " --patch-text 'Growth is 5%.' -o " + dir +
                              "/fork.baton --upstream openai=http://127.0.0.1:9 -- node " + kJs +
                              "/openai_chat.mjs");
  EXPECT_EQ(fork.exit_code, 0) << fork.out << fork.err;
  EXPECT_THAT(fork.out, HasSubstr("researcher: Growth is 5%."));
  EXPECT_THAT(fork.out, HasSubstr("calls: 2 served from the recording, 0 went live"));
  EXPECT_THAT(RunCommand(kBaton + " inspect " + dir + "/fork.baton").out,
              HasSubstr("forked_at=" + seq));
}

}  // namespace
}  // namespace baton
