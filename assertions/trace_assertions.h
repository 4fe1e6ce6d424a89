// baton's GoogleTest and GoogleMock face: assertions and matchers over recorded sessions.
//
//   auto trace = baton::Trace::Load("corpora/stale_context.baton");
//   EXPECT_TRACE_PASSES(*trace, baton::Policy{});          // the whole policy
//   EXPECT_PRED_FORMAT2(baton::NoStaleContext, *trace, policy);
//   EXPECT_PRED_FORMAT2(baton::LoopsAtMost, *trace, 3);
//   EXPECT_THAT(baton::Handoffs(*trace), Each(baton::Checked()));
//   EXPECT_THAT(baton::ContextReads(*trace), Each(baton::FreshWithin(std::chrono::seconds(5))));
//
// Failures explain themselves with the sentences `baton why` prints. Matchers are pure: they
// only read the handoff or read they are given (which borrow from the Trace: keep it alive).
#ifndef BATON_ASSERTIONS_TRACE_ASSERTIONS_H_
#define BATON_ASSERTIONS_TRACE_ASSERTIONS_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

#include "assertions/analyses.h"
#include "assertions/root_cause.h"

namespace baton {

// --- Predicate-formatters (EXPECT_PRED_FORMAT*) ---------------------------------------

// Every analysis passes under `policy`; on failure, the root-cause paragraph and findings.
::testing::AssertionResult TracePasses(const char* trace_expr, const char* policy_expr,
                                       const Trace& trace, const Policy& policy);
::testing::AssertionResult NoStaleContext(const char* trace_expr, const char* policy_expr,
                                          const Trace& trace, const Policy& policy);
::testing::AssertionResult LoopsAtMost(const char* trace_expr, const char* bound_expr,
                                       const Trace& trace, int bound);
::testing::AssertionResult EveryConsumptionChecked(const char* trace_expr, const Trace& trace);
// Every handoff from `from` to `to` has quality >= min_quality.
::testing::AssertionResult HandoffQualityBetween(const char* trace_expr, const char* from_expr,
                                                 const char* to_expr, const char* min_expr,
                                                 const Trace& trace, const std::string& from,
                                                 const std::string& to, double min_quality);

#define EXPECT_TRACE_PASSES(trace, policy) EXPECT_PRED_FORMAT2(::baton::TracePasses, trace, policy)
#define ASSERT_TRACE_PASSES(trace, policy) ASSERT_PRED_FORMAT2(::baton::TracePasses, trace, policy)

// --- What the matchers look at -------------------------------------------------------

// The session's handoffs and context reads (default scorers; the policy sets thresholds).
std::vector<Handoff> Handoffs(const Trace& trace, const Policy& policy = {});
std::vector<ContextReadInfo> ContextReads(const Trace& trace);

void PrintTo(const Handoff& h, std::ostream* os);
void PrintTo(const ContextReadInfo& r, std::ostream* os);

// --- Matchers -------------------------------------------------------------------------

// A handoff whose quality (recorded score or scorer) is at least `min`.
::testing::Matcher<const Handoff&> HandoffQualityAtLeast(double min);
// A handoff whose receiver understood the intent it was sent with.
::testing::Matcher<const Handoff&> Understood();
// A handoff that was checked (or passed a score) before it was used; instructions and
// handoffs nobody used need no check.
::testing::Matcher<const Handoff&> Checked();
// A context read whose version was superseded for no longer than `d` (or not at all).
::testing::Matcher<const ContextReadInfo&> FreshWithin(std::chrono::nanoseconds d);

}  // namespace baton

#endif  // BATON_ASSERTIONS_TRACE_ASSERTIONS_H_
