// The incident library (corpora/): each checked-in session gets the verdict, finding kinds
// and root-cause boundary of its .expect.json; replaying its scenario program against it
// matches; and rebuilding it from the manifest gives an equivalent session.
#include <capnp/compat/json.h>
#include <capnp/message.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "assertions/root_cause.h"
#include "harness/examples/research_team.h"
#include "replayer/session_diff.h"
#include "tests/testing/run_command.h"

namespace baton {
namespace {

const std::string kCorpora = std::string(BATON_SOURCE_DIR) + "/corpora";

struct Scenario {
  std::string name;
  examples::ResearchTeamOptions options;
};
// Test names and messages show the scenario's name, not the parameter's bytes (which change
// from run to run and break `ctest -R` and CI history).
void PrintTo(const Scenario& s, std::ostream* os) { *os << s.name; }

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<Scenario> Manifest() {
  std::vector<Scenario> out;
  std::istringstream in(Slurp(kCorpora + "/scenarios/manifest.tsv"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    size_t start = 0;
    while (true) {
      size_t tab = line.find('\t', start);
      cols.push_back(line.substr(start, tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    Scenario s;
    s.name = cols.at(0);
    auto incident = examples::ParseIncident(cols.at(1));
    if (!incident) ADD_FAILURE() << "manifest: unknown incident " << cols.at(1);
    s.options.incident = incident.value_or(examples::Incident::kNone);
    s.options.seed = std::stoull(cols.at(2));
    if (cols.size() > 3 && !cols[3].empty()) s.options.task = cols[3];
    out.push_back(s);
  }
  return out;
}

struct Expected {
  std::string verdict;
  std::set<std::string> findings;
  bool has_root = false;
  std::string kind, from, to;
};

Result<Expected> LoadExpected(const std::string& path) {
  std::string text = Slurp(path);
  if (text.empty()) return Status::NotFound(path);
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<capnp::JsonValue>();
  capnp::JsonCodec codec;
  codec.decodeRaw(kj::ArrayPtr<const char>(text.data(), text.size()), root);
  Expected e;
  for (auto f : root.asReader().getObject()) {
    auto v = f.getValue();
    if (f.getName() == "verdict") e.verdict = v.getString();
    if (f.getName() == "findings")
      for (auto k : v.getArray()) e.findings.insert(k.getString());
    if (f.getName() == "root_cause" && v.isObject()) {
      e.has_root = true;
      for (auto r : v.getObject()) {
        if (r.getName() == "kind") e.kind = r.getValue().getString();
        if (r.getName() == "from") e.from = r.getValue().getString();
        if (r.getName() == "to") e.to = r.getValue().getString();
      }
    }
  }
  return e;
}

// Runs the scenario as the program does, in `mode` (record, or replay of `recording`),
// recording to `out`. A lost message stalls the run on purpose: its result is not checked.
examples::ResearchTeamRun RunScenario(const Scenario& s, ReplayMode mode,
                                      const std::string& recording, const std::string& out) {
  RuntimeOptions ro = examples::ResearchTeamRuntimeOptions(s.options);
  ro.mode = mode;
  ro.replay_path = recording;
  ro.record_path = out;
  return examples::RunResearchTeamOn(ro, s.options);
}

class CorpusTest : public ::testing::TestWithParam<Scenario> {
 protected:
  std::string path() const { return kCorpora + "/" + GetParam().name + ".baton"; }
};

TEST_P(CorpusTest, VerdictFindingsAndRootCauseMatchTheExpectation) {
  auto expected = LoadExpected(kCorpora + "/" + GetParam().name + ".expect.json");
  ASSERT_TRUE(expected.ok()) << expected.status().ToString();
  auto trace = Trace::Load(path());
  ASSERT_TRUE(trace.ok()) << trace.status().ToString();
  Analysis a = Analyze(*trace, Policy{}, ScorerSet::Defaults());
  Explanation ex = Explain(*trace, a);
  EXPECT_EQ(ex.passed ? "pass" : "fail", expected->verdict) << ex.paragraph;
  std::set<std::string> kinds;
  for (const Finding& f : a.findings) kinds.insert(std::string(FindingKindName(f.kind)));
  EXPECT_EQ(kinds, expected->findings) << ex.paragraph;
  ASSERT_EQ(ex.root.has_value(), expected->has_root) << ex.paragraph;
  if (ex.root) {
    EXPECT_EQ(FindingKindName(ex.root->kind), expected->kind);
    EXPECT_EQ(ex.root->from, expected->from);
    EXPECT_EQ(ex.root->to, expected->to);
  }
}

TEST_P(CorpusTest, ReplayingTheScenarioProgramMatchesTheRecording) {
  std::string out = testing::FreshTempDir("corpus_replay_" + GetParam().name) + "/replayed.baton";
  examples::ResearchTeamRun o = RunScenario(GetParam(), ReplayMode::kReplay, path(), out);
  Status run = o.report.ok() ? Status::Ok() : o.report.status();
  EXPECT_NE(run.code(), Status::Code::kDiverged) << run.ToString();
  EXPECT_TRUE(o.replay.matched) << o.replay.Render();
  auto a = Trace::Load(path()), b = Trace::Load(out);
  ASSERT_TRUE(a.ok() && b.ok());
  auto d = DiffSessions(*a, *b);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->equivalent) << d->Render();
}

TEST_P(CorpusTest, RebuildingFromTheManifestGivesAnEquivalentSession) {
  std::string out = testing::FreshTempDir("corpus_rebuild_" + GetParam().name) + "/rebuilt.baton";
  examples::ResearchTeamRun o = RunScenario(GetParam(), ReplayMode::kRecord, "", out);
  EXPECT_TRUE(o.finish.ok()) << o.finish.ToString();
  auto a = Trace::Load(path()), b = Trace::Load(out);
  ASSERT_TRUE(a.ok() && b.ok());
  SessionDiffOptions timing;
  timing.timing = CompareTiming::kCompare;  // Virtual time: even durations must agree.
  auto d = DiffSessions(*a, *b, timing);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->equivalent) << d->Render();
}

INSTANTIATE_TEST_SUITE_P(Incidents, CorpusTest, ::testing::ValuesIn(Manifest()),
                         [](const auto& info) { return info.param.name; });

TEST(CorpusCheckTest, BatonCheckOverTheLibrary) {
  std::string files;
  size_t passes = 0, sessions = 0;
  for (const Scenario& s : Manifest()) {
    files += " " + kCorpora + "/" + s.name + ".baton";
    auto expected = LoadExpected(kCorpora + "/" + s.name + ".expect.json");
    ASSERT_TRUE(expected.ok()) << expected.status().message();
    passes += expected->verdict == "pass";
    ++sessions;
  }
  testing::RunResult r = testing::RunCommand(std::string(BATON_BIN) + " check" + files);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, ::testing::HasSubstr(std::to_string(sessions) +
                                          " sessions: " + std::to_string(passes) + " passed, " +
                                          std::to_string(sessions - passes) + " failed"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("PASS  " + kCorpora + "/healthy_seed3.baton"));
}

}  // namespace
}  // namespace baton
