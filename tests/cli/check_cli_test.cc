// `baton check` and `baton why` end to end: exit codes, lines, JSON, JUnit XML.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "tests/testing/run_command.h"
#include "tests/testing/scenario_runner.h"

namespace baton {
namespace {

using baton::testing::RunCommand;
using baton::testing::RunResult;
using examples::Incident;
using ::testing::HasSubstr;

const std::string kBaton = BATON_BIN;

class CheckCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::FreshTempDir("check_cli"));
    std::filesystem::create_directories(*dir_ + "/sessions/nested");
    ASSERT_TRUE(testing::RecordScenario(Incident::kNone, 1, *dir_ + "/sessions/pass1.baton").ok());
    ASSERT_TRUE(
        testing::RecordScenario(Incident::kNone, 2, *dir_ + "/sessions/nested/pass2.baton").ok());
    ASSERT_TRUE(testing::RecordScenario(Incident::kStaleContext, 1, *dir_ + "/stale.baton").ok());
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string* dir_;
  static std::string Slurp(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
};
std::string* CheckCliTest::dir_ = nullptr;

TEST_F(CheckCliTest, PassingDirectoryExitsZero) {
  RunResult r = RunCommand(kBaton + " check " + *dir_ + "/sessions");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("PASS  " + *dir_ + "/sessions/nested/pass2.baton"));
  EXPECT_THAT(r.out, HasSubstr("2 sessions: 2 passed, 0 failed"));
}

TEST_F(CheckCliTest, AFailingSessionExitsOneWithItsRootCause) {
  RunResult r = RunCommand(kBaton + " check " + *dir_ + "/sessions " + *dir_ + "/stale.baton");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out,
              HasSubstr("FAIL  " + *dir_ + "/stale.baton: researcher received planner's message"));
  EXPECT_THAT(r.out, HasSubstr("[stale_context at researcher <- planner]"));
  EXPECT_THAT(r.out, HasSubstr("3 sessions: 2 passed, 1 failed"));
}

TEST_F(CheckCliTest, BadInputExitsTwo) {
  std::ofstream(*dir_ + "/garbage.baton") << "not a baton file";
  RunResult unreadable =
      RunCommand(kBaton + " check " + *dir_ + "/garbage.baton " + *dir_ + "/sessions");
  EXPECT_EQ(unreadable.exit_code, 2);
  EXPECT_THAT(unreadable.out, HasSubstr("ERROR " + *dir_ + "/garbage.baton"));
  EXPECT_THAT(unreadable.out, HasSubstr("1 unreadable"));
  EXPECT_EQ(RunCommand(kBaton + " check /nonexistent").exit_code, 2);
  std::ofstream(*dir_ + "/typo.json") << R"({"min_qualty": 0.9})";
  RunResult policy =
      RunCommand(kBaton + " check --policy " + *dir_ + "/typo.json " + *dir_ + "/sessions");
  EXPECT_EQ(policy.exit_code, 2);
  EXPECT_THAT(policy.err, HasSubstr("min_qualty: unknown setting"));
}

TEST_F(CheckCliTest, APolicyFileChangesTheVerdict) {
  std::ofstream(*dir_ + "/lax.json") << R"({"max_staleness_ms": 60000, "require_checks": false,
                                            "min_quality": 0.1})";
  RunResult r =
      RunCommand(kBaton + " check --policy " + *dir_ + "/lax.json " + *dir_ + "/stale.baton");
  // Still failing: the outcome itself failed, though no finding remains upstream.
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("no handoff anomaly upstream explains it"));
}

TEST_F(CheckCliTest, JUnitXmlHasTheShapeCiSystemsRead) {
  std::string xml_path = *dir_ + "/report.xml";
  RunResult r = RunCommand(kBaton + " check --junit " + xml_path + " " + *dir_ + "/sessions " +
                           *dir_ + "/stale.baton");
  EXPECT_EQ(r.exit_code, 1);
  std::string xml = Slurp(xml_path);
  ASSERT_FALSE(xml.empty());
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites ", 0), 0u);
  auto count = [&](const std::string& pat) {
    std::regex re(pat);
    return std::distance(std::sregex_iterator(xml.begin(), xml.end(), re), std::sregex_iterator());
  };
  EXPECT_EQ(count("<testsuites "), 1);
  EXPECT_EQ(count("</testsuites>"), 1);
  EXPECT_EQ(count("<testsuite "), 1);
  EXPECT_EQ(count("<testcase classname=\"baton.session\""), 3);
  long findings = count("<testcase classname=\"baton.finding.");
  EXPECT_GE(findings, 3);
  // Every testcase is closed; every failure is inside one.
  EXPECT_EQ(count("<testcase "), count("</testcase>"));
  EXPECT_EQ(count("<failure "), 1 + findings);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      xml, m, std::regex("<testsuite [^>]*tests=\"(\\d+)\" failures=\"(\\d+)\"")));
  EXPECT_EQ(std::stol(m[1]), 3 + findings);
  EXPECT_EQ(std::stol(m[2]), 1 + findings);
  EXPECT_THAT(xml, HasSubstr("type=\"stale_context\""));
  EXPECT_THAT(xml, ::testing::Not(HasSubstr("<-")));  // Escaped as &lt;-.
}

TEST_F(CheckCliTest, WhyPrintsTheParagraphAndEvidenceOrJson) {
  RunResult r = RunCommand(kBaton + " why " + *dir_ + "/stale.baton");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("Root cause: stale context at the boundary researcher <- planner."));
  EXPECT_THAT(r.out, HasSubstr("evidence:\n"));
  EXPECT_THAT(r.out, HasSubstr("researcher context_read (market_data v6)"));
  RunResult j = RunCommand(kBaton + " why --json " + *dir_ + "/stale.baton");
  EXPECT_EQ(j.exit_code, 1);
  EXPECT_THAT(
      j.out,
      HasSubstr(
          R"("verdict":"fail","root_cause":{"kind":"stale_context","from":"planner","to":"researcher")"));
  RunResult pass = RunCommand(kBaton + " why " + *dir_ + "/sessions/pass1.baton");
  EXPECT_EQ(pass.exit_code, 0);
  EXPECT_THAT(pass.out, HasSubstr("No anomaly"));
  EXPECT_EQ(RunCommand(kBaton + " why /nonexistent.baton").exit_code, 2);
}

}  // namespace
}  // namespace baton
