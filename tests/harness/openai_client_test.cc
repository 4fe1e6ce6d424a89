// OpenAiChatClient against a fake OpenAI-compatible server on loopback.
#include "harness/runtime/openai_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "harness/runtime/agent_runtime.h"
#include "replayer/trace.h"
#include "tests/testing/fake_openai_server.h"
#include "tests/testing/run_command.h"

namespace baton {
namespace {

using baton::testing::FakeOpenAiServer;
using baton::testing::FakeReply;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kKey[] = "sk-test-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c";

ModelRequest Question() {
  ModelRequest r;
  r.model = "gpt-test";
  r.parameters = {{"temperature", "0.2"}, {"user", "alice"}};
  r.messages = {{"system", Content("be brief"), "", ""}, {"user", Content("hello?"), "", ""}};
  return r;
}

std::unique_ptr<OpenAiChatClient> Client(
    const FakeOpenAiServer& server, Streaming streaming,
    std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  setenv("BATON_TEST_OPENAI_KEY", kKey, 1);
  OpenAiClientOptions o;
  o.base_url = server.base_url();
  o.api_key_env = "BATON_TEST_OPENAI_KEY";
  o.streaming = streaming;
  o.timeout = timeout;
  auto c = OpenAiChatClient::Create(o);
  EXPECT_TRUE(c.ok());
  return std::move(c).value();
}

TEST(OpenAiClientTest, PlainResponse) {
  FakeOpenAiServer server;
  server.Enqueue({200, FakeOpenAiServer::CompletionBody("Hello there"), {}, {}});
  auto r = Client(server, Streaming::kOff)->Complete(Question());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->content.text, "Hello there");
  EXPECT_EQ(r->finish_reason, "stop");
  EXPECT_EQ(r->usage.total_tokens, 15u);
  auto got = server.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].path, "/v1/chat/completions");
  EXPECT_EQ(got[0].authorization, std::string("Bearer ") + kKey);
  EXPECT_THAT(got[0].body, HasSubstr(R"("model":"gpt-test")"));
  EXPECT_THAT(got[0].body, HasSubstr(R"("temperature":0.2)"));
  EXPECT_THAT(got[0].body, HasSubstr(R"("user":"alice")"));
  EXPECT_THAT(got[0].body, HasSubstr(R"("stream":false)"));
}

TEST(OpenAiClientTest, StreamedResponseKeepsChunksAndTheirArrivalOffsets) {
  FakeOpenAiServer server;
  FakeReply reply;
  reply.delay = std::chrono::milliseconds(30);
  reply.sse_events = {
      R"({"choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]})",
      R"({"choices":[{"index":0,"delta":{"content":"lo"}}]})",
      R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})",
      R"({"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}})",
      "[DONE]"};
  server.Enqueue(reply);
  auto r = Client(server, Streaming::kOn)->Complete(Question());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->content.text, "Hello");
  EXPECT_EQ(r->finish_reason, "stop");
  EXPECT_EQ(r->usage.total_tokens, 7u);
  ASSERT_EQ(r->chunks.size(), 2u);
  EXPECT_EQ(r->chunks[0].text, "Hel");
  EXPECT_EQ(r->chunks[1].text, "lo");
  EXPECT_GT(r->chunks[1].offset_ns, r->chunks[0].offset_ns);
  EXPECT_THAT(server.received()[0].body, HasSubstr(R"("stream":true)"));
}

TEST(OpenAiClientTest, StreamedToolCallsAreAssembled) {
  FakeOpenAiServer server;
  FakeReply reply;
  reply.sse_events = {
      R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","function":{"name":"search","arguments":"{\"q\":"}}]}}]})",
      R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"acme\"}"}}]}}]})",
      R"({"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})", "[DONE]"};
  server.Enqueue(reply);
  auto r = Client(server, Streaming::kOn)->Complete(Question());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->tool_calls.size(), 1u);
  EXPECT_EQ(r->tool_calls[0].id, "call_1");
  EXPECT_EQ(r->tool_calls[0].name, "search");
  EXPECT_EQ(r->tool_calls[0].arguments_json.text, R"({"q":"acme"})");
  EXPECT_EQ(r->finish_reason, "tool_calls");
}

TEST(OpenAiClientTest, ServerErrorsAreRetryableClientErrorsAreNot) {
  FakeOpenAiServer server;
  server.Enqueue({503, R"({"error":"overloaded"})", {}, {}});
  server.Enqueue({400, R"({"error":"bad request"})", {}, {}});
  auto client = Client(server, Streaming::kOff);
  auto a = client->Complete(Question());
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), Status::Code::kUnavailable);
  EXPECT_THAT(a.status().message(), HasSubstr("HTTP 503"));
  auto b = client->Complete(Question());
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_THAT(b.status().message(), HasSubstr("HTTP 400"));
}

TEST(OpenAiClientTest, SlowServerTimesOut) {
  FakeOpenAiServer server;
  server.Enqueue(
      {200, FakeOpenAiServer::CompletionBody("late"), {}, std::chrono::milliseconds(800)});
  auto r = Client(server, Streaming::kOff, std::chrono::milliseconds(100))->Complete(Question());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kDeadlineExceeded);
  EXPECT_THAT(r.status().message(), HasSubstr("timed out after 100 ms"));
}

TEST(OpenAiClientTest, RefusedConnectionIsUnavailable) {
  unsigned port = 0;
  {
    FakeOpenAiServer gone;  // Take a port, then close it.
    port = std::stoi(gone.base_url().substr(17));
  }
  OpenAiClientOptions o;
  o.base_url = "http://127.0.0.1:" + std::to_string(port) + "/v1";
  o.api_key_env = "";
  auto r = (*OpenAiChatClient::Create(o))->Complete(Question());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kUnavailable);
}

TEST(OpenAiClientTest, MalformedBodiesAreClearErrors) {
  EXPECT_EQ(ParseChatCompletion("{not json").status().code(), Status::Code::kCorruption);
  auto no_choices = ParseChatCompletion(R"({"choices":[]})");
  ASSERT_FALSE(no_choices.ok());
  EXPECT_THAT(no_choices.status().message(), HasSubstr("no choices"));
  EXPECT_FALSE(OpenAiChatClient::Create({.base_url = "ftp://x"}).ok());
}

TEST(OpenAiClientTest, RetriesAreRecordedAsRetriesAndTheKeyNeverReachesTheFile) {
  FakeOpenAiServer server;
  server.Enqueue({503, "busy", {}, {}});
  server.Enqueue({429, "slow down", {}, {}});
  server.Enqueue({200, FakeOpenAiServer::CompletionBody("done"), {}, {}});
  auto client = Client(server, Streaming::kOff);
  std::string path = baton::testing::FreshTempDir("openai_retries") + "/run.baton";
  RuntimeOptions ro;
  ro.mode = ReplayMode::kRecord;
  ro.record_path = path;
  ro.retry.initial_backoff = std::chrono::milliseconds(10);
  {
    auto rt = AgentRuntime::Create(ro, client.get(), nullptr);
    ASSERT_TRUE(rt.ok());
    ModelRequest q = Question();
    q.messages.Mutable(1).content = std::string("my key is ") + kKey;  // Redacted before writing.
    auto r = (*rt)->CallModel("agent", q);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->content.text, "done");
    ASSERT_TRUE((*rt)->Finish().ok());
  }
  auto t = Trace::Load(path);
  ASSERT_TRUE(t.ok());
  std::vector<std::string> kinds;
  for (const Event& e : t->events()) kinds.push_back(std::string(KindName(e.kind())));
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"model_call", "retry", "model_call", "retry", "model_call"}));
  EXPECT_THAT(t->events()[0].As<ModelCall>()->error, HasSubstr("HTTP 503"));
  EXPECT_THAT(t->events()[2].As<ModelCall>()->error, HasSubstr("HTTP 429"));
  EXPECT_EQ(t->events()[4].As<ModelCall>()->attempt, 3u);
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_THAT(bytes, Not(HasSubstr(kKey)));
}

}  // namespace
}  // namespace baton
