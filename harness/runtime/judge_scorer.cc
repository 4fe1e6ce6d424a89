#include "harness/runtime/judge_scorer.h"

#include <cstdlib>
#include <sstream>

namespace baton {

Result<ScoreResult> ParseJudgeAnswer(const std::string& answer) {
  std::istringstream in(answer);
  std::string line;
  ScoreResult r;
  bool found = false;
  while (std::getline(in, line)) {
    if (line.rfind("SCORE:", 0) == 0) {
      char* end = nullptr;
      r.value = std::strtod(line.c_str() + 6, &end);
      found = end != line.c_str() + 6;
    } else if (line.rfind("RATIONALE:", 0) == 0) {
      r.rationale = line.substr(line.find_first_not_of(' ', 10) == std::string::npos
                                    ? line.size()
                                    : line.find_first_not_of(' ', 10));
    }
  }
  if (!found || r.value < 0 || r.value > 1)
    return Status::Corruption("the judge's answer has no SCORE in [0, 1]: " +
                              answer.substr(0, 120));
  return r;
}

Result<ScoreResult> JudgeScorer::Score(const ScoringInput& input) const {
  ModelRequest request;
  request.model = model_;
  request.parameters = {{"temperature", "0"}};
  request.messages = {
      {"system",
       Content("You judge the output of an AI agent. Answer with 'SCORE: x' (0 to 1) and "
               "'RATIONALE: ...'."),
       "", ""},
      {"user", Content("Task:\n" + input.task + "\n\nOutput:\n" + input.text), "", ""}};
  auto answer = runtime_.CallModel(agent_, std::move(request));
  if (!answer.ok()) return answer.status();
  return ParseJudgeAnswer(answer->content.text);
}

}  // namespace baton
