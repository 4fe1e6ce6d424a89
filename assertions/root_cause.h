// Root cause: from the bad outcome (or the worst finding) back along the cause and
// content-flow graph to the earliest anomaly, said in one paragraph with its evidence.
#ifndef BATON_ASSERTIONS_ROOT_CAUSE_H_
#define BATON_ASSERTIONS_ROOT_CAUSE_H_

#include <optional>
#include <string>
#include <vector>

#include "assertions/analyses.h"

namespace baton {

// Who and where a failure began, for sessions imported from a source with steps (a chat
// transcript): the agent as the source names it and the step (index into the source).
struct Attribution {
  std::string agent;
  uint64_t seq = 0;                // The event it rests on.
  std::optional<int64_t> step;     // SourceStep of that event.
  std::string reason;              // One sentence: which evidence, where.
  std::vector<uint64_t> evidence;  // Event seqs, ascending.
};

struct Explanation {
  bool passed = true;
  // Set for a failed session whose events carry source steps (see SourceStep). Rules, in
  // order: the first failed code execution, charged to the agent that sent the code; else
  // the event that first carried more of the failed answer's own words than any other
  // (content flow: words of the task, and of a message that quotes the whole task, are not
  // the answer's own); else the root finding's sender; else the agent that gave the answer.
  std::optional<Attribution> attribution;
  std::optional<Finding> root;     // nullopt for a pass (or a failure with no anomaly).
  std::vector<Finding> chain;      // The findings from the root to the outcome, root first.
  std::string paragraph;           // What `baton why` prints.
  std::vector<uint64_t> evidence;  // Event seqs, ascending.

  // {"verdict": "pass"|"fail", "root_cause": {"kind", "from", "to", "sentence", and with an
  //  attribution "agent", "step"}|null,
  //  "findings": [{"kind", "from", "to", "at", "evidence", "sentence"}], "paragraph", "evidence"}
  std::string ToJson(const Analysis& analysis) const;
};

Explanation Explain(const Trace& trace, const Analysis& analysis);

}  // namespace baton

#endif  // BATON_ASSERTIONS_ROOT_CAUSE_H_
