// The foundations the capture paths build on: redaction that replays, the replay modes, a
// test fixture that cannot pass on nothing, whole-file helpers that report every error,
// JSON parse errors that name their input, checks that print their values, and the
// runtime's parts running against the narrow interface they need.
#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>
#include <zstd.h>

#include <fstream>
#include <optional>
#include <thread>

#include "base/file_io.h"
#include "base/json_parse.h"
#include "base/mem_env.h"
#include "harness/handoff_tool.h"
#include "harness/runtime/agent_runtime.h"
#include "harness/runtime/context_store.h"
#include "harness/runtime/model_client.h"
#include "harness/testing/baton_test.h"
#include "replayer/event_json.h"
#include "replayer/log_reader.h"
#include "tests/testing/run_command.h"

namespace baton {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Sets environment variables for one scope and restores them however the scope ends (an
// ASSERT returning early included).
class ScopedEnv {
 public:
  void Set(const char* name, const char* value) {
    Save(name);
    setenv(name, value, 1);
  }
  void Unset(const char* name) {
    Save(name);
    unsetenv(name);
  }
  ~ScopedEnv() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second) {
        setenv(it->first.c_str(), it->second->c_str(), 1);
      } else {
        unsetenv(it->first.c_str());
      }
    }
  }

 private:
  void Save(const char* name) {
    const char* v = getenv(name);
    saved_.emplace_back(name, v ? std::optional<std::string>(v) : std::nullopt);
  }
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

constexpr char kSecret[] = "sk-proj-Zq8Xw3RtY6uI9oP2aS5dF7gH1jK4lM0n";

// An agent whose prompt carries a credential (a user pasted it; a tool echoed it).
Status AgentWithASecret(AgentRuntime& rt, const std::string& variant) {
  ModelRequest r;
  r.model = "gpt-4o";
  r.messages = {
      {"system", "You are the researcher" + variant, "", ""},
      {"user", std::string("Use the key ") + kSecret + " to call the billing API", "", ""}};
  auto first = rt.CallModel("researcher", r);
  if (!first.ok()) return first.status();
  r.messages.push_back({"assistant", first->content, "", ""});
  r.messages.push_back({"user", "and summarize", "", ""});
  auto second = rt.CallModel("researcher", r);
  return second.ok() ? Status::Ok() : second.status();
}

std::unique_ptr<ScriptedModel> EchoModel() {
  return std::make_unique<ScriptedModel>([](const ModelRequest& r, ScriptedCall&) {
    ModelResponse resp;
    resp.content = "answer to: " + r.messages.back().content.text;
    return Result<ModelResponse>(resp);
  });
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Every zstd frame in the file, decompressed: what a reader of the chunks would see.
std::string DecompressedFrames(const std::string& bytes) {
  std::string all;
  const unsigned char magic[4] = {0x28, 0xB5, 0x2F, 0xFD};
  for (size_t at = bytes.find(reinterpret_cast<const char*>(magic), 0, 4); at != std::string::npos;
       at = bytes.find(reinterpret_cast<const char*>(magic), at + 1, 4)) {
    size_t frame = ZSTD_findFrameCompressedSize(bytes.data() + at, bytes.size() - at);
    if (ZSTD_isError(frame)) continue;
    unsigned long long size = ZSTD_getFrameContentSize(bytes.data() + at, frame);
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > (64u << 20))
      continue;
    std::string out(size, '\0');
    size_t n = ZSTD_decompress(out.data(), out.size(), bytes.data() + at, frame);
    if (!ZSTD_isError(n)) all += out.substr(0, n);
  }
  return all;
}

// Records AgentWithASecret on the echo model, on virtual time, to `path`.
::testing::AssertionResult RecordAgentWithASecret(const std::string& path) {
  auto model = EchoModel();
  RuntimeOptions ro;
  ro.mode = ReplayMode::kRecord;
  ro.record_path = path;
  ro.time = TimeSource::kVirtual;
  auto rt = AgentRuntime::Create(ro, model.get(), nullptr);
  if (!rt.ok()) return ::testing::AssertionFailure() << rt.status().ToString();
  Status ran = AgentWithASecret(**rt, "");
  Status finished = (*rt)->Finish();
  if (!ran.ok()) return ::testing::AssertionFailure() << ran.ToString();
  if (!finished.ok()) return ::testing::AssertionFailure() << finished.ToString();
  return ::testing::AssertionSuccess();
}

class RedactionReplayTest : public ::testing::Test {
 protected:
  std::string dir_ = testing::FreshTempDir("redaction_replay");
};

TEST_F(RedactionReplayTest, ASecretInAPromptReplaysStrictlyAndNeverReachesTheFile) {
  const std::string recorded = dir_ + "/secret.baton";
  ASSERT_TRUE(RecordAgentWithASecret(recorded));
  const std::string bytes = Slurp(recorded);
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.find(kSecret), std::string::npos);
  const std::string frames = DecompressedFrames(bytes);
  EXPECT_GT(frames.size(), 100u);
  EXPECT_EQ(frames.find(kSecret), std::string::npos);
  EXPECT_THAT(frames, HasSubstr("<redacted:"));

  RuntimeOptions ro;
  ro.mode = ReplayMode::kReplay;
  ro.replay_path = recorded;
  ro.record_path = dir_ + "/replayed.baton";
  ro.time = TimeSource::kVirtual;
  auto rt = AgentRuntime::Create(ro, nullptr, nullptr);  // No live model: all from the log.
  ASSERT_TRUE(rt.ok()) << rt.status().ToString();
  EXPECT_TRUE(AgentWithASecret(**rt, "").ok());
  ReplayReport report = (*rt)->replay_report();
  EXPECT_TRUE(report.matched) << report.Render();
  EXPECT_TRUE(report.divergences.empty()) << report.Render();
  EXPECT_EQ(report.served, 2u);
  EXPECT_TRUE((*rt)->Finish().ok());
  EXPECT_EQ(Slurp(dir_ + "/replayed.baton").find(kSecret), std::string::npos);
}

TEST_F(RedactionReplayTest, TheDefaultKeyIsStableAndTheUserCanSetIt) {
  ScopedEnv env;
  env.Unset("BATON_REDACTION_KEY");
  auto a = Redactor::Create({}), b = Redactor::Create({});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->Pseudonym(kSecret), b->Pseudonym(kSecret));
  env.Set("BATON_REDACTION_KEY", "team-wide");
  auto c = Redactor::Create({});
  RedactionOptions explicit_key;
  explicit_key.key = "team-wide";
  auto d = Redactor::Create(explicit_key);
  ASSERT_TRUE(c.ok() && d.ok());
  EXPECT_NE(a->Pseudonym(kSecret), c->Pseudonym(kSecret));
  EXPECT_EQ(c->Pseudonym(kSecret), d->Pseudonym(kSecret));
}

TEST_F(RedactionReplayTest, ReplayOrRecordAfterACodeChangeIsNotAFailure) {
  const std::string recorded = dir_ + "/base.baton";
  ASSERT_TRUE(RecordAgentWithASecret(recorded));
  auto model = EchoModel();
  RuntimeOptions ro;
  ro.mode = ReplayMode::kReplayOrRecord;
  ro.replay_path = recorded;
  ro.record_path = dir_ + "/changed.baton";
  ro.time = TimeSource::kVirtual;
  auto rt = AgentRuntime::Create(ro, model.get(), nullptr);
  ASSERT_TRUE(rt.ok());
  ASSERT_TRUE(AgentWithASecret(**rt, " (new prompt)").ok());
  ReplayReport report = (*rt)->replay_report();
  EXPECT_EQ(report.served_live, 2u);
  EXPECT_TRUE(report.matched) << report.Render();
  EXPECT_THAT(report.Render(), HasSubstr("answered live"));
  EXPECT_TRUE((*rt)->Finish().ok());
}

TEST(RuntimeModesTest, BatonReplayModeAcceptsEveryModeTheApiHas) {
  ScopedEnv env;
  env.Unset("BATON_RECORD");
  env.Unset("BATON_REPLAY");
  env.Set("BATON_REPLAY", "/tmp/x.baton");
  env.Set("BATON_RECORD", "/tmp/y.baton");
  for (ReplayMode m : {ReplayMode::kReplay, ReplayMode::kReplayOrRecord, ReplayMode::kRecord,
                       ReplayMode::kPassthrough}) {
    env.Set("BATON_REPLAY_MODE", std::string(ReplayModeName(m)).c_str());
    auto o = RuntimeOptionsFromEnvironment({});
    ASSERT_TRUE(o.ok()) << ReplayModeName(m) << ": " << o.status().ToString();
    EXPECT_EQ(o->mode, m);
  }
  env.Set("BATON_REPLAY_MODE", "sometimes");
  auto bad = RuntimeOptionsFromEnvironment({});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("passthrough"));
  env.Unset("BATON_REPLAY");
  env.Set("BATON_REPLAY_MODE", "replay");
  EXPECT_FALSE(RuntimeOptionsFromEnvironment({}).ok());
  env.Unset("BATON_REPLAY_MODE");
  auto record_only = RuntimeOptionsFromEnvironment({});
  ASSERT_TRUE(record_only.ok());
  EXPECT_EQ(record_only->mode, ReplayMode::kRecord);
  EXPECT_EQ(record_only->record_path, "/tmp/y.baton");
}

// BatonTest cannot pass on nothing.
class ReplayProbe : public BatonTest {
 public:
  void TestBody() override {}
  using BatonTest::Replay;
};

// Agents that never touch the runtime they are given.
Status IdleAgents(AgentRuntime&) { return Status::Ok(); }

void ReplayWithIdleAgents(const std::string& recording) {
  ReplayProbe probe;
  probe.Replay(recording, IdleAgents);
}

TEST(BatonTestFixtureTest, AReplayOfAMissingFileFailsTheTest) {
  EXPECT_NONFATAL_FAILURE(ReplayWithIdleAgents("/nonexistent/run.baton"),
                          "cannot replay /nonexistent/run.baton");
}

TEST(BatonTestFixtureTest, AReplayThatServesNothingFailsTheTest) {
  static std::string recorded;
  recorded = testing::FreshTempDir("fixture_nothing") + "/r.baton";
  ASSERT_TRUE(RecordAgentWithASecret(recorded));
  EXPECT_NONFATAL_FAILURE(ReplayWithIdleAgents(recorded), "served no call");
}

TEST(BatonTestFixtureTest, TracePassesRefusesAnEmptyTraceUnlessAsked) {
  Trace empty = Trace::FromEvents(SessionHeader{}, {});
  Policy policy;
  ::testing::AssertionResult r = TracePasses("empty", "policy", empty, policy);
  EXPECT_FALSE(r);
  EXPECT_THAT(r.message(), HasSubstr("has no events"));
  policy.empty_trace = EmptyTrace::kPasses;
  EXPECT_TRUE(TracePasses("empty", "policy", empty, policy));
}

void CheckSeqOrder(int last, int seq) { BATON_CHECK_LT(last, seq); }
void CheckWithMessage(int two) { BATON_CHECK_MSG(two == 3, "arithmetic"); }

TEST(CheckDeathTest, ComparisonChecksPrintBothValues) {
  EXPECT_DEATH(CheckSeqOrder(9, 7), "last < seq.*values: 9 and 7");
  EXPECT_DEATH(CheckWithMessage(2), "two == 3.*arithmetic");
}

TEST(FileIoTest, WritesReadBackAndEveryFailureIsReported) {
  MemEnv env;
  ASSERT_TRUE(WriteStringToFile(env, "hello", "a.txt").ok());
  auto read = ReadFileToString(env, "a.txt");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, "hello");
  EXPECT_FALSE(env.FileExists("a.txt.tmp"));
  auto too_big = ReadFileToString(env, "a.txt", /*max_bytes=*/3);
  ASSERT_FALSE(too_big.ok());
  EXPECT_THAT(too_big.status().message(), HasSubstr("over the limit"));
  EXPECT_EQ(ReadFileToString(env, "missing.txt").status().code(), Status::Code::kNotFound);
  env.MakeDirectory("reports");
  Status dir = WriteStringToFile(env, "x", "reports");
  EXPECT_THAT(dir.message(), HasSubstr("is a directory"));
  env.FailWritesAfter(2);
  Status full = WriteStringToFile(env, "a longer text", "b.txt");
  EXPECT_EQ(full.code(), Status::Code::kIOError) << full.ToString();
  EXPECT_FALSE(env.FileExists("b.txt"));  // Nothing half-written under the final name.
}

// A pipe, a FIFO or standard input has no size until it ends (`--policy <(jq ...)`): it is
// read to its end, a read at a time, and the limit still holds.
TEST(FileIoTest, AStreamIsReadToItsEndUnderTheSameLimit) {
  MemEnv env;
  std::string text;
  for (int i = 0; i < 30000; ++i) text += "line " + std::to_string(i) + "\n";
  env.SetContents("pipe", text);
  env.MakeStream("pipe", 4093);  // Reads hand out less than asked, as a pipe's do.
  auto read = ReadFileToString(env, "pipe");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, text);
  auto too_big = ReadFileToString(env, "pipe", /*max_bytes=*/text.size() - 1);
  ASSERT_FALSE(too_big.ok());
  EXPECT_THAT(too_big.status().message(), HasSubstr("over the limit"));
  EXPECT_TRUE(ReadFileToString(env, "pipe", /*max_bytes=*/text.size()).ok());
  env.SetContents("empty", "");
  env.MakeStream("empty", 1);
  auto empty = ReadFileToString(env, "empty");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, "");
}

TEST(FileIoTest, ARealPipeIsReadWholeAndAFileOnlyToItsSize) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::string text(300 << 10, 'x');  // Larger than a pipe's buffer: the writer must wait.
  for (size_t i = 0; i < text.size(); i += 97) text[i] = static_cast<char>('a' + i % 26);
  std::thread writer([&] {
    size_t done = 0;
    while (done < text.size()) {
      ssize_t n = ::write(fds[1], text.data() + done, text.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ::close(fds[1]);
  });
  std::unique_ptr<Env> env = NewPosixEnv();
  auto read = ReadFileToString(*env, "/dev/fd/" + std::to_string(fds[0]));
  writer.join();
  ::close(fds[0]);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_TRUE(*read == text) << read->size() << " bytes of " << text.size();
  // A pipe opened for reading at offsets says what it is instead of failing obscurely.
  ASSERT_EQ(::pipe(fds), 0);
  ASSERT_EQ(::write(fds[1], "abc", 3), 3);
  auto random = env->NewRandomAccessFile("/dev/fd/" + std::to_string(fds[0]));
  ASSERT_TRUE(random.ok());
  char scratch[3];
  auto at = (*random)->Read(0, 3, scratch);
  ::close(fds[0]);
  ::close(fds[1]);
  ASSERT_FALSE(at.ok());
  EXPECT_THAT(at.status().message(), HasSubstr("save it to a file first"));
}

TEST(HandoffToolTest, TransferAndHandoffToolsNameTheirAgentAndNoOtherToolDoes) {
  EXPECT_EQ(HandoffToolTarget("transfer_to_billing_agent"), "billing_agent");
  EXPECT_EQ(HandoffToolTarget("handoff_to_writer"), "writer");
  EXPECT_EQ(HandoffToolTarget("transfer_to_"), std::nullopt);  // No agent named.
  EXPECT_EQ(HandoffToolTarget("web_search"), std::nullopt);
  EXPECT_EQ(HandoffToolTarget("my_transfer_to_x"), std::nullopt);  // A prefix, not a substring.
  // Google ADK's one transfer tool names the agent in its arguments.
  EXPECT_EQ(HandoffToolTarget("transfer_to_agent", R"({"agent_name": "billing"})"), "billing");
  EXPECT_EQ(HandoffToolTarget("transfer_to_agent", "{}"), std::nullopt);
  EXPECT_EQ(HandoffToolTarget("transfer_to_agent", "not json"), std::nullopt);
  EXPECT_EQ(HandoffToolTarget("transfer_to_agent", R"({"agent_name": 7})"), std::nullopt);
}

TEST(HandoffToolTest, AHandoffCarriesWhatTheSenderSaidThenItsArguments) {
  EXPECT_EQ(HandoffMessage("Over to you.", R"({"task": "EU"})"),
            "Over to you.\n{\"task\": \"EU\"}");
  EXPECT_EQ(HandoffMessage("Over to you.", "{}"), "Over to you.");  // {} says nothing.
  EXPECT_EQ(HandoffMessage("Over to you.", ""), "Over to you.");
  EXPECT_EQ(HandoffMessage("", "{}"), "{}");
  EXPECT_EQ(HandoffMessage("", R"({"task": "EU"})"), R"({"task": "EU"})");
}

TEST(HandoffToolTest, EachFrameworksHandoffToolNamesItsAgent) {
  // LangGraph's supervisor: a worker hands back with transfer_back_to_<supervisor>.
  EXPECT_EQ(HandoffToolTarget("transfer_back_to_supervisor"), "supervisor");
  EXPECT_EQ(HandoffToolTarget("transfer_back_to_"), std::nullopt);
  // Semantic Kernel: the Handoff plugin's function, as <plugin>-<function>.
  EXPECT_EQ(HandoffToolTarget("Handoff-transfer_to_Summarizer"), "Summarizer");
  EXPECT_EQ(HandoffToolTarget("search-web"), std::nullopt);
  EXPECT_EQ(HandoffToolTarget("transfer_to_billing-agent"), "billing-agent");
  // Strands Agents' swarm.
  EXPECT_EQ(HandoffToolTarget("handoff_to_agent",
                              R"({"agent_name": "coder", "message": "write it", "context": {}})"),
            "coder");
  EXPECT_EQ(HandoffToolTarget("handoff_to_agent", R"({"message": "to whom?"})"), std::nullopt);
  // LlamaIndex's AgentWorkflow.
  EXPECT_EQ(HandoffToolTarget("handoff", R"({"to_agent": "WriteAgent", "reason": "notes done"})"),
            "WriteAgent");
  EXPECT_EQ(HandoffToolTarget("handoff", "{}"), std::nullopt);
  // CrewAI's delegation tools, as its ReAct prompt and as function calling name them.
  EXPECT_EQ(HandoffToolTarget("Delegate work to coworker",
                              R"({"task": "t", "context": "c", "coworker": "Senior Researcher"})"),
            "Senior Researcher");
  EXPECT_EQ(HandoffToolTarget("ask_question_to_coworker",
                              R"({"question": "q", "context": "c", "coworker": "Writer"})"),
            "Writer");
  // Agno's teams.
  EXPECT_EQ(HandoffToolTarget("delegate_task_to_member",
                              R"({"member_id": "web-researcher", "task": "find it"})"),
            "web-researcher");
  EXPECT_EQ(HandoffToolTarget("transfer_task_to_member",
                              R"({"member_id": "writer", "task_description": "d"})"),
            "writer");
  // The Claude Agent SDK's subagents; a tool of the same name without a subagent is not one.
  EXPECT_EQ(HandoffToolTarget("Task", R"({"subagent_type": "code-reviewer", "prompt": "p"})"),
            "code-reviewer");
  EXPECT_EQ(HandoffToolTarget("task", R"({"title": "buy milk"})"), std::nullopt);
}

TEST(JsonParseTest, ErrorsNameTheInputAndDocumentsOwnTheirMemory) {
  auto bad = JsonDocument::Parse("{\"a\": [1, 2", "the request body");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Status::Code::kCorruption);
  EXPECT_THAT(bad.status().message(), HasSubstr("the request body: not valid JSON"));
  std::optional<JsonDocument> kept;
  {
    std::string text = "{\"model\": \"gpt-4o\", \"n\": 2}";
    auto ok = JsonDocument::Parse(text, "x");
    ASSERT_TRUE(ok.ok());
    kept.emplace(std::move(ok).value());
  }
  ASSERT_TRUE(kept->root().isObject());
  EXPECT_EQ(JsonText(kept->root()), "{\"model\":\"gpt-4o\",\"n\":2}");
}

// The runtime's parts need only SessionEvents: a fake stands in for the whole runtime.
class FakeSessionEvents final : public SessionEvents {
 public:
  uint64_t Record(const std::string& agent, EventBody body, uint64_t cause) override {
    Event e;
    e.seq = events.size() + 1;
    e.agent = agent;
    e.cause = cause;
    e.body = std::move(body);
    events.push_back(std::move(e));
    return events.back().seq;
  }
  ReplaySession* replay() override { return nullptr; }
  std::vector<Event> events;
};

TEST(SessionEventsTest, TheContextStoreRecordsThroughTheNarrowInterface) {
  FakeSessionEvents fake;
  ContextStore store(fake);
  ContextValue v1 = store.Write("planner", "market_data", "v1 text");
  ContextValue v2 = store.Write("planner", "market_data", "v2 text");
  auto read = store.Read("researcher", "market_data", v2.write_seq);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->version, 2u);
  ASSERT_EQ(fake.events.size(), 3u);
  EXPECT_EQ(fake.events[0].As<ContextWrite>()->version, v1.version);
  EXPECT_EQ(fake.events[2].As<ContextRead>()->version, 2u);
  EXPECT_EQ(fake.events[2].cause, v2.write_seq);
}

}  // namespace
}  // namespace baton
