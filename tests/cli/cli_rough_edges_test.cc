// The CLI's rough edges, each as a new user met it: unwritable outputs, directories where
// files belong, crashed recordings, unknown names. Every case names the problem and exits 2
// (bad input) instead of succeeding silently or failing late.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
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
using ::testing::Not;

const std::string kBaton = BATON_BIN;
const std::string kTeam = RESEARCH_TEAM_BIN;
const std::string kSource = BATON_SOURCE_DIR;

class CliRoughEdgesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::FreshTempDir("cli_rough_edges"));
    ASSERT_TRUE(testing::RecordScenario(Incident::kStaleContext, 1, *dir_ + "/stale.baton").ok());
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string Slurp(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  static std::string* dir_;
};
std::string* CliRoughEdgesTest::dir_ = nullptr;

TEST_F(CliRoughEdgesTest, JUnitToAnUnwritablePathIsAnError) {
  RunResult r =
      RunCommand(kBaton + " check " + *dir_ + "/stale.baton --junit /nonexistent-dir/junit.xml");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("cannot write the JUnit report"));
  EXPECT_THAT(r.err, HasSubstr("/nonexistent-dir/junit.xml"));
}

TEST_F(CliRoughEdgesTest, JUnitClassnamesNameTheFileNotTheSessionId) {
  // Two files of one session id: their findings must not share a classname.
  std::filesystem::copy_file(*dir_ + "/stale.baton", *dir_ + "/stale-copy.baton",
                             std::filesystem::copy_options::overwrite_existing);
  const std::string xml = *dir_ + "/junit.xml";
  RunResult r = RunCommand(kBaton + " check " + *dir_ + "/stale.baton " + *dir_ +
                           "/stale-copy.baton --junit " + xml);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::string junit = Slurp(xml);
  EXPECT_THAT(junit, HasSubstr("classname=\"baton.finding." + *dir_ + "/stale.baton\""));
  EXPECT_THAT(junit, HasSubstr("classname=\"baton.finding." + *dir_ + "/stale-copy.baton\""));
  std::filesystem::remove(*dir_ + "/stale-copy.baton");
}

TEST_F(CliRoughEdgesTest, CheckOfADirectoryReadsACrashedRecordingAndSaysSo) {
  const std::string crashed = *dir_ + "/crashed";
  std::filesystem::create_directories(crashed);
  // A recording whose process died: the footer and the last bytes never made it.
  std::string bytes = Slurp(*dir_ + "/stale.baton");
  {
    std::ofstream out(crashed + "/run.baton.incomplete", std::ios::binary);
    out << bytes.substr(0, bytes.size() * 2 / 3);
  }
  RunResult r = RunCommand(kBaton + " check " + crashed);
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr(crashed + "/run.baton.incomplete"));
  EXPECT_THAT(r.out, HasSubstr("did not end cleanly"));
  EXPECT_THAT(r.out, Not(HasSubstr("0 sessions")));
}

TEST_F(CliRoughEdgesTest, APolicyPathThatIsADirectoryIsNamed) {
  RunResult r = RunCommand(kBaton + " check " + *dir_ + "/stale.baton --policy " + *dir_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("is a directory"));
}

TEST_F(CliRoughEdgesTest, TheShippedExamplePolicyParsesAndHelpListsItsKeys) {
  RunResult r = RunCommand(kBaton + " check " + *dir_ + "/stale.baton --policy " + kSource +
                           "/examples/policy.json");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;  // The incident fails; the policy is fine.
  RunResult help = RunCommand(kBaton + " check --help");
  for (const char* key : {"min_quality", "min_quality_by_pair", "max_staleness_ms",
                          "max_age_ms_by_key", "max_loops", "max_loops_by_pair", "require_checks",
                          "require_understanding", "max_hidden_latency_ratio", "scorers"}) {
    EXPECT_THAT(help.out, HasSubstr(key));
    EXPECT_THAT(Slurp(kSource + "/examples/policy.json"),
                HasSubstr(std::string("\"") + key + "\""));
  }
}

// Inputs that come from a pipe: a policy written by a process substitution, a transcript on
// standard input. Before, a pipe's size (0) was taken as its length: "not valid JSON".
TEST_F(CliRoughEdgesTest, APolicyFromAPipeIsReadAsFromAFile) {
  const std::string policy = kSource + "/examples/policy.json";
  RunResult from_file = RunCommand(kBaton + " check " + *dir_ + "/stale.baton --policy " + policy);
  RunResult from_pipe = RunCommand("bash -c '" + kBaton + " check " + *dir_ +
                                   "/stale.baton --policy <(cat " + policy + ")'");
  EXPECT_EQ(from_pipe.exit_code, 1) << from_pipe.out << from_pipe.err;
  // The same verdicts and findings; the summary's elapsed time ("in 0.01 s") is the run's own.
  auto without_time = [](std::string out) {
    return std::regex_replace(out, std::regex(R"( in [0-9.]+ s\))"), ")");
  };
  EXPECT_EQ(without_time(from_pipe.out), without_time(from_file.out));
  EXPECT_THAT(from_pipe.out, HasSubstr("1 failed"));
  EXPECT_EQ(from_pipe.err, "");
}

TEST_F(CliRoughEdgesTest, ATranscriptOnStandardInputImportsAsFromAFile) {
  const std::string transcript = *dir_ + "/chat.json";
  {
    std::ofstream out(transcript);
    out << R"j({"question": "What is 6 times 7?", "ground_truth": "42", "history": [)j"
        << R"j({"role": "human", "content": "What is 6 times 7?"},)j"
        << R"j({"role": "Orchestrator (-> Assistant)", "content": "Multiply 6 by 7."},)j"
        << R"j({"role": "Assistant", "content": "6 times 7 is 48."},)j"
        << R"j({"role": "Orchestrator (termination condition)", "content": "FINAL ANSWER: 48"}]})j";
  }
  RunResult file =
      RunCommand(kBaton + " import transcript " + transcript + " -o " + *dir_ + "/chat-file.baton");
  ASSERT_EQ(file.exit_code, 0) << file.out << file.err;
  RunResult piped = RunCommand("cat " + transcript + " | " + kBaton + " import transcript - -o " +
                               *dir_ + "/chat-stdin.baton");
  ASSERT_EQ(piped.exit_code, 0) << piped.out << piped.err;
  RunResult why_file = RunCommand(kBaton + " why --json " + *dir_ + "/chat-file.baton");
  RunResult why_piped = RunCommand(kBaton + " why --json " + *dir_ + "/chat-stdin.baton");
  EXPECT_EQ(why_file.exit_code, 1) << why_file.out << why_file.err;
  EXPECT_THAT(why_file.out, HasSubstr("\"step\""));
  EXPECT_EQ(why_piped.exit_code, why_file.exit_code);
  // The same session but for the file it names.
  auto without_names = [&](std::string text) {
    for (const char* name : {"/chat-file.baton", "/chat-stdin.baton"})
      for (size_t at; (at = text.find(*dir_ + name)) != std::string::npos;)
        text.erase(at, dir_->size() + std::strlen(name));
    return text;
  };
  EXPECT_EQ(without_names(why_piped.out), without_names(why_file.out));
  RunResult nothing =
      RunCommand("printf '' | " + kBaton + " import transcript - -o " + *dir_ + "/nothing.baton");
  EXPECT_EQ(nothing.exit_code, 2);
  EXPECT_THAT(nothing.err, HasSubstr("/dev/stdin"));
}

TEST_F(CliRoughEdgesTest, ALogFromAPipeSaysToSaveItToAFileFirst) {
  RunResult r = RunCommand("bash -c '" + kBaton + " why <(cat " + *dir_ + "/stale.baton)'");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("save it to a file first"));
}

TEST_F(CliRoughEdgesTest, RecordingToADirectoryFailsBeforeTheProgramRuns) {
  RunResult r = RunCommand("BATON_RECORD=" + *dir_ + " " + kTeam + " --incident stale_context");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("is a directory"));
  EXPECT_FALSE(std::filesystem::exists(*dir_ + ".incomplete"));
  // The program did not run: it printed no report.
  EXPECT_THAT(r.out, Not(HasSubstr("final")));
}

TEST_F(CliRoughEdgesTest, ReplayToAnUnwritableOutputSaysWhyAndExitsTwo) {
  RunResult r =
      RunCommand(kBaton + " replay " + *dir_ + "/stale.baton -o /nonexistent-dir/r.baton -- " +
                 kTeam + " --incident stale_context --seed 1 --quiet");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("/nonexistent-dir/r.baton"));
  EXPECT_THAT(r.err, Not(HasSubstr("AgentRuntime")));
}

TEST_F(CliRoughEdgesTest, ReplayHelpSaysWhatTheProgramMustDo) {
  RunResult r = RunCommand(kBaton + " replay --help");
  EXPECT_THAT(r.out, HasSubstr("AgentRuntime"));
  EXPECT_THAT(r.out, HasSubstr("RuntimeOptionsFromEnvironment"));
  EXPECT_THAT(r.out, HasSubstr("replay-or-record"));
}

TEST_F(CliRoughEdgesTest, AnUnknownVerbIsNamed) {
  RunResult r = RunCommand(kBaton + " frobnicate x.baton");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown verb 'frobnicate'"));
  EXPECT_THAT(r.err, HasSubstr("check"));
}

TEST_F(CliRoughEdgesTest, AnUnknownIncidentListsTheValidOnes) {
  RunResult r = RunCommand(kTeam + " --incident nope");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("stale_context"));
  EXPECT_THAT(r.err, HasSubstr("lost_message"));
}

TEST_F(CliRoughEdgesTest, WhySkipsCorruptChunksWhenAsked) {
  const std::string damaged = kSource + "/corpora/golden-errors/bad-crc.baton";
  RunResult stop = RunCommand(kBaton + " why " + damaged);
  EXPECT_EQ(stop.exit_code, 2);
  EXPECT_THAT(stop.err, HasSubstr("--skip-corrupt"));
  RunResult skip = RunCommand(kBaton + " why --skip-corrupt " + damaged);
  EXPECT_NE(skip.exit_code, 2) << skip.err;
  EXPECT_THAT(skip.out, HasSubstr("note: skipped"));
}

TEST_F(CliRoughEdgesTest, InspectSaysWhenCorruptChunksWereSkipped) {
  RunResult r = RunCommand(kBaton + " inspect --skip-corrupt " + kSource +
                           "/corpora/golden-errors/bad-crc.baton");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("corrupt chunk(s) were skipped"));
  EXPECT_THAT(r.out, HasSubstr("events    67"));
}

TEST_F(CliRoughEdgesTest, EveryVerbThatCannotWriteItsOutputSaysSoAndExitsTwo) {
  const std::string log = *dir_ + "/stale.baton";
  for (const std::string verb : {"cat", "inspect", "why", "check"}) {
    RunResult r = RunCommand(kBaton + " " + verb + " " + log + " > /dev/full");
    EXPECT_EQ(r.exit_code, 2) << verb << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("cannot write to standard output")) << verb;
  }
}

// The incident log cut inside its last event chunk: every reading verb says so.
TEST_F(CliRoughEdgesTest, EveryReadingVerbReportsACutShortLog) {
  const std::string whole = *dir_ + "/stale.baton";
  const std::string cut = *dir_ + "/stale-cut.baton";
  std::string bytes = Slurp(whole);
  std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() * 3 / 4);
  RunResult check = RunCommand(kBaton + " check " + cut);
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_THAT(check.out, HasSubstr("did not end cleanly"));
  RunResult why = RunCommand(kBaton + " why " + cut);
  EXPECT_THAT(why.out, HasSubstr("note: recording ended abnormally at byte"));
  RunResult inspect = RunCommand(kBaton + " inspect " + cut);
  EXPECT_THAT(inspect.out, HasSubstr("end       recording ended abnormally at byte"));
  RunResult cat = RunCommand(kBaton + " cat --no-blobs " + cut);
  EXPECT_THAT(cat.err, HasSubstr("recording ended abnormally at byte"));
  RunResult diff = RunCommand(kBaton + " diff " + whole + " " + cut);
  EXPECT_THAT(diff.out, HasSubstr("note: B: recording ended abnormally at byte"));
}

TEST_F(CliRoughEdgesTest, CheckOfAFinishedLogWithACrashedRunBesideItChecksBoth) {
  const std::string finished = *dir_ + "/beside.baton";
  std::filesystem::copy_file(*dir_ + "/stale.baton", finished,
                             std::filesystem::copy_options::overwrite_existing);
  std::string bytes = Slurp(finished);
  std::ofstream(finished + ".incomplete", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  RunResult r = RunCommand(kBaton + " check " + finished);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("beside.baton.incomplete lies beside"));
  EXPECT_THAT(r.out, HasSubstr("2 sessions"));
  std::filesystem::remove(finished + ".incomplete");
}

}  // namespace
}  // namespace baton
