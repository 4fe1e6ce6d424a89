// Each analysis on a session that triggers it and on healthy sessions; the findings name the
// right events, and `baton why`'s explanation names the right boundary and kind.
#include "assertions/analyses.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "assertions/root_cause.h"
#include "tests/testing/run_command.h"
#include "tests/testing/scenario_runner.h"

namespace baton {
namespace {

using examples::Incident;
using ::testing::HasSubstr;

const Finding* First(const Analysis& a, FindingKind kind) {
  for (const Finding& f : a.findings)
    if (f.kind == kind) return &f;
  return nullptr;
}

class AnalysesTest : public ::testing::Test {
 protected:
  Trace Record(Incident incident, uint64_t seed = 1) {
    std::string path = dir_ + "/" + std::string(examples::IncidentName(incident)) + "-" +
                       std::to_string(seed) + ".baton";
    auto t = testing::RecordScenario(incident, seed, path);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? std::move(t).value() : Trace::FromEvents({}, {});
  }
  Analysis Run(const Trace& t) { return Analyze(t, policy_, scorers_); }

  std::string dir_ = testing::FreshTempDir("analyses");
  Policy policy_;
  ScorerSet scorers_ = ScorerSet::Defaults();
};

TEST_F(AnalysesTest, HealthyRunsPassEveryAnalysis) {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    Trace t = Record(Incident::kNone, seed);
    Analysis a = Run(t);
    EXPECT_TRUE(a.passed()) << "seed " << seed << ": " << Explain(t, a).paragraph;
    EXPECT_FALSE(a.handoffs.empty());
  }
}

TEST_F(AnalysesTest, StaleContextNamesTheReadTheSupersedingWriteAndTheStaleness) {
  Trace t = Record(Incident::kStaleContext);
  Analysis a = Run(t);
  const Finding* f = First(a, FindingKind::kStaleContext);
  ASSERT_NE(f, nullptr);
  const Event* read = t.BySeq(f->at_seq);
  ASSERT_NE(read, nullptr);
  ASSERT_NE(read->As<ContextRead>(), nullptr);
  EXPECT_EQ(read->agent, "researcher");
  EXPECT_EQ(read->As<ContextRead>()->version, 6u);
  const Event* v7 = t.ContextWriteOf("market_data", 7);
  ASSERT_NE(v7, nullptr);
  EXPECT_THAT(f->evidence, ::testing::Contains(v7->seq));
  EXPECT_NEAR(f->value, (read->mono_ns - v7->mono_ns) / 1e9, 1e-9);
  EXPECT_EQ(f->from, "planner");
  EXPECT_EQ(f->to, "researcher");
  EXPECT_THAT(f->sentence, HasSubstr("used market_data v6, superseded by v7"));
  // Within the policy's tolerance it passes.
  Policy lax;
  lax.max_staleness_ms = 60'000;
  EXPECT_TRUE(FindStaleContext(t, BuildReads(t), lax).empty());
}

TEST_F(AnalysesTest, ContextOlderThanItsMaximumAgeIsReported) {
  Trace t = Record(Incident::kNone, 3);
  Policy p;
  p.max_age_ms_by_key["market_data"] = 1;  // Any read after the first millisecond.
  auto findings = FindStaleContext(t, BuildReads(t), p);
  ASSERT_FALSE(findings.empty());
  EXPECT_EQ(findings[0].kind, FindingKind::kContextTooOld);
  EXPECT_TRUE(FindStaleContext(t, BuildReads(t), policy_).empty());
}

TEST_F(AnalysesTest, LowQualityOutputUsedDownstream) {
  Trace t = Record(Incident::kEmptyToolResult);
  Analysis a = Run(t);
  const Finding* f = First(a, FindingKind::kLowQuality);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->from, "researcher");
  EXPECT_EQ(f->to, "writer");
  EXPECT_DOUBLE_EQ(f->value, 0.20);
  EXPECT_DOUBLE_EQ(f->limit, 0.70);
  const Event* score = t.BySeq(f->at_seq);
  ASSERT_NE(score, nullptr);
  EXPECT_EQ(score->kind(), EventKind::kScore);
  EXPECT_EQ(score->agent, "judge");
}

TEST_F(AnalysesTest, ARejectedDraftIsNotALowQualityFinding) {
  // Healthy seeds whose reviewer sends drafts back: the low scores were acted upon.
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    Trace t = Record(Incident::kNone, seed);
    bool rejected = false;
    for (const Event& e : t.events())
      if (auto* s = e.As<Score>(); s && s->value < 0.7) rejected = true;
    if (!rejected) continue;
    EXPECT_TRUE(FindLowQuality(BuildHandoffs(t, policy_, scorers_)).empty()) << "seed " << seed;
    return;
  }
  FAIL() << "no healthy seed in 1..12 has a rejected draft";
}

TEST_F(AnalysesTest, MisunderstandingNamesTheInterpretation) {
  Trace t = Record(Incident::kMisunderstood);
  Analysis a = Run(t);
  const Finding* f = First(a, FindingKind::kMisunderstood);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->to, "writer");
  EXPECT_EQ(f->from, "planner");
  EXPECT_EQ(t.BySeq(f->at_seq)->kind(), EventKind::kMessageInterpretation);
  EXPECT_THAT(f->sentence, HasSubstr("\"summarize_report\" but it asked for \"summarize_risks\""));
  Policy off;
  off.understanding = Requirement::kOff;
  EXPECT_TRUE(FindMisunderstood(a.handoffs, off).empty());
}

TEST_F(AnalysesTest, UncheckedConsumptionNamesTheUse) {
  Trace t = Record(Incident::kEmptyToolResult);
  Analysis a = Run(t);
  const Finding* f = First(a, FindingKind::kUncheckedConsumption);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->to, "writer");
  const Event* use = t.BySeq(f->at_seq);
  ASSERT_NE(use, nullptr);
  EXPECT_EQ(use->agent, "writer");
  EXPECT_EQ(use->kind(), EventKind::kModelCall);
  // Healthy runs check their inputs: the same handoff is covered there.
  Trace healthy = Record(Incident::kNone, 2);
  EXPECT_TRUE(FindUncheckedConsumption(BuildHandoffs(healthy, policy_, scorers_), policy_).empty());
}

// A session that could not record checks (a proxy's, spans without baton's check events)
// says so in its header: an output used without a check there is no finding, since the check
// may have happened out of sight. The same events with checks recordable are one.
TEST_F(AnalysesTest, AnUncheckedUseIsNoFindingWhereChecksWereNotRecorded) {
  Trace t = Record(Incident::kEmptyToolResult);
  ASSERT_NE(First(Run(t), FindingKind::kUncheckedConsumption), nullptr);
  EXPECT_EQ(t.checks(), Trace::Checks::kRecorded);
  SessionHeader header = t.header();
  header.metadata.push_back({"checks", "not recorded"});
  Trace unseen = Trace::FromEvents(header, t.events());
  EXPECT_EQ(unseen.checks(), Trace::Checks::kNotRecorded);
  Analysis a = Run(unseen);
  EXPECT_EQ(First(a, FindingKind::kUncheckedConsumption), nullptr);
  // What the handoff carried is still judged.
  EXPECT_EQ(a.findings.size() + 1, Run(t).findings.size());
}

TEST_F(AnalysesTest, LoopsPastTheBound) {
  Trace t = Record(Incident::kUnboundedLoop);
  Analysis a = Run(t);
  const Finding* f = First(a, FindingKind::kLoop);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->value, 6);
  EXPECT_EQ(f->limit, 3);
  Policy generous;
  generous.max_loops_by_pair["reviewer<->writer"] = 10;
  EXPECT_TRUE(FindLoops(a.handoffs, generous).empty());
}

TEST_F(AnalysesTest, RetryStormIsHiddenLatency) {
  Trace t = Record(Incident::kRetryStorm);
  Analysis a = Run(t);
  const Finding* f = First(a, FindingKind::kHiddenLatency);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->to, "writer");
  EXPECT_THAT(f->sentence, HasSubstr("reported 2.1 s but took 47.1 s"));
  EXPECT_THAT(f->sentence, HasSubstr("5 attempts"));
  size_t retries = 0;
  for (uint64_t s : f->evidence) retries += t.BySeq(s)->kind() == EventKind::kRetry;
  EXPECT_EQ(retries, 4u);
}

TEST_F(AnalysesTest, SpansThatHideTheirDuration) {
  std::vector<Event> events(2);
  events[0].seq = 1;
  events[0].agent = "a";
  events[0].mono_ns = 0;
  events[0].body = SpanStart{"s1", "", "http.request", {}};
  events[1].seq = 2;
  events[1].agent = "a";
  events[1].mono_ns = 10'000'000'000;
  events[1].body = SpanEnd{"s1", "ok", 1'000'000'000};
  Trace t = Trace::FromEvents({}, events);
  auto f = FindHiddenLatency(t, policy_);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_THAT(f[0].sentence, HasSubstr("reported 1.0 s but lasted 10.0 s"));
  events[1].body = SpanEnd{"s1", "ok", 9'000'000'000};
  EXPECT_TRUE(FindHiddenLatency(Trace::FromEvents({}, events), policy_).empty());
}

TEST_F(AnalysesTest, AMessageDeliveredAndNeverProcessed) {
  Trace t = Record(Incident::kLostMessage);
  Analysis a = Run(t);
  const Finding* f = First(a, FindingKind::kUnprocessed);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->to, "writer");
  EXPECT_EQ(f->from, "researcher");
  EXPECT_EQ(t.BySeq(f->at_seq)->kind(), EventKind::kMessageDelivery);
}

TEST_F(AnalysesTest, AMessageNeverDelivered) {
  std::vector<Event> events(1);
  events[0].seq = 1;
  events[0].agent = "a";
  events[0].body = MessageSend{"m1", "b", "do", Content("x"), {}};
  auto f = FindDeliveryGaps(BuildHandoffs(Trace::FromEvents({}, events), policy_, scorers_));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, FindingKind::kUndelivered);
}

struct WhyCase {
  Incident incident;
  FindingKind kind;
  const char* from;
  const char* to;
};

void PrintTo(const WhyCase& c, std::ostream* os) {
  *os << examples::IncidentName(c.incident) << " -> " << FindingKindName(c.kind) << " at " << c.to
      << " <- " << c.from;
}

class WhyTest : public AnalysesTest, public ::testing::WithParamInterface<WhyCase> {};

TEST_P(WhyTest, NamesTheBoundaryAndKind) {
  const WhyCase& c = GetParam();
  Trace t = Record(c.incident);
  Analysis a = Run(t);
  Explanation ex = Explain(t, a);
  ASSERT_FALSE(ex.passed);
  ASSERT_TRUE(ex.root.has_value()) << ex.paragraph;
  EXPECT_EQ(ex.root->kind, c.kind) << ex.paragraph;
  EXPECT_EQ(ex.root->from, c.from) << ex.paragraph;
  EXPECT_EQ(ex.root->to, c.to) << ex.paragraph;
  std::string where = std::string(c.from) == c.to
                          ? std::string(" in ") + c.to
                          : std::string(" at the boundary ") + c.to + " <- " + c.from;
  EXPECT_THAT(ex.paragraph, HasSubstr(std::string("Root cause: ") +
                                      std::string(FindingKindPhrase(c.kind)) + where + "."));
  EXPECT_THAT(ex.evidence, ::testing::Contains(ex.root->at_seq));
}

INSTANTIATE_TEST_SUITE_P(
    EveryFailureClass, WhyTest,
    ::testing::Values(
        WhyCase{Incident::kStaleContext, FindingKind::kStaleContext, "planner", "researcher"},
        WhyCase{Incident::kMisunderstood, FindingKind::kMisunderstood, "planner", "writer"},
        WhyCase{Incident::kEmptyToolResult, FindingKind::kLowQuality, "researcher", "writer"},
        WhyCase{Incident::kUnboundedLoop, FindingKind::kLoop, "writer", "reviewer"},
        WhyCase{Incident::kRetryStorm, FindingKind::kHiddenLatency, "writer", "writer"},
        WhyCase{Incident::kRoutingError, FindingKind::kMisunderstood, "user", "planner"},
        WhyCase{Incident::kLostMessage, FindingKind::kUnprocessed, "researcher", "writer"}),
    [](const auto& info) { return std::string(examples::IncidentName(info.param.incident)); });

TEST(PolicyTest, ParsesEverySettingAndRejectsTyposAndBadValues) {
  auto p = ParsePolicy(R"({"min_quality": 0.8, "min_quality_by_pair": {"a->b": 0.5},
      "max_staleness_ms": 5, "max_age_ms_by_key": {"k": 9}, "max_loops": 2,
      "max_loops_by_pair": {"a<->b": 7}, "require_checks": false,
      "require_understanding": false, "max_hidden_latency_ratio": 4, "scorers": ["non_empty"]})",
                       "p.json");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->MinQuality("a", "b"), 0.5);
  EXPECT_EQ(p->MinQuality("b", "a"), 0.8);
  EXPECT_EQ(p->MaxLoops("b", "a"), 7);
  EXPECT_EQ(p->max_age_ms_by_key.at("k"), 9);
  EXPECT_EQ(p->checks, Requirement::kOff);
  EXPECT_EQ(p->scorers, std::vector<std::string>{"non_empty"});
  for (const char* bad : {R"({"min_qualty": 0.8})", R"({"min_quality": 2})", R"({"max_loops": -1})",
                          R"({"min_quality_by_pair": {"ab": 0.5}})", R"({"require_checks": "yes"})",
                          "[1, 2]", "{not json"}) {
    auto r = ParsePolicy(bad, "p.json");
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_THAT(r.status().message(), HasSubstr("p.json")) << bad;
  }
}

}  // namespace
}  // namespace baton

namespace baton {
namespace {

// The indexed context lookups answer as a scan of the writes in seq order would, whatever
// order a file gives the versions in.
TEST(TraceContextIndexTest, LookupsMatchAScanOfTheWritesInOrder) {
  std::vector<Event> events;
  auto add = [&](EventBody body) {
    Event e;
    e.seq = events.size() + 1;
    e.agent = "a";
    e.body = std::move(body);
    events.push_back(std::move(e));
  };
  // Versions out of order, one repeated, and another key between them.
  for (uint64_t v : {1, 3, 2, 3, 5, 4}) {
    add(ContextWrite{"k", v, Content("v" + std::to_string(v))});
    add(ContextWrite{"other", 9, Content("x")});
  }
  Trace t = Trace::FromEvents(SessionHeader{}, events);
  for (uint64_t version = 0; version <= 6; ++version) {
    const Event* first_write = nullptr;
    for (const Event& e : events)
      if (auto* w = e.As<ContextWrite>(); w && w->key == "k" && w->version == version) {
        first_write = &e;
        break;
      }
    EXPECT_EQ(t.ContextWriteOf("k", version) ? t.ContextWriteOf("k", version)->seq : 0,
              first_write ? first_write->seq : 0)
        << "version " << version;
    for (uint64_t before = 1; before <= events.size() + 1; ++before) {
      const Event* newer = nullptr;
      for (const Event& e : events) {
        if (e.seq >= before) break;
        if (auto* w = e.As<ContextWrite>(); w && w->key == "k" && w->version > version) {
          newer = &e;
          break;
        }
      }
      const Event* got = t.SupersedingWrite("k", version, before);
      EXPECT_EQ(got ? got->seq : 0, newer ? newer->seq : 0)
          << "version " << version << " before " << before;
    }
  }
  EXPECT_EQ(t.SupersedingWrite("missing", 0, 100), nullptr);
  EXPECT_EQ(t.ContextWriteOf("missing", 0), nullptr);
}

}  // namespace
}  // namespace baton
