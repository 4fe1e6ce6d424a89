// A regression test in a project that depends on baton: the recorded incident keeps its
// diagnosis, asserted with baton's GoogleTest face.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "assertions/trace_assertions.h"
#include "harness/testing/baton_test.h"

namespace {

using ::testing::Contains;
using ::testing::Not;

class RecordedIncidentTest : public baton::BatonTest {};

TEST_F(RecordedIncidentTest, TheStaleReadIsStillFound) {
  const baton::Trace& incident = LoadRecording(CONSUMER_CORPUS);
  ASSERT_FALSE(incident.events().empty());
  EXPECT_FALSE(baton::TracePasses("incident", "policy", incident, policy()));
  EXPECT_THAT(baton::ContextReads(incident),
              Contains(Not(baton::FreshWithin(std::chrono::seconds(5)))));
}

}  // namespace
