// The `baton` binary end to end: inspect, cat and synth on the golden corpora.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/testing/run_command.h"

namespace {

using ::testing::HasSubstr;

using baton::testing::RunCommand;
using baton::testing::RunResult;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

RunResult Baton(const std::string& args) { return RunCommand(std::string(BATON_BIN) + " " + args); }

const std::string kCorpora = std::string(BATON_SOURCE_DIR) + "/corpora";

TEST(CliTest, InspectSummarizesAValidLog) {
  RunResult r = Baton("inspect " + kCorpora + "/golden/synth-small.baton");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("end       closed cleanly"));
  EXPECT_THAT(r.out, HasSubstr("session   synth-7-0"));
  EXPECT_THAT(r.out, HasSubstr("model_call 6"));
  EXPECT_THAT(r.out, HasSubstr("dedup"));
}

TEST(CliTest, InspectReportsAnAbnormalEndAndBadInput) {
  RunResult cut = Baton("inspect " + kCorpora + "/golden-errors/truncated.baton");
  EXPECT_EQ(cut.exit_code, 0);
  EXPECT_THAT(cut.out, HasSubstr("recording ended abnormally at byte"));
  RunResult foreign = Baton("inspect " + kCorpora + "/golden-errors/not-a-baton.baton");
  EXPECT_EQ(foreign.exit_code, 2);
  EXPECT_THAT(foreign.err, HasSubstr("not a .baton file"));
  RunResult newer = Baton("inspect " + kCorpora + "/golden-errors/newer-version.baton");
  EXPECT_EQ(newer.exit_code, 2);
  EXPECT_THAT(newer.err, HasSubstr("requires reader version 99"));
}

TEST(CliTest, CatPrintsTheDocumentedJsonLines) {
  RunResult r = Baton("cat " + kCorpora + "/golden/synth-small.baton");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, Slurp(kCorpora + "/golden/synth-small.jsonl"));
  RunResult refs = Baton("cat --no-blobs " + kCorpora + "/golden/synth-small.baton");
  EXPECT_EQ(refs.exit_code, 0);
  EXPECT_THAT(refs.out, HasSubstr("{\"blob\":"));
  EXPECT_LT(refs.out.size(), r.out.size());
}

TEST(CliTest, CatSelectsEventsBySeqAndKind) {
  const std::string file = kCorpora + "/golden/synth-small.baton";
  std::vector<std::string> all;
  {
    std::istringstream lines(Baton("cat " + file).out);
    for (std::string l; std::getline(lines, l);) all.push_back(l + "\n");
  }
  ASSERT_GE(all.size(), 3u);
  // The selected lines are exactly the whole output's lines with that seq or kind.
  EXPECT_EQ(Baton("cat " + file + " --seq 2").out, all[1]);
  EXPECT_EQ(Baton("cat " + file + " --seq 3 --seq 1").out, all[0] + all[2]);
  std::string sends;
  for (const std::string& l : all)
    if (l.find("\"kind\":\"message_send\"") != std::string::npos) sends += l;
  EXPECT_FALSE(sends.empty());
  EXPECT_EQ(Baton("cat " + file + " --kind message_send").out, sends);
  EXPECT_EQ(Baton("cat " + file + " --seq 999999").out, "");
  RunResult bad = Baton("cat " + file + " --kind no_such_kind");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("no_such_kind"));
}

TEST(CliTest, CatStopsAtCorruptionUnlessAskedToSkip) {
  std::string file = kCorpora + "/golden-errors/bad-crc.baton";
  RunResult stop = Baton("cat " + file);
  EXPECT_EQ(stop.exit_code, 2);
  EXPECT_THAT(stop.err, HasSubstr("crc32c mismatch"));
  EXPECT_THAT(stop.err, HasSubstr("--skip-corrupt"));
  RunResult skip = Baton("cat --skip-corrupt " + file);
  EXPECT_EQ(skip.exit_code, 0);
  EXPECT_THAT(skip.err, HasSubstr("skipped"));
  EXPECT_GT(skip.out.size(), 0u);
}

TEST(CliTest, SynthWritesReadableSessions) {
  std::string dir = ::testing::TempDir() + "/baton_synth_" + std::to_string(getpid());
  RunResult r = Baton("synth -o " + dir + " --sessions 3 --turns 4 --agents 3 --seed 5");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (int i = 0; i < 3; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "/synth-%04d.baton", i);
    RunResult inspect = Baton("inspect " + dir + name);
    EXPECT_EQ(inspect.exit_code, 0) << inspect.err;
    EXPECT_THAT(inspect.out, HasSubstr("model_call 4"));
  }
  std::filesystem::remove_all(dir);
  RunResult bad = Baton("synth -o /tmp/x.baton --agents 1");
  EXPECT_EQ(bad.exit_code, 2);
}

}  // namespace
