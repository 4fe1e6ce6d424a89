// Root cause: from the bad outcome (or the worst finding) back along the cause and
// content-flow graph to the earliest anomaly, said in one paragraph with its evidence.
#ifndef BATON_ASSERTIONS_ROOT_CAUSE_H_
#define BATON_ASSERTIONS_ROOT_CAUSE_H_

#include <optional>
#include <string>
#include <vector>

#include "assertions/analyses.h"

namespace baton {

struct Explanation {
  bool passed = true;
  std::optional<Finding> root;     // nullopt for a pass (or a failure with no anomaly).
  std::vector<Finding> chain;      // The findings from the root to the outcome, root first.
  std::string paragraph;           // What `baton why` prints.
  std::vector<uint64_t> evidence;  // Event seqs, ascending.

  // {"verdict": "pass"|"fail", "root_cause": {"kind", "from", "to", "sentence"}|null,
  //  "findings": [{"kind", "from", "to", "at", "evidence", "sentence"}], "paragraph", "evidence"}
  std::string ToJson(const Analysis& analysis) const;
};

Explanation Explain(const Trace& trace, const Analysis& analysis);

}  // namespace baton

#endif  // BATON_ASSERTIONS_ROOT_CAUSE_H_
