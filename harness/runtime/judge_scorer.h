// JudgeScorer: a Scorer that asks a model. Its calls go through AgentRuntime as agent
// "judge", so they are recorded, and in replay served from the recording: a CI gate that
// uses a judge stays deterministic.
#ifndef BATON_HARNESS_RUNTIME_JUDGE_SCORER_H_
#define BATON_HARNESS_RUNTIME_JUDGE_SCORER_H_

#include <string>

#include "assertions/scorers.h"
#include "harness/runtime/agent_runtime.h"

namespace baton {

class JudgeScorer final : public Scorer {
 public:
  // `runtime` is borrowed and must outlive the scorer. The model is asked to answer with a
  // line "SCORE: x" (x in [0, 1]) and may add "RATIONALE: ...".
  JudgeScorer(AgentRuntime& runtime, std::string model, std::string agent = "judge")
      : runtime_(runtime), model_(std::move(model)), agent_(std::move(agent)) {}

  std::string name() const override { return "judge"; }
  Result<ScoreResult> Score(const ScoringInput& input) const override;

 private:
  AgentRuntime& runtime_;
  std::string model_;
  std::string agent_;
};

// The value of "SCORE: x" in a judge's answer; Corruption naming the answer when absent or
// outside [0, 1].
Result<ScoreResult> ParseJudgeAnswer(const std::string& answer);

}  // namespace baton

#endif  // BATON_HARNESS_RUNTIME_JUDGE_SCORER_H_
