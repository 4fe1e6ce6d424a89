#include "assertions/scorers.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <unordered_map>

#include "base/json_parse.h"

namespace baton {

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> words;
  std::string w;
  for (unsigned char c : text) {
    if (std::isalnum(c)) {
      w.push_back(static_cast<char>(std::tolower(c)));
    } else if (!w.empty()) {
      words.push_back(std::move(w));
      w.clear();
    }
  }
  if (!w.empty()) words.push_back(std::move(w));
  return words;
}

namespace {

class NonEmpty final : public Scorer {
 public:
  std::string name() const override { return "non_empty"; }
  Result<ScoreResult> Score(const ScoringInput& in) const override {
    bool empty = std::all_of(in.text.begin(), in.text.end(),
                             [](unsigned char c) { return std::isspace(c); });
    return ScoreResult{empty ? 0.0 : 1.0, empty ? "the output is empty" : ""};
  }
};

class Refusal final : public Scorer {
 public:
  std::string name() const override { return "refusal"; }
  Result<ScoreResult> Score(const ScoringInput& in) const override {
    static const char* kPhrases[] = {"i'm sorry",   "i am sorry",      "i cannot",    "i can't",
                                     "i can not",   "i'm unable",      "i am unable", "as an ai",
                                     "i apologize", "unfortunately, i"};
    std::string head = in.text.substr(0, 200);
    std::transform(head.begin(), head.end(), head.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    for (const char* p : kPhrases)
      if (head.find(p) != std::string::npos)
        return ScoreResult{0.0, std::string("the output is a refusal (\"") + p + "...\")"};
    return ScoreResult{1.0, ""};
  }
};

class Length final : public Scorer {
 public:
  Length(size_t min, size_t max) : min_(min), max_(max) {}
  std::string name() const override { return "length"; }
  Result<ScoreResult> Score(const ScoringInput& in) const override {
    double n = static_cast<double>(in.text.size());
    double v = 1.0;
    if (n < min_) v = std::max(0.0, (n - min_ / 2.0) / (min_ / 2.0));
    if (n > max_) v = std::max(0.0, 1.0 - (n - max_) / static_cast<double>(max_));
    return ScoreResult{v, v < 1 ? "length " + std::to_string(in.text.size()) + " outside [" +
                                      std::to_string(min_) + ", " + std::to_string(max_) + "]"
                                : ""};
  }

 private:
  size_t min_, max_;
};

class JsonSchema final : public Scorer {
 public:
  explicit JsonSchema(std::map<std::string, std::string> required)
      : required_(std::move(required)) {}
  std::string name() const override { return "json_schema"; }
  Result<ScoreResult> Score(const ScoringInput& in) const override {
    auto doc = JsonDocument::Parse(in.text, "the output");
    if (!doc.ok() || !doc->root().isObject())
      return ScoreResult{0.0, "the output is not a JSON object"};
    auto root = doc->root();
    size_t ok = 0;
    std::string missing;
    for (const auto& [key, type] : required_) {
      bool found = false;
      for (auto f : root.getObject()) {
        if (f.getName() != key.c_str()) continue;
        auto v = f.getValue();
        found = (type == "string" && v.isString()) || (type == "number" && v.isNumber()) ||
                (type == "boolean" && v.isBoolean()) || (type == "object" && v.isObject()) ||
                (type == "array" && v.isArray());
      }
      if (found) {
        ++ok;
      } else {
        missing += (missing.empty() ? "" : ", ") + key + " (" + type + ")";
      }
    }
    double v = required_.empty() ? 1.0 : static_cast<double>(ok) / required_.size();
    return ScoreResult{v, missing.empty() ? "" : "missing or mistyped: " + missing};
  }

 private:
  std::map<std::string, std::string> required_;
};

class KeyTerms final : public Scorer {
 public:
  std::string name() const override { return "key_terms"; }
  Result<ScoreResult> Score(const ScoringInput& in) const override {
    static const std::set<std::string> kStop = {"about", "after", "their", "there",  "these",
                                                "which", "would", "could", "should", "where",
                                                "while", "other", "using", "based"};
    std::set<std::string> terms;
    for (auto& w : Words(in.task))
      if (w.size() >= 5 && !kStop.count(w)) terms.insert(w);
    if (terms.empty()) return ScoreResult{1.0, ""};
    std::set<std::string> have;
    for (auto& w : Words(in.text)) have.insert(w);
    size_t hit = 0;
    std::string absent;
    for (const auto& t : terms) {
      if (have.count(t)) {
        ++hit;
      } else {
        absent += (absent.empty() ? "" : ", ") + t;
      }
    }
    return ScoreResult{static_cast<double>(hit) / terms.size(),
                       absent.empty() ? "" : "does not mention: " + absent};
  }
};

// The F-measure of `common` words matched between `got` words and `golden` words.
double F1(double common, size_t got, size_t golden) {
  if (common == 0) return 0.0;
  double p = common / got, r = common / golden;
  return 2 * p * r / (p + r);
}

class TokenF1 final : public Scorer {
 public:
  explicit TokenF1(std::string golden) : golden_(Words(golden)) {}
  std::string name() const override { return "token_f1"; }
  Result<ScoreResult> Score(const ScoringInput& in) const override {
    std::vector<std::string> got = Words(in.text);
    if (got.empty() || golden_.empty())
      return ScoreResult{got.empty() == golden_.empty() ? 1.0 : 0.0, ""};
    std::unordered_map<std::string, int> counts;
    for (auto& w : golden_) ++counts[w];
    size_t common = 0;
    for (auto& w : got)
      if (counts[w]-- > 0) ++common;
    return ScoreResult{F1(common, got.size(), golden_.size()), ""};
  }

 private:
  std::vector<std::string> golden_;
};

class RougeL final : public Scorer {
 public:
  explicit RougeL(std::string golden) : golden_(Words(golden)) {}
  std::string name() const override { return "rouge_l"; }
  Result<ScoreResult> Score(const ScoringInput& in) const override {
    std::vector<std::string> got = Words(in.text);
    if (got.empty() || golden_.empty())
      return ScoreResult{got.empty() == golden_.empty() ? 1.0 : 0.0, ""};
    // Two rows of the LCS table; outputs longer than this are cut (the score stays a bound).
    const size_t n = std::min<size_t>(got.size(), 4000), m = std::min<size_t>(golden_.size(), 4000);
    std::vector<uint32_t> prev(m + 1, 0), cur(m + 1, 0);
    for (size_t i = 1; i <= n; ++i) {
      for (size_t j = 1; j <= m; ++j)
        cur[j] = got[i - 1] == golden_[j - 1] ? prev[j - 1] + 1 : std::max(prev[j], cur[j - 1]);
      std::swap(prev, cur);
    }
    return ScoreResult{F1(prev[m], n, m), ""};
  }

 private:
  std::vector<std::string> golden_;
};

}  // namespace

std::unique_ptr<Scorer> NewNonEmptyScorer() { return std::make_unique<NonEmpty>(); }
std::unique_ptr<Scorer> NewRefusalScorer() { return std::make_unique<Refusal>(); }
std::unique_ptr<Scorer> NewLengthScorer(size_t min_chars, size_t max_chars) {
  return std::make_unique<Length>(min_chars, max_chars);
}
std::unique_ptr<Scorer> NewJsonSchemaScorer(std::map<std::string, std::string> required) {
  return std::make_unique<JsonSchema>(std::move(required));
}
std::unique_ptr<Scorer> NewKeyTermCoverageScorer() { return std::make_unique<KeyTerms>(); }
std::unique_ptr<Scorer> NewTokenF1Scorer(std::string golden) {
  return std::make_unique<TokenF1>(std::move(golden));
}
std::unique_ptr<Scorer> NewRougeLScorer(std::string golden) {
  return std::make_unique<RougeL>(std::move(golden));
}

ScorerSet ScorerSet::Defaults() {
  ScorerSet s;
  s.Register(NewNonEmptyScorer());
  s.Register(NewRefusalScorer());
  s.Register(NewKeyTermCoverageScorer());
  s.Register(NewLengthScorer(1, 20000));
  return s;
}

void ScorerSet::Register(std::unique_ptr<Scorer> scorer) {
  std::string name = scorer->name();
  by_name_[name] = std::shared_ptr<const Scorer>(std::move(scorer));
}

const Scorer* ScorerSet::Find(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second.get();
}

}  // namespace baton
