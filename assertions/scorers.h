// Scorers: quality judgements baton runs itself on recorded text, for handoffs that carry
// no recorded score. All deterministic; a judge model (harness/runtime/judge_scorer.h) plugs
// in through the same interface, and users register their own.
#ifndef BATON_ASSERTIONS_SCORERS_H_
#define BATON_ASSERTIONS_SCORERS_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace baton {

struct ScoringInput {
  std::string text;  // The output being judged (a handoff's payload).
  std::string task;  // What it was asked for (the message that led to it), may be empty.
};

struct ScoreResult {
  double value = 0.0;  // In [0, 1].
  std::string rationale;
};

class Scorer {
 public:
  virtual ~Scorer() = default;
  virtual std::string name() const = 0;
  virtual Result<ScoreResult> Score(const ScoringInput& input) const = 0;
};

// 0 for empty or whitespace-only text, 1 otherwise.
std::unique_ptr<Scorer> NewNonEmptyScorer();
// 0 for a refusal or apology instead of an answer ("I'm sorry, I can't..."), 1 otherwise.
std::unique_ptr<Scorer> NewRefusalScorer();
// 1 inside [min_chars, max_chars], falling linearly to 0 at half / twice the bounds.
std::unique_ptr<Scorer> NewLengthScorer(size_t min_chars, size_t max_chars);
// The text must be JSON with these keys of these types ("string", "number", "boolean",
// "object", "array"); the score is the fraction satisfied, 0 when it is not JSON.
std::unique_ptr<Scorer> NewJsonSchemaScorer(std::map<std::string, std::string> required);
// The fraction of the task's key terms (words of 5+ letters, stop words aside) the text uses.
std::unique_ptr<Scorer> NewKeyTermCoverageScorer();
// Similarity to a golden output: token F1, or ROUGE-L (longest common subsequence F1).
std::unique_ptr<Scorer> NewTokenF1Scorer(std::string golden);
std::unique_ptr<Scorer> NewRougeLScorer(std::string golden);

// Scorers by name. Defaults() holds non_empty, refusal, key_terms and length (1..20000).
class ScorerSet {
 public:
  static ScorerSet Defaults();
  void Register(std::unique_ptr<Scorer> scorer);
  const Scorer* Find(const std::string& name) const;

 private:
  std::map<std::string, std::shared_ptr<const Scorer>> by_name_;
};

// Lower-case words of letters and digits, for the text scorers and content-flow detection.
std::vector<std::string> Words(const std::string& text);

}  // namespace baton

#endif  // BATON_ASSERTIONS_SCORERS_H_
