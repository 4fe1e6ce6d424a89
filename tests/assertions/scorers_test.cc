// The deterministic scorers, a user's scorer, and the judge model scorer (recorded, then
// replayed with no model).
#include "assertions/scorers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/runtime/judge_scorer.h"
#include "tests/testing/run_command.h"

namespace baton {
namespace {

using ::testing::HasSubstr;

double ScoreOf(const Scorer& s, const std::string& text, const std::string& task = "") {
  auto r = s.Score({text, task});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r->value : -1;
}

TEST(ScorersTest, NonEmptyAndRefusal) {
  EXPECT_EQ(ScoreOf(*NewNonEmptyScorer(), " \n\t"), 0.0);
  EXPECT_EQ(ScoreOf(*NewNonEmptyScorer(), "x"), 1.0);
  EXPECT_EQ(ScoreOf(*NewRefusalScorer(), "I'm sorry, but I can't help with that."), 0.0);
  EXPECT_EQ(ScoreOf(*NewRefusalScorer(), "As an AI language model, I cannot..."), 0.0);
  EXPECT_EQ(ScoreOf(*NewRefusalScorer(), "Revenue fell 8% on supply issues."), 1.0);
}

TEST(ScorersTest, LengthBounds) {
  auto s = NewLengthScorer(10, 20);
  EXPECT_EQ(ScoreOf(*s, std::string(15, 'a')), 1.0);
  EXPECT_EQ(ScoreOf(*s, std::string(5, 'a')), 0.0);
  EXPECT_NEAR(ScoreOf(*s, std::string(30, 'a')), 0.5, 1e-9);
}

TEST(ScorersTest, JsonSchemaSubset) {
  auto s = NewJsonSchemaScorer({{"risk", "string"}, {"score", "number"}, {"sources", "array"}});
  EXPECT_EQ(ScoreOf(*s, R"({"risk": "supply", "score": 0.4, "sources": []})"), 1.0);
  auto partial = s->Score({R"({"risk": "supply", "score": "high"})", ""});
  ASSERT_TRUE(partial.ok());
  EXPECT_NEAR(partial->value, 1.0 / 3, 1e-9);
  EXPECT_THAT(partial->rationale, HasSubstr("score (number)"));
  EXPECT_EQ(ScoreOf(*s, "{not json"), 0.0);
  EXPECT_EQ(ScoreOf(*s, "[1, 2]"), 0.0);
}

TEST(ScorersTest, KeyTermCoverage) {
  auto s = NewKeyTermCoverageScorer();
  const std::string task = "Assess supply chain risks for ACME";
  EXPECT_EQ(ScoreOf(*s, "We assess supply risks at ACME: the chain is fragile", task), 1.0);
  auto r = s->Score({"ACME is fine", task});
  ASSERT_TRUE(r.ok());
  EXPECT_LT(r->value, 0.5);
  EXPECT_THAT(r->rationale, HasSubstr("supply"));
}

TEST(ScorersTest, SimilarityToAGoldenOutput) {
  const std::string golden = "revenue fell eight percent because of supply delays";
  EXPECT_EQ(ScoreOf(*NewTokenF1Scorer(golden), golden), 1.0);
  EXPECT_EQ(ScoreOf(*NewRougeLScorer(golden), golden), 1.0);
  EXPECT_EQ(ScoreOf(*NewTokenF1Scorer(golden), "completely unrelated words"), 0.0);
  double f1 = ScoreOf(*NewTokenF1Scorer(golden), "revenue fell because of delays");
  double rouge = ScoreOf(*NewRougeLScorer(golden), "delays because supply revenue fell");
  EXPECT_GT(f1, 0.5);
  EXPECT_LT(rouge, f1);  // Word order matters to ROUGE-L.
}

class Shouting final : public Scorer {
 public:
  std::string name() const override { return "no_shouting"; }
  Result<ScoreResult> Score(const ScoringInput& in) const override {
    bool caps = !in.text.empty() && in.text == std::string(in.text.size(), in.text[0]);
    return ScoreResult{caps ? 0.0 : 1.0, ""};
  }
};

TEST(ScorersTest, UsersRegisterTheirOwn) {
  ScorerSet set = ScorerSet::Defaults();
  EXPECT_EQ(set.Find("no_shouting"), nullptr);
  set.Register(std::make_unique<Shouting>());
  ASSERT_NE(set.Find("no_shouting"), nullptr);
  EXPECT_NE(set.Find("non_empty"), nullptr);
}

TEST(JudgeScorerTest, AnswersAreParsedAndBadOnesRejected) {
  auto ok = ParseJudgeAnswer("SCORE: 0.35\nRATIONALE: misses the supply risk");
  ASSERT_TRUE(ok.ok());
  EXPECT_DOUBLE_EQ(ok->value, 0.35);
  EXPECT_EQ(ok->rationale, "misses the supply risk");
  EXPECT_FALSE(ParseJudgeAnswer("I think it is good").ok());
  EXPECT_FALSE(ParseJudgeAnswer("SCORE: 7").ok());
}

TEST(JudgeScorerTest, JudgeCallsAreRecordedAndReplayedWithoutTheModel) {
  std::string path = testing::FreshTempDir("judge") + "/judge.baton";
  ScriptedModel model([](const ModelRequest& r, ScriptedCall&) -> Result<ModelResponse> {
    ModelResponse resp;
    bool empty = r.messages.back().content.text.find("Output:\n\n") != std::string::npos ||
                 r.messages.back().content.text.size() < 30;
    resp.content = empty ? "SCORE: 0.1\nRATIONALE: nothing there" : "SCORE: 0.8\nRATIONALE: fine";
    return resp;
  });
  RuntimeOptions rec;
  rec.mode = ReplayMode::kRecord;
  rec.record_path = path;
  double recorded = 0;
  {
    auto rt = AgentRuntime::Create(rec, &model, nullptr);
    ASSERT_TRUE(rt.ok());
    JudgeScorer judge(**rt, "judge-model");
    auto s = judge.Score({"Revenue fell 8% on supply delays.", "Assess the risks"});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    recorded = s->value;
    ASSERT_TRUE((*rt)->Finish().ok());
  }
  EXPECT_DOUBLE_EQ(recorded, 0.8);
  RuntimeOptions rep;
  rep.mode = ReplayMode::kReplay;
  rep.replay_path = path;
  auto rt = AgentRuntime::Create(rep, nullptr, nullptr);  // No model: served from the log.
  ASSERT_TRUE(rt.ok());
  JudgeScorer judge(**rt, "judge-model");
  auto s = judge.Score({"Revenue fell 8% on supply delays.", "Assess the risks"});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_DOUBLE_EQ(s->value, recorded);
  EXPECT_TRUE((*rt)->Finish().ok());
}

}  // namespace
}  // namespace baton
