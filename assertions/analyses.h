// The analyses: pure functions of a Trace and a Policy returning findings with the events
// that prove them. Analyze() runs them all; the GoogleTest helpers, `baton check` and
// `baton why` are three faces of its result.
#ifndef BATON_ASSERTIONS_ANALYSES_H_
#define BATON_ASSERTIONS_ANALYSES_H_

#include <vector>

#include "assertions/finding.h"
#include "assertions/handoffs.h"
#include "assertions/policy.h"
#include "assertions/scorers.h"
#include "replayer/trace.h"

namespace baton {

// Reads (and messages built on context) of a version superseded for longer than
// max_staleness_ms when used; and versions older than max_age_ms_by_key.
std::vector<Finding> FindStaleContext(const Trace& trace, const std::vector<ContextReadInfo>& reads,
                                      const Policy& policy);
// Outputs below their threshold that went on to be used.
std::vector<Finding> FindLowQuality(const std::vector<Handoff>& handoffs);
// Interpretations that do not match the sender's intent.
std::vector<Finding> FindMisunderstood(const std::vector<Handoff>& handoffs, const Policy& policy);
// Outputs used by the receiver with no passing check or score first.
std::vector<Finding> FindUncheckedConsumption(const std::vector<Handoff>& handoffs,
                                              const Policy& policy);
// Pairs of agents that handed work back and forth more than their bound.
std::vector<Finding> FindLoops(const std::vector<Handoff>& handoffs, const Policy& policy);
// Retries and backoff (or span durations) that make the real wait a multiple of the reported.
std::vector<Finding> FindHiddenLatency(const Trace& trace, const Policy& policy);
// Messages never delivered, or delivered and never processed.
std::vector<Finding> FindDeliveryGaps(const std::vector<Handoff>& handoffs);

struct Analysis {
  std::vector<Handoff> handoffs;
  std::vector<ContextReadInfo> reads;
  std::vector<Finding> findings;          // In seq order of where they show.
  const Event* failed_outcome = nullptr;  // An outcome with verdict failure.

  bool passed() const { return findings.empty() && failed_outcome == nullptr; }
};

Analysis Analyze(const Trace& trace, const Policy& policy, const ScorerSet& scorers);

}  // namespace baton

#endif  // BATON_ASSERTIONS_ANALYSES_H_
