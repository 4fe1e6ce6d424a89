// `baton replay` and `baton diff` end to end, on the research_team program.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/run_command.h"

namespace {

using baton::testing::RunCommand;
using baton::testing::RunResult;
using ::testing::HasSubstr;

const std::string kBaton = BATON_BIN;
const std::string kTeam = RESEARCH_TEAM_BIN;

class ReplayCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = baton::testing::FreshTempDir("replay_cli");
    RunResult r = RunCommand("BATON_RECORD=" + dir_ + "/rec.baton " + kTeam + " --seed 3 --quiet");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::string dir_;
};

TEST_F(ReplayCliTest, ReplayOfTheSameProgramMatches) {
  RunResult r = RunCommand(kBaton + " replay " + dir_ + "/rec.baton -o " + dir_ + "/rep.baton -- " +
                           kTeam + " --seed 3 --quiet");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("replay matched"));
  EXPECT_THAT(r.out, HasSubstr("sessions equivalent"));
  RunResult d = RunCommand(kBaton + " diff " + dir_ + "/rec.baton " + dir_ + "/rep.baton");
  EXPECT_EQ(d.exit_code, 0) << d.out << d.err;
  EXPECT_THAT(d.out, HasSubstr("equivalent"));
}

TEST_F(ReplayCliTest, ACodeChangeDivergesWithTheDiff) {
  RunResult r = RunCommand(kBaton + " replay " + dir_ + "/rec.baton -- " + kTeam +
                           " --seed 3 --quiet --prompt-variant 2");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("writer's 1st model call differs from the recording"));
  EXPECT_THAT(r.out, HasSubstr("detailed, well-structured"));
}

TEST_F(ReplayCliTest, DiffOfDifferentSessionsNamesTheFirstDifference) {
  RunResult rec = RunCommand("BATON_RECORD=" + dir_ + "/other.baton " + kTeam +
                             " --seed 3 --quiet --prompt-variant 2");
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  RunResult d = RunCommand(kBaton + " diff " + dir_ + "/rec.baton " + dir_ + "/other.baton");
  EXPECT_EQ(d.exit_code, 1) << d.out << d.err;
  EXPECT_THAT(d.out, HasSubstr("writer's event"));
  EXPECT_THAT(d.out, HasSubstr("request.messages[1].content"));
}

TEST_F(ReplayCliTest, BadInputExitsTwo) {
  EXPECT_EQ(RunCommand(kBaton + " diff " + dir_ + "/rec.baton /nonexistent.baton").exit_code, 2);
  EXPECT_EQ(RunCommand(kBaton + " replay /nonexistent.baton -- " + kTeam).exit_code, 2);
  EXPECT_EQ(RunCommand(kBaton + " replay " + dir_ + "/rec.baton -- /nonexistent-program").exit_code,
            2);
  EXPECT_EQ(
      RunCommand(kBaton + " diff " + dir_ + "/rec.baton " + dir_ + "/rec.baton --volatile '([bad'")
          .exit_code,
      2);
}

TEST_F(ReplayCliTest, AProgramWithoutTheRuntimeIsReported) {
  RunResult r = RunCommand(kBaton + " replay " + dir_ + "/rec.baton -- true");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("wrote no replay report"));
}

}  // namespace
