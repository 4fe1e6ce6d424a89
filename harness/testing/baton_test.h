// BatonTest: a GoogleTest fixture that loads a recording, replays the user's agents against
// it (ReplaySession through AgentRuntime), and leaves the assertions to the test:
//
//   class CheckoutAgentsTest : public baton::BatonTest {};
//   TEST_F(CheckoutAgentsTest, FixedResearcherNoLongerUsesStaleData) {
//     const baton::Trace& incident = LoadRecording("corpora/stale_context.baton");
//     auto run = Replay("corpora/stale_context.baton", [](baton::AgentRuntime& rt) {
//       return RunMyAgents(rt);
//     });
//     EXPECT_TRACE_PASSES(run.replayed, policy());
//   }
//
// Replay fails the test, with the reason, when the recording or the replayed session does
// not load, when nothing was served from the recording (the agents did not run on the
// runtime), and, unless the test expects a divergence, when the replay diverged.
#ifndef BATON_HARNESS_TESTING_BATON_TEST_H_
#define BATON_HARNESS_TESTING_BATON_TEST_H_

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "assertions/trace_assertions.h"
#include "harness/runtime/agent_runtime.h"

namespace baton {

// What a replay is expected to do; anything else fails the test.
enum class ReplayExpectation {
  kMatches,   // Every call served from the recording, no divergence.
  kDiverges,  // A changed agent: the divergence is the point of the test.
};

class BatonTest : public ::testing::Test {
 protected:
  struct ReplayRun {
    Status status;        // What the agents returned (Diverged when a strict replay stopped).
    Status finish;        // AgentRuntime::Finish().
    ReplayReport report;  // Divergences, served calls.
    Trace replayed;       // The replayed session, recorded.
  };

  // Loads a recording; a file that does not load fails the test (and returns an empty trace,
  // which TracePasses refuses).
  const Trace& LoadRecording(const std::string& path);

  // Runs `agents` on a runtime in `options.mode` (replay by default) against `recording`;
  // the replayed session is recorded to a temporary file and returned as a Trace. `live`
  // serves calls the recording does not have in replay-or-record mode.
  ReplayRun Replay(const std::string& recording, const std::function<Status(AgentRuntime&)>& agents,
                   RuntimeOptions options = {},
                   ReplayExpectation expectation = ReplayExpectation::kMatches,
                   ModelClient* live = nullptr, ToolClient* tools = nullptr);

  const Policy& policy() const { return policy_; }
  Policy& mutable_policy() { return policy_; }

 private:
  Policy policy_;
  std::map<std::string, std::unique_ptr<Trace>> loaded_;
  int runs_ = 0;
};

}  // namespace baton

#endif  // BATON_HARNESS_TESTING_BATON_TEST_H_
