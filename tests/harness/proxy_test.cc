// The model-API proxy against a fake upstream on loopback: record plain and streamed calls
// of two agents, then replay them with the upstream gone: the same bytes, framed the same
// way, no upstream request; a miss gets 424 naming the agent; credentials never reach the
// file; agents, handoffs and tool calls come out of the traffic. The client is curl: what any
// program in any language sends.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "harness/portable_tool_calls.h"
#include "harness/proxy/agent_inference.h"
#include "harness/proxy/model_api.h"
#include "harness/proxy/proxy_server.h"
#include "harness/proxy/sdk_traces.h"
#include "replayer/log_reader.h"
#include "replayer/trace.h"
#include "tests/testing/fake_openai_server.h"
#include "tests/testing/run_command.h"

namespace baton::proxy {
namespace {

using baton::testing::FakeOpenAiServer;
using baton::testing::FakeReply;
using baton::testing::RunCommand;
using baton::testing::RunResult;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kKey[] = "sk-proj-Abc123Def456Ghi789Jkl012Mno345";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// POSTs `body` to the proxy as an SDK would; returns status line + headers + body (-i).
RunResult Post(const std::string& origin, const std::string& path, const std::string& body_file,
               const std::string& extra = "") {
  return RunCommand(
      "curl -sS -i -N --max-time 20 -H 'Content-Type: application/json' "
      "-H 'Authorization: Bearer " +
      std::string(kKey) + "' " + extra + " --data-binary @" + body_file + " " + origin + path);
}

std::string BodyOf(const std::string& response) {
  size_t at = response.find("\r\n\r\n");
  return at == std::string::npos ? "" : response.substr(at + 4);
}

SessionHeader Header(const std::string& id) {
  SessionHeader h;
  h.session_id = id;
  return h;
}

const char kPlannerRequest[] =
    R"({"model":"gpt-4o","messages":[{"role":"system","content":"You are the planner."},)"
    R"({"role":"user","content":"assess the EU market"}],"temperature":0.2,)"
    R"("tools":[{"type":"function","function":{"name":"transfer_to_researcher","description":"Hand off","parameters":{"type":"object"}}}]})";
// The same request, spelled differently: key order, whitespace, number spelling.
const char kPlannerRequestRespelled[] =
    R"({ "temperature": 2e-1, "messages": [ {"content": "You are the planner.", "role": "system"},)"
    R"( {"role": "user", "content": "assess the EU market"} ], "model": "gpt-4o",)"
    R"( "tools": [{"function": {"parameters": {"type": "object"}, "description": "Hand off", "name": "transfer_to_researcher"}, "type": "function"}]})";
const char kResearcherRequest[] =
    R"({"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":[)"
    R"({"role":"system","content":"You are the researcher."},{"role":"user","content":"EU market"}]})";

const char kHandoffReply[] =
    R"({"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":null,)"
    R"("tool_calls":[{"id":"call_h1","type":"function","function":{"name":"transfer_to_researcher","arguments":"{\"task\":\"EU market\"}"}}]},)"
    R"("finish_reason":"tool_calls"}],"usage":{"prompt_tokens":30,"completion_tokens":9,"total_tokens":39}})";

class ProxyTest : public ::testing::Test {
 protected:
  std::string dir_ = baton::testing::FreshTempDir("proxy");
  std::string recording_ = dir_ + "/run.baton";
  std::string planner_ = WriteFile(dir_ + "/planner.json", kPlannerRequest);
  std::string planner_respelled_ = WriteFile(dir_ + "/planner2.json", kPlannerRequestRespelled);
  std::string researcher_ = WriteFile(dir_ + "/researcher.json", kResearcherRequest);

  // A proxy recording to recording_ in front of `upstream`; Finish() stops it and closes the
  // file. `o` sets anything else (limits, timeouts, the Anthropic upstream).
  struct Recording {
    std::unique_ptr<Recorder> recorder;
    std::unique_ptr<ProxyServer> proxy;
    ::testing::AssertionResult Finish() {
      proxy->Stop();
      Status closed = recorder->Close();
      if (!closed.ok()) return ::testing::AssertionFailure() << closed.ToString();
      return ::testing::AssertionSuccess();
    }
  };
  // A proxy replaying recording_ strictly. Its upstream is a port where nothing listens:
  // any request forwarded instead of served would fail.
  struct Replaying {
    std::unique_ptr<ReplaySession> session;
    std::unique_ptr<ProxyServer> proxy;
  };
  std::optional<Replaying> StartReplaying(Pace pace = Pace::kFast) {
    auto session = ReplaySession::Open(recording_, ReplayOptions{});
    if (!session.ok()) {
      ADD_FAILURE() << session.status().ToString();
      return std::nullopt;
    }
    ProxyOptions o;
    o.mode = ReplayMode::kReplay;
    o.replay = session->get();
    o.openai_upstream = "http://127.0.0.1:9/v1";
    o.pace = pace;
    auto proxy = ProxyServer::Start(o);
    if (!proxy.ok()) {
      ADD_FAILURE() << proxy.status().ToString();
      return std::nullopt;
    }
    return Replaying{std::move(session).value(), std::move(proxy).value()};
  }

  std::optional<Recording> StartRecording(const std::string& upstream, const std::string& id,
                                          ProxyOptions o = {}) {
    auto rec = Recorder::Create(recording_, Header(id));
    if (!rec.ok()) {
      ADD_FAILURE() << rec.status().ToString();
      return std::nullopt;
    }
    o.recorder = rec->get();
    o.openai_upstream = upstream;
    auto proxy = ProxyServer::Start(o);
    if (!proxy.ok()) {
      ADD_FAILURE() << proxy.status().ToString();
      return std::nullopt;
    }
    return Recording{std::move(rec).value(), std::move(proxy).value()};
  }

  // Records the two agents' calls through a proxy in front of the fake upstream; returns
  // the responses the client saw.
  std::vector<std::string> RecordSession() {
    FakeOpenAiServer upstream;
    upstream.Enqueue({200, kHandoffReply, {}, std::chrono::milliseconds(0)});
    upstream.Enqueue(
        {200,
         "",
         {R"({"choices":[{"index":0,"delta":{"role":"assistant","content":"Growth "}}]})",
          R"({"choices":[{"index":0,"delta":{"content":"is 2%."},"finish_reason":"stop"}]})",
          R"({"choices":[],"usage":{"prompt_tokens":20,"completion_tokens":4,"total_tokens":24}})",
          "[DONE]"},
         std::chrono::milliseconds(30)});
    auto recording = StartRecording(upstream.base_url(), "proxied");
    if (!recording) return std::vector<std::string>(2);  // StartRecording failed the test.
    std::vector<std::string> seen;
    for (const std::string* body : {&planner_, &researcher_}) {
      RunResult r = Post(recording->proxy->origin(), "/v1/chat/completions", *body);
      EXPECT_EQ(r.exit_code, 0) << r.err;
      seen.push_back(r.out);
    }
    EXPECT_TRUE(recording->Finish());
    EXPECT_EQ(upstream.received().size(), 2u);
    for (const auto& req : upstream.received())
      EXPECT_THAT(req.authorization, HasSubstr(kKey));  // Forwarded, never recorded.
    return seen;
  }
};

TEST_F(ProxyTest, RecordsStructuredCallsAgentsAndHandoffs) {
  std::vector<std::string> seen = RecordSession();
  EXPECT_THAT(seen[0], HasSubstr("transfer_to_researcher"));
  EXPECT_THAT(seen[1], HasSubstr("data: [DONE]"));
  auto trace = Trace::Load(recording_);
  ASSERT_TRUE(trace.ok()) << trace.status().ToString();
  std::vector<const ModelCall*> calls;
  std::vector<std::string> agents;
  bool sent = false, delivered = false;
  for (const Event& e : trace->events()) {
    if (auto* c = e.As<ModelCall>()) {
      calls.push_back(c);
      agents.push_back(e.agent);
    }
    if (auto* s = e.As<MessageSend>()) sent = e.agent == "planner" && s->to == "researcher";
    if (auto* d = e.As<MessageDelivery>())
      delivered = e.agent == "researcher" && d->from == "planner";
  }
  ASSERT_EQ(calls.size(), 2u);
  // The planner by its prompt ("You are the planner."), the researcher by the handoff.
  EXPECT_EQ(agents, (std::vector<std::string>{"planner", "researcher"}));
  EXPECT_TRUE(sent);
  EXPECT_TRUE(delivered);
  EXPECT_EQ(calls[0]->http.api, "openai.chat");
  EXPECT_EQ(calls[0]->http.status, 200u);
  EXPECT_EQ(calls[0]->request.model, "gpt-4o");
  ASSERT_EQ(calls[0]->response.tool_calls.size(), 1u);
  EXPECT_EQ(calls[0]->response.usage.total_tokens, 39u);
  EXPECT_EQ(calls[1]->response.content.text, "Growth is 2%.");
  EXPECT_EQ(calls[1]->response.chunks.size(), 4u);
  EXPECT_EQ(calls[1]->response.usage.total_tokens, 24u);
  // Frames keep their arrival: the fake upstream waits 30 ms before each.
  EXPECT_GT(calls[1]->response.chunks.back().offset_ns,
            calls[1]->response.chunks.front().offset_ns);
  // The credential went upstream but reached no byte of the file.
  EXPECT_EQ(Slurp(recording_).find(kKey), std::string::npos);
  RunResult cat = RunCommand(std::string(BATON_BIN) + " cat " + recording_);
  EXPECT_EQ(cat.out.find(kKey), std::string::npos);
  EXPECT_THAT(cat.out, Not(HasSubstr("authorization")));
}

TEST_F(ProxyTest, ReplaysTheSameBytesWithoutTheUpstream) {
  std::vector<std::string> seen = RecordSession();  // The upstream is gone after this.
  auto replaying = StartReplaying();
  ASSERT_TRUE(replaying);
  auto& proxy = replaying->proxy;
  RunResult plain = Post(proxy->origin(), "/v1/chat/completions", planner_respelled_);
  RunResult streamed = Post(proxy->origin(), "/v1/chat/completions", researcher_);
  EXPECT_EQ(BodyOf(plain.out), BodyOf(seen[0]));
  EXPECT_EQ(BodyOf(streamed.out), BodyOf(seen[1]));
  EXPECT_THAT(streamed.out, HasSubstr("text/event-stream"));
  ProxyStats stats = proxy->stats();
  EXPECT_EQ(stats.served, 2u);
  EXPECT_EQ(stats.forwarded, 0u);
  EXPECT_TRUE(replaying->session->Report().matched) << replaying->session->Report().Render();
}

// A recording whose agents have other names than this version infers (agent-1, from before
// agents were named by their prompts' roles; or names a header gave) still replays: the
// agent the recording does not know is the recorded agent whose next call it is.
TEST_F(ProxyTest, ARecordingThatNamesTheAgentsOtherwiseStillReplays) {
  {
    FakeOpenAiServer upstream;
    upstream.Enqueue({200, kHandoffReply, {}, std::chrono::milliseconds(0)});
    auto recording = StartRecording(upstream.base_url(), "older");
    ASSERT_TRUE(recording);
    RunResult r = Post(recording->proxy->origin(), "/v1/chat/completions", planner_,
                       "-H 'X-Baton-Agent: agent-1'");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(recording->Finish());
  }
  auto trace = Trace::Load(recording_);
  ASSERT_TRUE(trace.ok()) << trace.status().ToString();
  EXPECT_THAT(trace->agents(), ::testing::ElementsAre("agent-1"));
  auto replaying = StartReplaying();
  ASSERT_TRUE(replaying);
  RunResult served = Post(replaying->proxy->origin(), "/v1/chat/completions", planner_);
  EXPECT_THAT(served.out, HasSubstr("transfer_to_researcher"));
  EXPECT_EQ(replaying->proxy->stats().served, 1u);
  EXPECT_TRUE(replaying->session->Report().matched) << replaying->session->Report().Render();
}

TEST_F(ProxyTest, AMissIs424WithTheAgentAndTheDiff) {
  RecordSession();
  auto replaying = StartReplaying();
  ASSERT_TRUE(replaying);
  auto& proxy = replaying->proxy;
  std::string changed = kPlannerRequest;
  changed.replace(changed.find("assess the EU market"), 20, "assess the US market");
  RunResult r =
      Post(proxy->origin(), "/v1/chat/completions", WriteFile(dir_ + "/changed.json", changed));
  EXPECT_THAT(r.out, HasSubstr("HTTP/1.1 424"));
  EXPECT_THAT(r.out, HasSubstr("baton_replay_miss"));
  EXPECT_THAT(r.out, HasSubstr("planner's request"));
  EXPECT_THAT(r.out, HasSubstr("{+US+}"));  // The field diff.
  EXPECT_EQ(proxy->stats().misses, 1u);
}

TEST_F(ProxyTest, BadInputGetsAClearAnswerAndTheProxyKeepsServing) {
  FakeOpenAiServer upstream;
  upstream.Enqueue(
      {200, FakeOpenAiServer::CompletionBody("fine"), {}, std::chrono::milliseconds(0)});
  ProxyOptions o;
  o.anthropic_upstream = "http://127.0.0.1:9";  // Refuses connections.
  o.max_body_bytes = 4096;
  auto recording = StartRecording(upstream.base_url(), "bad-input", o);
  ASSERT_TRUE(recording);
  std::string big = WriteFile(dir_ + "/big.json", std::string(10000, 'x'));
  RunResult too_big = Post(recording->proxy->origin(), "/v1/chat/completions", big);
  EXPECT_THAT(too_big.out, HasSubstr("HTTP/1.1 413"));
  RunResult refused = Post(recording->proxy->origin(), "/v1/messages", planner_);
  EXPECT_THAT(refused.out, HasSubstr("HTTP/1.1 502"));
  EXPECT_THAT(refused.out, HasSubstr("\"type\":\"error\""));  // Anthropic's error shape.
  // Not JSON: forwarded as an opaque exchange, and the proxy still serves.
  RunResult not_json = Post(recording->proxy->origin(), "/v1/chat/completions",
                            WriteFile(dir_ + "/junk.txt", "{not json"));
  EXPECT_THAT(not_json.out, HasSubstr("HTTP/1.1 200"));
  ASSERT_TRUE(recording->Finish());
  auto trace = Trace::Load(recording_);
  ASSERT_TRUE(trace.ok());
  int calls = 0;
  for (const Event& e : trace->events())
    if (e.As<ModelCall>()) ++calls;
  EXPECT_EQ(calls, 2);  // The refused call and the opaque one; the 413 never left.
}

// The verbs end to end, with a program that knows nothing of baton: a shell script calling
// the API with curl at $OPENAI_BASE_URL.
TEST_F(ProxyTest, RecordAndReplayVerbsRunAnyProgram) {
  const std::string script =
      WriteFile(dir_ + "/agents.sh",
                "#!/bin/sh\nset -e\n"
                "curl -sS -H 'Content-Type: application/json' -H 'Authorization: Bearer " +
                    std::string(kKey) + "' --data-binary @" + planner_ +
                    " \"$OPENAI_BASE_URL/chat/completions\"\necho\n"
                    "curl -sS -N -H 'Content-Type: application/json' --data-binary @" +
                    researcher_ + " \"$OPENAI_BASE_URL/chat/completions\"\n");
  const std::string baton = BATON_BIN;
  RunResult recorded;
  {
    FakeOpenAiServer upstream;
    upstream.Enqueue({200, kHandoffReply, {}, std::chrono::milliseconds(0)});
    upstream.Enqueue({200,
                      "",
                      {R"({"choices":[{"index":0,"delta":{"content":"ok"}}]})", "[DONE]"},
                      std::chrono::milliseconds(5)});
    recorded = RunCommand(baton + " record -o " + recording_ +
                          " --upstream openai=" + upstream.base_url() + " -- sh " + script);
    EXPECT_EQ(recorded.exit_code, 0) << recorded.err;
    EXPECT_THAT(recorded.err, HasSubstr("2 model API call(s) recorded"));
    EXPECT_EQ(upstream.received().size(), 2u);
  }
  RunResult inspect = RunCommand(baton + " inspect " + recording_);
  EXPECT_THAT(inspect.out, HasSubstr("closed cleanly"));
  EXPECT_THAT(inspect.out, HasSubstr("agents    planner, researcher (from the events)"));
  RunResult replayed = RunCommand(baton + " replay " + recording_ +
                                  " --upstream openai=http://127.0.0.1:9/v1 -- sh " + script);
  EXPECT_EQ(replayed.exit_code, 0) << replayed.out << replayed.err;
  EXPECT_THAT(replayed.out, HasSubstr("replay matched: 2 calls served"));
  // A program whose request changed: the miss is reported and the verb exits 1.
  const std::string changed_script =
      WriteFile(dir_ + "/changed.sh",
                "#!/bin/sh\ncurl -sS -H 'Content-Type: application/json' "
                "--data-binary '{\"model\":\"gpt-4o\",\"messages\":[]}' "
                "\"$OPENAI_BASE_URL/chat/completions\"\n");
  RunResult diverged = RunCommand(baton + " replay " + recording_ + " -- sh " + changed_script);
  EXPECT_EQ(diverged.exit_code, 1) << diverged.out << diverged.err;
  EXPECT_THAT(diverged.out, HasSubstr("baton_replay_miss"));
}

// An incident planted in the upstream's answers: the researcher hands the writer a refusal.
// `baton why` on the proxied session names that boundary, from the traffic alone.
TEST_F(ProxyTest, WhyNamesThePlantedBoundaryOfAProxiedSession) {
  FakeOpenAiServer upstream;
  upstream.Enqueue({200, kHandoffReply, {}, std::chrono::milliseconds(0)});
  upstream.Enqueue(
      {200,
       R"({"choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_h2","type":"function","function":{"name":"transfer_to_writer","arguments":"{\"findings\":\"I'm sorry, but I can't help with that request.\"}"}}]},"finish_reason":"tool_calls"}]})",
       {},
       std::chrono::milliseconds(0)});
  upstream.Enqueue({200,
                    FakeOpenAiServer::CompletionBody("The EU market report."),
                    {},
                    std::chrono::milliseconds(0)});
  auto recording = StartRecording(upstream.base_url(), "planted");
  ASSERT_TRUE(recording);
  const std::string researcher = WriteFile(
      dir_ + "/r.json",
      R"({"model":"gpt-4o","messages":[{"role":"system","content":"You are the researcher."},{"role":"user","content":"EU market"}]})");
  const std::string writer = WriteFile(
      dir_ + "/w.json",
      R"({"model":"gpt-4o","messages":[{"role":"system","content":"You are the writer."},{"role":"user","content":"write it up"}]})");
  for (const std::string& body : {planner_, researcher, writer})
    EXPECT_EQ(Post(recording->proxy->origin(), "/v1/chat/completions", body).exit_code, 0);
  ASSERT_TRUE(recording->Finish());
  RunResult why = RunCommand(std::string(BATON_BIN) + " why " + recording_);
  EXPECT_EQ(why.exit_code, 1) << why.out << why.err;
  EXPECT_THAT(why.out, HasSubstr("boundary writer <- researcher"));
  EXPECT_THAT(why.out, HasSubstr("refusal"));
}

TEST_F(ProxyTest, AnUpstreamThatHangsGets504AndIsRecordedAsAFailedCall) {
  FakeOpenAiServer upstream;
  upstream.Enqueue(
      {200, FakeOpenAiServer::CompletionBody("late"), {}, std::chrono::milliseconds(3000)});
  ProxyOptions o;
  o.upstream_timeout = std::chrono::milliseconds(200);
  auto recording = StartRecording(upstream.base_url(), "hang", o);
  ASSERT_TRUE(recording);
  RunResult r = Post(recording->proxy->origin(), "/v1/chat/completions", planner_);
  EXPECT_THAT(r.out, HasSubstr("HTTP/1.1 504"));
  EXPECT_THAT(r.out, HasSubstr("baton_upstream_timeout"));
  ASSERT_TRUE(recording->Finish());
  auto trace = Trace::Load(recording_);
  ASSERT_TRUE(trace.ok());
  const ModelCall* call = nullptr;
  for (const Event& e : trace->events())
    if (e.As<ModelCall>()) call = e.As<ModelCall>();
  ASSERT_NE(call, nullptr);
  EXPECT_EQ(call->http.status, 504u);
  EXPECT_EQ(call->error_code, CallErrorCode::kDeadlineExceeded);
}

TEST_F(ProxyTest, PaceRecordedReplaysTheStreamsTiming) {
  RecordSession();  // The researcher's stream: four frames, 30 ms before each.
  auto trace = Trace::Load(recording_);
  ASSERT_TRUE(trace.ok());
  int64_t last_offset = 0;
  for (const Event& e : trace->events())
    if (auto* c = e.As<ModelCall>(); c && !c->response.chunks.empty())
      last_offset = c->response.chunks.back().offset_ns;
  ASSERT_GT(last_offset, 60'000'000);
  for (Pace pace : {Pace::kFast, Pace::kRecorded}) {
    auto replaying = StartReplaying(pace);
    ASSERT_TRUE(replaying);
    auto& proxy = replaying->proxy;
    Post(proxy->origin(), "/v1/chat/completions", planner_);
    auto t0 = std::chrono::steady_clock::now();
    RunResult r = Post(proxy->origin(), "/v1/chat/completions", researcher_);
    int64_t took =
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    EXPECT_THAT(r.out, HasSubstr("[DONE]"));
    if (pace == Pace::kRecorded) {
      EXPECT_GE(took, last_offset - 5'000'000) << "the recorded gaps were not kept";
    } else {
      EXPECT_LT(took, last_offset + 500'000'000);  // Bounded; the point is it needs no wait.
    }
  }
}

TEST_F(ProxyTest, AnXBatonAgentHeaderNamesTheAgent) {
  FakeOpenAiServer upstream;
  for (int i = 0; i < 2; ++i)
    upstream.Enqueue(
        {200, FakeOpenAiServer::CompletionBody("ok"), {}, std::chrono::milliseconds(0)});
  auto recording = StartRecording(upstream.base_url(), "header");
  ASSERT_TRUE(recording);
  // One system prompt, two agents: only the header tells them apart.
  Post(recording->proxy->origin(), "/v1/chat/completions", planner_, "-H 'X-Baton-Agent: critic'");
  Post(recording->proxy->origin(), "/v1/chat/completions", planner_, "-H 'X-Baton-Agent: editor'");
  ASSERT_TRUE(recording->Finish());
  auto trace = Trace::Load(recording_);
  ASSERT_TRUE(trace.ok());
  std::vector<std::string> agents;
  for (const Event& e : trace->events())
    if (e.As<ModelCall>()) agents.push_back(e.agent);
  EXPECT_EQ(agents, (std::vector<std::string>{"critic", "editor"}));
  for (const auto& req : upstream.received()) EXPECT_THAT(req.body, HasSubstr("gpt-4o"));
}

TEST_F(ProxyTest, AStreamCutOffUpstreamIsRecordedAndReplayedCutOff) {
  FakeReply cut{200,
                "",
                {R"({"choices":[{"index":0,"delta":{"content":"Half "}}]})",
                 R"({"choices":[{"index":0,"delta":{"content":"an answer"}}]})", "[DONE]"},
                std::chrono::milliseconds(5)};
  cut.cut_after_events = 2;
  {
    FakeOpenAiServer upstream;
    upstream.Enqueue(cut);
    upstream.Enqueue(
        {200, FakeOpenAiServer::CompletionBody("after"), {}, std::chrono::milliseconds(0)});
    auto recording = StartRecording(upstream.base_url(), "cut");
    ASSERT_TRUE(recording);
    RunResult r = Post(recording->proxy->origin(), "/v1/chat/completions", researcher_);
    EXPECT_NE(r.exit_code, 0);  // curl sees the transfer end early.
    EXPECT_THAT(r.out, HasSubstr("Half "));
    // The proxy keeps serving.
    RunResult next = Post(recording->proxy->origin(), "/v1/chat/completions", planner_);
    EXPECT_THAT(next.out, HasSubstr("after"));
    ASSERT_TRUE(recording->Finish());
  }
  auto trace = Trace::Load(recording_);
  ASSERT_TRUE(trace.ok());
  const ModelCall* first = nullptr;
  for (const Event& e : trace->events())
    if (auto* c = e.As<ModelCall>(); c && first == nullptr) first = c;
  ASSERT_NE(first, nullptr);
  EXPECT_TRUE(first->http.stream_cut);
  EXPECT_EQ(first->response.content.text, "Half an answer");
  EXPECT_EQ(first->error_code, CallErrorCode::kUnavailable);

  auto replaying = StartReplaying();
  ASSERT_TRUE(replaying);
  auto& proxy = replaying->proxy;
  RunResult replayed = Post(proxy->origin(), "/v1/chat/completions", researcher_);
  EXPECT_NE(replayed.exit_code, 0);
  EXPECT_THAT(replayed.out, HasSubstr("an answer"));
  EXPECT_THAT(replayed.out, Not(HasSubstr("[DONE]")));
}

// A client resends the assistant's answer in its history with the members the API returned
// beside the content ("refusal": null, tool_calls): kept apart from the text, the resent
// answer is the same text, and the same blob, as the answer it repeats.
const std::string kLongAnswer(300, 'x');

TEST_F(ProxyTest, AnAnswerResentInTheHistoryIsStoredOnce) {
  FakeOpenAiServer upstream;
  for (int i = 0; i < 2; ++i)
    upstream.Enqueue(
        {200,
         R"({"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":")" +
             kLongAnswer + R"(","refusal":null},"finish_reason":"stop"}]})",
         {},
         std::chrono::milliseconds(0)});
  auto recording = StartRecording(upstream.base_url(), "resent");
  ASSERT_TRUE(recording);
  const std::string second = WriteFile(
      dir_ + "/second.json",
      R"({"model":"gpt-4o","messages":[{"role":"system","content":"You are the planner."},)"
      R"({"role":"user","content":"assess the EU market"},{"role":"assistant","content":")" +
          kLongAnswer + R"(","refusal":null},{"role":"user","content":"and the US?"}]})");
  for (const std::string& body : {planner_, second})
    EXPECT_EQ(Post(recording->proxy->origin(), "/v1/chat/completions", body).exit_code, 0);
  ASSERT_TRUE(recording->Finish());
  auto t = Trace::Load(recording_);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  std::vector<const ModelCall*> calls;
  for (const Event& e : t->events())
    if (const auto* c = e.As<ModelCall>()) calls.push_back(c);
  ASSERT_EQ(calls.size(), 2u);
  const ChatMessage& resent = calls[1]->request.messages[2];
  EXPECT_EQ(resent.content.text, kLongAnswer);
  EXPECT_EQ(resent.extra, R"({"refusal":null})");
  EXPECT_NE(calls[0]->response.content.blob, 0u);
  EXPECT_EQ(resent.content.blob, calls[0]->response.content.blob);
  EXPECT_EQ(MessageExtrasOf(*t), MessageExtras::kSeparate);
}

// A recording made before ChatMessage::extra holds a message's other members after its
// content. The proxy reads live requests the way the recording it replays holds them.
TEST_F(ProxyTest, ARecordingFromBeforeMessageExtrasStillMatches) {
  const std::string with_extra = WriteFile(
      dir_ + "/extra.json",
      R"({"model":"gpt-4o","messages":[{"role":"system","content":"You are the planner."},)"
      R"({"role":"assistant","content":"earlier","refusal":null},{"role":"user","content":"go"}]})");
  {
    FakeOpenAiServer upstream;
    upstream.Enqueue({200, kHandoffReply, {}, std::chrono::milliseconds(0)});
    auto recording = StartRecording(upstream.base_url(), "legacy");
    ASSERT_TRUE(recording);
    EXPECT_EQ(Post(recording->proxy->origin(), "/v1/chat/completions", with_extra).exit_code, 0);
    ASSERT_TRUE(recording->Finish());
  }
  // Rewritten as the older proxy wrote it: the extra members after the content.
  auto recorded = Trace::Load(recording_);
  ASSERT_TRUE(recorded.ok());
  {
    auto rec = Recorder::Create(recording_ + ".old", recorded->header());
    ASSERT_TRUE(rec.ok());
    for (Event e : recorded->events()) {
      if (auto* call = std::get_if<ModelCall>(&e.body)) {
        MessageList legacy;
        for (ChatMessage m : call->request.messages) {
          if (!m.extra.empty()) m.content = Content(m.content.text + "\n" + m.extra);
          m.extra.clear();
          legacy.push_back(std::move(m));
        }
        call->request.messages = std::move(legacy);
      }
      EXPECT_NE((*rec)->RecordWithTimes(std::move(e)), 0u);
    }
    ASSERT_TRUE((*rec)->Close().ok());
  }
  std::filesystem::rename(recording_ + ".old", recording_);
  auto old = Trace::Load(recording_);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(MessageExtrasOf(*old), MessageExtras::kAfterContent);
  auto replaying = StartReplaying();
  ASSERT_TRUE(replaying);
  RunResult r = Post(replaying->proxy->origin(), "/v1/chat/completions", with_extra);
  EXPECT_THAT(r.out, HasSubstr("HTTP/1.1 200")) << r.out;
  EXPECT_EQ(replaying->proxy->stats().misses, 0u);
}

// Azure OpenAI names the model by its deployment in the path, and its REST examples send no
// model in the body: the proxy records the deployment as the model. A recording made before
// it (no model) still replays: `baton replay` matches its Azure calls without the model, and
// says so.
TEST_F(ProxyTest, AzureDeploymentsAreTheModelAndOlderRecordingsStillReplay) {
  const std::string path = "/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21";
  const std::string body = WriteFile(
      dir_ + "/azure.json", R"({"messages":[{"role":"user","content":"assess the EU market"}]})");
  {
    FakeOpenAiServer upstream;
    upstream.Enqueue({200, kHandoffReply, {}, std::chrono::milliseconds(0)});
    auto recording = StartRecording(upstream.base_url(), "azure");
    ASSERT_TRUE(recording);
    EXPECT_EQ(Post(recording->proxy->origin(), path, body).exit_code, 0);
    ASSERT_TRUE(recording->Finish());
  }
  auto recorded = Trace::Load(recording_);
  ASSERT_TRUE(recorded.ok());
  const ModelCall* call = nullptr;
  for (const Event& e : recorded->events())
    if (e.As<ModelCall>()) call = e.As<ModelCall>();
  ASSERT_NE(call, nullptr);
  EXPECT_EQ(call->request.model, "gpt4o-prod");
  EXPECT_EQ(AzureDeploymentOf("/v1/deployments/d1/embeddings"), "d1");
  EXPECT_EQ(AzureDeploymentOf("/v1/chat/completions?deployments/x"), "");

  // As the proxy recorded it before: no model.
  const std::string old_recording = dir_ + "/azure_old.baton";
  {
    auto rec = Recorder::Create(old_recording, recorded->header());
    ASSERT_TRUE(rec.ok());
    for (Event e : recorded->events()) {
      if (auto* c = std::get_if<ModelCall>(&e.body)) c->request.model.clear();
      EXPECT_NE((*rec)->RecordWithTimes(std::move(e)), 0u);
    }
    ASSERT_TRUE((*rec)->Close().ok());
  }
  // A client as Azure's REST examples call it, from where `baton replay` points clients.
  const std::string client =
      WriteFile(dir_ + "/azure_client.sh",
                "curl -sS --max-time 20 -H 'Content-Type: application/json' --data-binary @" +
                    body + " \"${OPENAI_BASE_URL%/v1}" + path + "\"\n");
  for (const std::string& file : {recording_, old_recording}) {
    SCOPED_TRACE(file);
    RunResult replayed = RunCommand(std::string(BATON_BIN) + " replay " + file +
                                    " --upstream openai=http://127.0.0.1:9/v1 -- sh " + client);
    EXPECT_EQ(replayed.exit_code, 0) << replayed.out << replayed.err;
    EXPECT_THAT(replayed.out, HasSubstr("transfer_to_researcher"));
    EXPECT_THAT(replayed.out, HasSubstr("replay matched: 1 calls served"));
    EXPECT_EQ(replayed.err.find("without their deployment") != std::string::npos,
              file == old_recording)
        << replayed.err;
  }
}

// An Agents SDK span in the ingest shape.
std::string Span(const std::string& id, const std::string& parent, const std::string& started,
                 const std::string& span_data) {
  return R"({"object":"trace.span","id":")" + id + R"(","trace_id":"trace_1","parent_id":)" +
         (parent.empty() ? std::string("null") : "\"" + parent + "\"") + R"(,"started_at":")" +
         started + R"(","ended_at":null,"span_data":)" + span_data + R"(,"error":null})";
}

// The SDK's traces name one system prompt's calls as two agents, and a handoff the traffic
// never showed: both checks fail and say why. A trace post that is not JSON is kept, and
// the proxy goes on.
TEST_F(ProxyTest, SdkTracesThatContradictTheInferenceFailTheirChecks) {
  FakeOpenAiServer upstream;
  for (const char* id : {"chatcmpl-a", "chatcmpl-b"}) {
    FakeReply r;
    r.body = std::string(R"({"id":")") + id +
             R"(","object":"chat.completion","choices":[{"index":0,"message":{"role":)"
             R"("assistant","content":"ok"},"finish_reason":"stop"}]})";
    upstream.Enqueue(std::move(r));
  }
  for (int i = 0; i < 2; ++i) {
    FakeReply accepted;
    accepted.body = "{}";
    upstream.Enqueue(std::move(accepted));
  }
  auto recording = StartRecording(upstream.base_url(), "traced");
  ASSERT_TRUE(recording);
  Post(recording->proxy->origin(), "/v1/chat/completions", planner_);
  Post(recording->proxy->origin(), "/v1/chat/completions", planner_);
  const std::string traces = WriteFile(
      dir_ + "/traces.json",
      R"({"data":[{"object":"trace","id":"trace_1"},)" +
          Span("s1", "", "2026-01-01T00:00:00Z", R"({"type":"agent","name":"Critic"})") + "," +
          Span("s2", "s1", "2026-01-01T00:00:01Z",
               R"({"type":"generation","output":[{"id":"chatcmpl-a"}]})") +
          "," +
          Span("s3", "s1", "2026-01-01T00:00:02Z",
               R"({"type":"handoff","from_agent":"Critic","to_agent":"Editor"})") +
          "]}");
  // The editor's spans come in a later post, its generation before its agent span.
  const std::string later = WriteFile(
      dir_ + "/later.json",
      R"({"data":[)" +
          Span("s5", "s4", "2026-01-01T00:00:04Z",
               R"({"type":"generation","output":[{"id":"chatcmpl-b"}]})") +
          "," + Span("s4", "", "2026-01-01T00:00:03Z", R"({"type":"agent","name":"Editor"})") +
          "]}");
  const std::string garbage = WriteFile(dir_ + "/garbage.json", "{not json");
  for (const std::string* body : {&traces, &garbage, &later})
    EXPECT_EQ(Post(recording->proxy->origin(), "/v1/traces/ingest", *body).exit_code, 0);
  ASSERT_TRUE(recording->Finish());
  auto trace = Trace::Load(recording_);
  ASSERT_TRUE(trace.ok()) << trace.status().ToString();
  std::vector<const Check*> checks;
  size_t spans = 0, calls = 0;
  for (const Event& e : trace->events()) {
    if (const Check* c = e.As<Check>()) checks.push_back(c);
    spans += e.As<SpanStart>() != nullptr;
    calls += e.As<ModelCall>() != nullptr;
  }
  EXPECT_EQ(spans, 3u) << "every post is kept, the garbage too";
  EXPECT_EQ(calls, 2u) << "trace posts are not model calls";
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_FALSE(checks[0]->passed);
  EXPECT_EQ(checks[0]->checker, "openai-agents-sdk trace");
  EXPECT_THAT(checks[0]->detail,
              HasSubstr(R"(puts planner's calls under several agents ("Critic", "Editor"))"));
  EXPECT_FALSE(checks[1]->passed);
  EXPECT_THAT(checks[1]->detail, HasSubstr("0 of 1 handoff(s)"));
  EXPECT_THAT(checks[1]->detail, HasSubstr("not recovered: Critic -> Editor"));
}

// An agent run as another's tool: its request's last user message is, word for word, a text
// argument of that agent's open tool call. The call is the delegation once; its result,
// carried back by the caller's next request, is the called agent's reply.
// Google's API key may travel in the URL (`?key=`, as curl examples and older clients send
// it) or in x-goog-api-key: either way it reaches the upstream and no byte of the file, and
// the call goes to the Gemini upstream, not OpenAI's.
TEST_F(ProxyTest, AGeminiKeyInTheUrlOrHeaderIsForwardedAndNeverWritten) {
  constexpr char kGoogleKey[] = "AIzaSyProxyTestKey0123456789abcdefghijk";
  FakeOpenAiServer gemini;
  for (int i = 0; i < 2; ++i)
    gemini.Enqueue(
        {200,
         R"({"candidates":[{"content":{"role":"model","parts":[{"text":"Hello."}]},"finishReason":"STOP"}]})",
         {},
         std::chrono::milliseconds(0)});
  ProxyOptions o;
  o.gemini_upstream = gemini.base_url().substr(0, gemini.base_url().size() - 3);
  auto recording = StartRecording("http://127.0.0.1:9/v1", "gemini", o);
  ASSERT_TRUE(recording);
  const std::string body =
      WriteFile(dir_ + "/gemini.json", R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}]})");
  const std::string path = "/v1beta/models/gemini-2.5-flash:generateContent";
  RunResult in_url = Post(recording->proxy->origin(), path + "?key=" + kGoogleKey, body);
  RunResult in_header = Post(recording->proxy->origin(), path, body,
                             std::string("-H 'x-goog-api-key: ") + kGoogleKey + "'");
  EXPECT_THAT(in_url.out, HasSubstr("Hello."));
  EXPECT_THAT(in_header.out, HasSubstr("Hello."));
  ASSERT_TRUE(recording->Finish());
  ASSERT_EQ(gemini.received().size(), 2u);
  EXPECT_THAT(gemini.received()[0].path, HasSubstr(kGoogleKey));
  EXPECT_EQ(Slurp(recording_).find(kGoogleKey), std::string::npos);
  RunResult cat = RunCommand(std::string(BATON_BIN) + " cat " + recording_);
  EXPECT_EQ(cat.out.find(kGoogleKey), std::string::npos);
  EXPECT_THAT(cat.out, HasSubstr("gemini.generate_content"));
  EXPECT_THAT(cat.out, Not(HasSubstr("x-goog-api-key")));
}

TEST(AgentInferenceTest, AnAgentRunByAnothersToolCallIsADelegationAndItsResultTheReply) {
  auto request = [](const std::string& system, const std::string& user) {
    ParsedRequest r;
    r.system_prompt = system;
    ChatMessage m;
    m.role = "user";
    m.content.text = user;
    r.request.messages.push_back(std::move(m));
    return r;
  };
  AgentInference inference;
  const std::string editor =
      inference.Attribute("", request("You edit.", "Write a line."), nullptr);
  ModelResponse asks;
  asks.tool_calls.push_back({});
  asks.tool_calls.back().id = "call_r";
  asks.tool_calls.back().name = "research";
  asks.tool_calls.back().arguments_json.text =
      R"({"question": "What was ACME's Q3 revenue?", "depth": 2, "tags": ["one word"]})";
  inference.ObserveResponse(editor, asks);

  // Not a text argument of it: no delegation; a one-word message says too little.
  std::optional<PendingHandoff> handoff;
  std::optional<Delegation> delegated;
  inference.Attribute("", request("You search.", "What was ACME's Q2 revenue?"), &handoff,
                      &delegated);
  EXPECT_FALSE(delegated.has_value());
  inference.Attribute("", request("You search.", "2"), &handoff, &delegated);
  EXPECT_FALSE(delegated.has_value());
  // Word for word: the editor ran this agent; its next request (same task) is no new one.
  const std::string researcher = inference.Attribute(
      "", request("You research.", "What was ACME's Q3 revenue?"), &handoff, &delegated);
  ASSERT_TRUE(delegated.has_value());
  EXPECT_FALSE(handoff.has_value());
  EXPECT_EQ(researcher, "research");  // A new agent is named by the tool that ran it.
  EXPECT_EQ(delegated->from, editor);
  EXPECT_EQ(delegated->to, researcher);
  EXPECT_EQ(delegated->call_id, "call_r");
  EXPECT_EQ(delegated->task, "What was ACME's Q3 revenue?");
  delegated.reset();
  inference.Attribute("", request("You research.", "What was ACME's Q3 revenue?"), &handoff,
                      &delegated);
  EXPECT_FALSE(delegated.has_value());
  // The result comes back to the caller once, not to anyone else.
  EXPECT_FALSE(inference.TakeDelegation(researcher, "call_r").has_value());
  auto back = inference.TakeDelegation(editor, "call_r");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->to, researcher);
  EXPECT_FALSE(inference.TakeDelegation(editor, "call_r").has_value());
}

// A new agent that no header, handoff or delegating tool names is named by the role its
// system prompt opens with ("You are the planner."), when that is a few plain words and no
// other agent has it; else it is agent-N. The same prompt is the same agent, named once.
TEST(AgentInferenceTest, AnAgentIsNamedByTheRoleItsPromptGivesIt) {
  AgentInference inference;
  auto name = [&](const std::string& system) {
    ParsedRequest r;
    r.system_prompt = system;
    r.request.messages.push_back({"user", "Go on.", "", ""});
    return inference.Attribute("", r, nullptr);
  };
  EXPECT_EQ(name("You are the planner. Break the task down."), "planner");
  EXPECT_EQ(name("  you are Senior Researcher. You're curious.\n"), "Senior Researcher");
  EXPECT_EQ(name("You are a web search agent tasked with finding data."), "web search agent");
  EXPECT_EQ(name("You are an expert financial analyst who writes reports"),
            "expert financial analyst");
  EXPECT_EQ(name("You are the fact-checker's assistant: verify claims."),
            "fact-checker's assistant");
  EXPECT_EQ(name("You are one two three four five."), "agent-1");           // Not a short role.
  EXPECT_EQ(name("You are \"Bob\", a writer."), "agent-2");                 // Not plain words.
  EXPECT_EQ(name("Plan the work: hand tasks on."), "agent-3");              // No role said.
  EXPECT_EQ(name("You are the planner. Check the plan."), "agent-4");       // The name is taken.
  EXPECT_EQ(name("You are the planner. Break the task down."), "planner");  // The same agent.

  // A handoff names the agent it leads to before its prompt does.
  ModelResponse handoff;
  handoff.tool_calls.push_back({"call_w", "transfer_to_writer", "{}"});
  inference.ObserveResponse("planner", handoff);
  EXPECT_EQ(name("You are the editor."), "writer");
  EXPECT_EQ(name("You are the editor, second edition."), "editor");  // No one's name yet.
}

// A framework that wraps the task its delegation tool was given in a prompt of its own
// (CrewAI's "Delegate work to coworker": task and context into "Current Task: ..."; an AI SDK
// tool's `Research this: ${task}`) still delegates: the called agent's message holds the
// call's longest text argument. A short argument found in a message is no delegation, and
// an open call given word for word wins over one only wrapped.
TEST(AgentInferenceTest, ATaskWrappedInTheCalledAgentsPromptIsADelegationToo) {
  auto request = [](const std::string& system, const std::string& user) {
    ParsedRequest r;
    r.system_prompt = system;
    r.request.messages.push_back({"user", user, "", ""});
    return r;
  };
  auto call = [](const std::string& id, const std::string& name, const std::string& args) {
    ModelResponse r;
    r.tool_calls.push_back({id, name, args});
    return r;
  };
  AgentInference inference;
  const std::string manager = inference.Attribute("", request("You manage.", "Go."), nullptr);
  inference.ObserveResponse(
      manager, call("c1", "delegate_work",
                    R"({"task": "Find ACME's Q3 revenue", "context": "The board meets on )"
                    R"(Friday and needs the ACME Q3 revenue figure from the 10-Q filing.", )"
                    R"("coworker": "Researcher"})"));
  std::optional<PendingHandoff> handoff;
  std::optional<Delegation> delegated;
  // The short task alone (not the call's longest argument) in some other agent's message.
  inference.Attribute("", request("You audit.", "Before you Find ACME's Q3 revenue, wait."),
                      &handoff, &delegated);
  EXPECT_FALSE(delegated.has_value());
  const std::string researcher = inference.Attribute(
      "",
      request("You research.",
              "Current Task: Find ACME's Q3 revenue\n\nThis is the context you're working "
              "with:\nThe board meets on Friday and needs the ACME Q3 revenue figure from the "
              "10-Q filing.\n\nBegin!"),
      &handoff, &delegated);
  ASSERT_TRUE(delegated.has_value());
  EXPECT_EQ(researcher, "delegate_work");
  EXPECT_EQ(delegated->from, manager);
  EXPECT_EQ(delegated->call_id, "c1");

  // Two open calls: the one whose argument is the message word for word is the caller.
  inference.ObserveResponse(manager, call("c2", "ask", R"({"q": "Summarise the ACME filing"})"));
  inference.ObserveResponse(manager,
                            call("c3", "write", R"({"brief": "Summarise the ACME filing now"})"));
  delegated.reset();
  inference.Attribute("", request("You write.", "Summarise the ACME filing now"), &handoff,
                      &delegated);
  ASSERT_TRUE(delegated.has_value());
  EXPECT_EQ(delegated->call_id, "c3");
}

TEST(SdkTracesTest, AgentsOfResponsesAcrossBatchesAndBadInput) {
  SdkTraceIndex index;
  EXPECT_THAT(index.Add("{not json").message(), HasSubstr("not JSON"));
  EXPECT_THAT(index.Add(R"({"items":[]})").message(), HasSubstr(R"(no "data" array)"));
  EXPECT_TRUE(index.Add(R"({"data":[1,"x",{"object":"trace.span"},{"object":"trace"}]})").ok());
  EXPECT_EQ(index.span_count(), 0u);
  // A response under a function span under an agent; the agent arrives in a later batch.
  ASSERT_TRUE(index
                  .Add(R"({"data":[)" +
                       Span("r", "f", "t2", R"({"type":"response","response_id":"resp_9"})") + "," +
                       Span("f", "a", "t1", R"({"type":"function","name":"search"})") + "]}")
                  .ok());
  EXPECT_TRUE(index.AgentOfResponse().empty());
  ASSERT_TRUE(index
                  .Add(R"({"data":[)" +
                       Span("a", "", "t0", R"({"type":"agent","name":"Billing Agent"})") + "," +
                       Span("x", "y", "t3", R"({"type":"response","response_id":"resp_loop"})") +
                       "," + Span("y", "x", "t3", R"({"type":"custom"})") + "]}")
                  .ok());
  auto agents = index.AgentOfResponse();
  EXPECT_EQ(agents.size(), 1u) << "a parent cycle names nothing, and ends";
  EXPECT_EQ(agents["resp_9"], "Billing Agent");
  EXPECT_EQ(SdkAgentKey("Billing Agent"), SdkAgentKey("billing_agent"));
  EXPECT_NE(SdkAgentKey("billing"), SdkAgentKey("billing_agent"));
}

TEST(ModelApiTest, ResponseIdsOfBodiesAndStreams) {
  EXPECT_EQ(ResponseId(R"({"id":"chatcmpl-1","choices":[]})", {}), "chatcmpl-1");
  EXPECT_EQ(ResponseId("not json", {}), "");
  EXPECT_EQ(ResponseId("", {"data: {\"id\":\"chatcmpl-2\",\"choices\":[]}\n\n"}), "chatcmpl-2");
  EXPECT_EQ(ResponseId("", {"event: response.created\ndata: {\"type\":\"response.created\","
                            "\"response\":{\"id\":\"resp_3\"}}\n\n"}),
            "resp_3");
  EXPECT_EQ(ResponseId("", {"event: message_start\ndata: {\"type\":\"message_start\","
                            "\"message\":{\"id\":\"msg_4\"}}\n\n"}),
            "msg_4");
}

TEST(ModelApiTest, CanonicalRequestsIgnoreSpellingAndKeepMeaning) {
  auto a = ParseRequest(ModelApi::kOpenAiChat, "POST", "/v1/chat/completions", kPlannerRequest);
  auto b =
      ParseRequest(ModelApi::kOpenAiChat, "POST", "/v1/chat/completions", kPlannerRequestRespelled);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->request, b->request);
  EXPECT_EQ(a->system_prompt, "You are the planner.");
  auto bad = ParseRequest(ModelApi::kOpenAiChat, "POST", "/v1/chat/completions", "{\"a\":");
  EXPECT_EQ(bad.status().code(), Status::Code::kCorruption);
  EXPECT_EQ(ClassifyRequest("POST", "/v1/responses?x=1"), ModelApi::kOpenAiResponses);
  EXPECT_EQ(ClassifyRequest("POST", "/v1/messages"), ModelApi::kAnthropicMessages);
  EXPECT_EQ(ClassifyRequest("GET", "/v1/models"), ModelApi::kOpenAiModels);
  EXPECT_EQ(ClassifyRequest("POST", "/v1/files"), ModelApi::kOpaque);
  // Numbers of any size keep one spelling (the fuzzer found 1e300 converted out of range).
  EXPECT_EQ(*CanonicalJson("{\"b\": 1.0, \"a\": 1e300, \"c\": -0.5}"),
            "{\"a\":1e+300,\"b\":1,\"c\":-0.5}");
}

// One tool loop (the user asks, the model calls lookup twice, the results go back) in the
// shape of each API reads, for a replay of a session imported from spans, as the same
// portable messages: the tool calls in one form with their arguments canonical, each result
// a tool message, and what the API echoes back (refusal, annotations, a thinking block, the
// call's item id) left out. The proxy's own recording form keeps each API's shape.
TEST(ModelApiTest, EveryApiReadsAToolLoopAsTheSamePortableMessages) {
  struct Body {
    ModelApi api;
    std::string path;
    std::string json;
  };
  const std::vector<Body> bodies = {
      {ModelApi::kOpenAiChat, "/v1/chat/completions",
       R"j({"model":"m","messages":[{"role":"user","content":"Q3 and Q2?"},)j"
       R"j({"role":"assistant","content":null,"refusal":null,"annotations":[],"tool_calls":[)j"
       R"j({"id":"c1","type":"function","function":{"name":"lookup","arguments":"{\"q\": \"Q3\", \"n\": 1.0}"}},)j"
       R"j({"id":"c2","type":"function","function":{"name":"lookup","arguments":"{\"q\":\"Q2\"}"}}]},)j"
       R"j({"role":"tool","tool_call_id":"c1","content":"12M"},)j"
       R"j({"role":"tool","tool_call_id":"c2","content":[{"type":"text","text":"10M"}]}]})j"},
      {ModelApi::kAnthropicMessages, "/v1/messages",
       R"j({"model":"m","max_tokens":100,"messages":[{"role":"user","content":"Q3 and Q2?"},)j"
       R"j({"role":"assistant","content":[{"type":"thinking","thinking":"two lookups","signature":"s"},)j"
       R"j({"type":"tool_use","id":"c1","name":"lookup","input":{"n":1,"q":"Q3"}},)j"
       R"j({"type":"tool_use","id":"c2","name":"lookup","input":{"q":"Q2"}}]},)j"
       R"j({"role":"user","content":[{"type":"tool_result","tool_use_id":"c1","content":"12M"},)j"
       R"j({"type":"tool_result","tool_use_id":"c2","content":[{"type":"text","text":"10M"}]}]}]})j"},
      {ModelApi::kOpenAiResponses, "/v1/responses",
       R"j({"model":"m","input":[{"role":"user","content":"Q3 and Q2?"},)j"
       R"j({"type":"function_call","id":"fc_1","call_id":"c1","name":"lookup","arguments":"{\"q\":\"Q3\",\"n\":1}"},)j"
       R"j({"type":"function_call","id":"fc_2","call_id":"c2","name":"lookup","arguments":"{\"q\":\"Q2\"}"},)j"
       R"j({"type":"function_call_output","call_id":"c1","output":"12M"},)j"
       R"j({"type":"function_call_output","call_id":"c2","output":"10M"}]})j"},
  };
  const std::vector<ToolCallRequest> calls = {{"c1", "lookup", R"({"n":1,"q":"Q3"})"},
                                              {"c2", "lookup", R"({"q":"Q2"})"}};
  simdjson::dom::parser parser;
  const std::string extra = PortableToolCallsExtra(calls, parser);
  EXPECT_EQ(ToolCallsOfExtra(extra, parser), calls);
  for (const Body& body : bodies) {
    SCOPED_TRACE(std::string(ModelApiName(body.api)));
    auto portable = ParseRequest(body.api, "POST", body.path, body.json, MessageExtras::kPortable);
    ASSERT_TRUE(portable.ok()) << portable.status().ToString();
    const MessageList& m = portable->request.messages;
    // The Responses API's two function_call items are two assistant messages of one call each.
    const bool one_call_each = body.api == ModelApi::kOpenAiResponses;
    ASSERT_EQ(m.size(), one_call_each ? 5u : 4u);
    EXPECT_EQ(m[0], (ChatMessage{"user", "Q3 and Q2?", "", ""}));
    EXPECT_EQ(m[1].role, "assistant");
    EXPECT_EQ(m[1].content.text, "");
    if (one_call_each) {
      EXPECT_EQ(m[1].extra, PortableToolCallsExtra({calls[0]}, parser));
      EXPECT_EQ(m[2].extra, PortableToolCallsExtra({calls[1]}, parser));
    } else {
      EXPECT_EQ(m[1].extra, extra);
    }
    EXPECT_EQ(m[m.size() - 2], (ChatMessage{"tool", "12M", "", "c1"}));
    EXPECT_EQ(m[m.size() - 1], (ChatMessage{"tool", "10M", "", "c2"}));
    // The proxy still learns the results, for its tool-call events.
    EXPECT_EQ(portable->tool_results.size(), 2u);
    // Recorded as the proxy records: the API's own shape, not the portable one.
    auto recorded = ParseRequest(body.api, "POST", body.path, body.json);
    ASSERT_TRUE(recorded.ok());
    EXPECT_NE(recorded->request.messages, portable->request.messages);
  }
  // Gemini: function calls named by their id, or by their name and order without one.
  auto gemini = ParseRequest(
      ModelApi::kGeminiGenerateContent, "POST", "/v1beta/models/m:generateContent",
      R"j({"contents":[{"role":"user","parts":[{"text":"Q3 and Q2?"}]},)j"
      R"j({"role":"model","parts":[{"functionCall":{"name":"lookup","args":{"q":"Q3","n":1}}},)j"
      R"j({"functionCall":{"name":"lookup","args":{"q":"Q2"}}}]},)j"
      R"j({"role":"user","parts":[{"functionResponse":{"name":"lookup","response":{"r":"12M"}}},)j"
      R"j({"functionResponse":{"name":"lookup","response":{"r":"10M"}}}]}]})j",
      MessageExtras::kPortable);
  ASSERT_TRUE(gemini.ok());
  ASSERT_EQ(gemini->request.messages.size(), 4u);
  EXPECT_EQ(gemini->request.messages[1].extra,
            PortableToolCallsExtra({{"lookup", "lookup", R"({"n":1,"q":"Q3"})"},
                                    {"lookup#2", "lookup", R"({"q":"Q2"})"}},
                                   parser));
  EXPECT_EQ(gemini->request.messages[3].tool_call_id, "lookup#2");
}

TEST(ModelApiTest, BodiesAreStoredWithoutTheAnswerTheyRepeatAndRestoredExactly) {
  const std::string answer = "The EU market grows 2% a year; \"risks\" are rates and energy.\n" +
                             std::string(80, 'x') + " caf\xc3\xa9";
  const std::string body =
      R"({"id":"c","choices":[{"message":{"content":")" +
      std::string("The EU market grows 2% a year; \\\"risks\\\" are rates and energy.\\n") +
      std::string(80, 'x') + " caf\xc3\xa9" + R"("}}]})";
  std::string templated = TemplateBody(body, answer);
  EXPECT_LT(templated.size(), body.size() - 60);
  EXPECT_EQ(FillBody(templated, answer), body);
  // Escaped differently by the upstream (\u00e9): kept whole, never guessed.
  std::string other = body;
  other.replace(other.find("caf\xc3\xa9"), 5, "caf\\u00e9");
  EXPECT_EQ(TemplateBody(other, answer), other);
}

TEST(ModelApiTest, StreamsOfEachApiAssembleTheirAnswer) {
  std::string buffer =
      "event: message_start\ndata: "
      "{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":7}}}\n\n"
      "event: content_block_delta\ndata: "
      "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":"
      "\"Hi\"}}\n\n"
      "event: ping\ndata: {\"type\":\"ping\"}\n\n"
      "event: message_delta\ndata: "
      "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_"
      "tokens\":2}}\n\n"
      "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\npartial";
  std::vector<std::string> frames = TakeSseFrames(buffer);
  EXPECT_EQ(frames.size(), 5u);
  EXPECT_EQ(buffer, "partial");
  ModelResponse r = ParseResponseStream(ModelApi::kAnthropicMessages, frames);
  EXPECT_EQ(r.content.text, "Hi");
  EXPECT_EQ(r.finish_reason, "end_turn");
  EXPECT_EQ(r.usage.total_tokens, 9u);
  std::vector<std::string> responses = {
      "event: response.output_text.delta\ndata: "
      "{\"type\":\"response.output_text.delta\",\"delta\":\"x\",\"sequence_number\":1}\n\n",
      "event: response.completed\ndata: "
      "{\"type\":\"response.completed\",\"sequence_number\":2,\"response\":{\"status\":"
      "\"completed\","
      "\"output\":[{\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"transfer_to_writer\","
      "\"arguments\":\"{}\"},"
      "{\"type\":\"message\",\"content\":[{\"type\":\"output_text\",\"text\":\"done\"}]}],"
      "\"usage\":{\"input_tokens\":3,\"output_tokens\":1,\"total_tokens\":4}}}\n\n"};
  ModelResponse rr = ParseResponseStream(ModelApi::kOpenAiResponses, responses);
  EXPECT_EQ(rr.content.text, "done");
  ASSERT_EQ(rr.tool_calls.size(), 1u);
  EXPECT_EQ(rr.tool_calls[0].name, "transfer_to_writer");
  EXPECT_EQ(rr.usage.total_tokens, 4u);
}

// Gemini's generateContent, as Google AI and Vertex AI serve it: the model and the stream
// from the path, camelCase or snake_case members alike, the function call in the history
// kept beside its text, the functionResponse a tool result joined to its call by name when
// the call has no id; every other member a parameter.
TEST(ModelApiTest, GeminiRequestsReadTheirPathContentsAndTools) {
  EXPECT_EQ(ClassifyRequest("POST", "/v1beta/models/gemini-2.5-flash:generateContent"),
            ModelApi::kGeminiGenerateContent);
  EXPECT_EQ(ClassifyRequest("POST",
                            "/v1/projects/p/locations/us-central1/publishers/google/models/"
                            "gemini-2.5-pro:streamGenerateContent?alt=sse"),
            ModelApi::kGeminiGenerateContent);
  EXPECT_EQ(ClassifyRequest("POST", "/v1beta/models/gemini-2.5-flash:countTokens"),
            ModelApi::kOpaque);
  EXPECT_EQ(VendorOf(ModelApi::kGeminiGenerateContent, {}), Vendor::kGoogle);
  EXPECT_EQ(VendorOf(ModelApi::kOpaque, {.google = true}), Vendor::kGoogle);
  EXPECT_EQ(VendorOf(ModelApi::kOpaque, {}), Vendor::kOpenAi);
  EXPECT_EQ(VendorOf(ModelApi::kAnthropicMessages, {.google = true}), Vendor::kAnthropic);

  const std::string camel = R"j({
    "contents": [
      {"role": "user", "parts": [{"text": "How fast does the EU grow?"}]},
      {"role": "model", "parts": [{"thought": true, "text": "I should search."},
                                  {"functionCall": {"name": "search", "args": {"q": "EU"}}}]},
      {"role": "user", "parts": [{"functionResponse": {"name": "search",
                                                       "response": {"result": "2%"}}}]}],
    "systemInstruction": {"parts": [{"text": "You are the "}, {"text": "researcher."}]},
    "tools": [{"functionDeclarations": [{"name": "search", "description": "Searches.",
                                         "parameters": {"type": "OBJECT"}}]},
              {"googleSearch": {}}],
    "generationConfig": {"temperature": 0.2}})j";
  const std::string snake = R"j({
    "generation_config": {"temperature": 0.2},
    "system_instruction": {"parts": [{"text": "You are the "}, {"text": "researcher."}]},
    "tools": [{"function_declarations": [{"name": "search", "description": "Searches.",
                                          "parameters": {"type": "OBJECT"}}]},
              {"googleSearch": {}}],
    "contents": [
      {"role": "user", "parts": [{"text": "How fast does the EU grow?"}]},
      {"role": "model", "parts": [{"thought": true, "text": "I should search."},
                                  {"function_call": {"name": "search", "args": {"q": "EU"}}}]},
      {"role": "user", "parts": [{"function_response": {"name": "search",
                                                        "response": {"result": "2%"}}}]}]})j";
  const std::string path = "/v1beta/models/gemini-2.5-flash:generateContent";
  auto a = ParseRequest(ModelApi::kGeminiGenerateContent, "POST", path, camel);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->request.model, "gemini-2.5-flash");
  EXPECT_FALSE(a->request.stream);
  EXPECT_EQ(a->system_prompt, "You are the researcher.");
  const MessageList& m = a->request.messages;
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].role, "system");
  EXPECT_EQ(m[1].role, "user");
  EXPECT_EQ(m[1].content.text, "How fast does the EU grow?");
  EXPECT_EQ(m[2].role, "assistant");
  EXPECT_THAT(m[2].extra, HasSubstr("\"functionCall\""));
  EXPECT_THAT(m[2].extra, HasSubstr("I should search."));  // A thought still takes part.
  EXPECT_EQ(m[3].role, "tool");
  EXPECT_EQ(m[3].tool_call_id, "search");
  EXPECT_EQ(m[3].content.text, R"({"result":"2%"})");
  ASSERT_EQ(a->tool_results.size(), 1u);
  EXPECT_EQ(a->tool_results[0].first, "search");
  ASSERT_EQ(a->request.tools.size(), 2u);
  EXPECT_EQ(a->request.tools[0].name, "search");
  EXPECT_EQ(a->request.tools[0].parameters_json.text, R"({"type":"OBJECT"})");
  EXPECT_EQ(a->request.tools[1].name, "googleSearch");
  ASSERT_EQ(a->request.parameters.size(), 1u);
  EXPECT_EQ(a->request.parameters[0].value, R"({"temperature":0.2})");

  // snake_case names the same things; only the parameter's key is spelled as sent.
  auto b = ParseRequest(ModelApi::kGeminiGenerateContent, "POST", path, snake);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->system_prompt, a->system_prompt);
  EXPECT_EQ(b->request.tools, a->request.tools);
  EXPECT_EQ(b->request.messages[1], a->request.messages[1]);
  EXPECT_EQ(b->request.messages[3], a->request.messages[3]);

  auto streamed = ParseRequest(ModelApi::kGeminiGenerateContent, "POST",
                               "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
                               R"({"contents":[{"parts":[{"text":"hi"}]}]})");
  ASSERT_TRUE(streamed.ok());
  EXPECT_TRUE(streamed->request.stream);
  EXPECT_EQ(streamed->request.messages[0].role, "user");  // A content without a role.
  EXPECT_EQ(ParseRequest(ModelApi::kGeminiGenerateContent, "POST", path, "[1]").status().code(),
            Status::Code::kCorruption);
}

// A Gemini answer, whole, streamed (SSE, or as one JSON array without alt=sse), blocked;
// and the answer baton writes for a call recorded without its HTTP exchange reads back as
// the same answer.
TEST(ModelApiTest, GeminiResponsesAndTheSynthesizedOnesReadTheSame) {
  const std::string whole = R"j({"candidates": [{"content": {"role": "model", "parts": [
      {"text": "Let me think.", "thought": true}, {"text": "Handing over."},
      {"functionCall": {"id": "fc-1", "name": "transfer_to_writer", "args": {"topic": "EU"}}},
      {"functionCall": {"name": "search", "args": {}}}]},
    "finishReason": "STOP"}],
    "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 4,
                      "thoughtsTokenCount": 3, "totalTokenCount": 17},
    "responseId": "r-9"})j";
  ModelResponse r = ParseResponseBody(ModelApi::kGeminiGenerateContent, whole);
  EXPECT_EQ(r.content.text, "Handing over.");
  ASSERT_EQ(r.tool_calls.size(), 2u);
  EXPECT_EQ(r.tool_calls[0].id, "fc-1");
  EXPECT_EQ(r.tool_calls[0].name, "transfer_to_writer");
  EXPECT_EQ(r.tool_calls[0].arguments_json.text, R"({"topic":"EU"})");
  EXPECT_EQ(r.tool_calls[1].id, "search");  // No id: its name joins it to its result.
  EXPECT_EQ(r.finish_reason, "STOP");
  EXPECT_EQ(r.usage.prompt_tokens, 10u);
  EXPECT_EQ(r.usage.completion_tokens, 7u);
  EXPECT_EQ(r.usage.total_tokens, 17u);
  EXPECT_EQ(ResponseId(whole, {}), "r-9");

  const std::vector<std::string> frames = {
      "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Gro\"}]}}]}\r\n\r\n",
      "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"wth.\"}]},\"finishReason\":"
      "\"MAX_TOKENS\"}],\"usageMetadata\":{\"promptTokenCount\":2,\"candidatesTokenCount\":2,"
      "\"totalTokenCount\":4}}\r\n\r\n",
      "data: not json\r\n\r\n"};
  ModelResponse s = ParseResponseStream(ModelApi::kGeminiGenerateContent, frames);
  EXPECT_EQ(s.content.text, "Growth.");
  EXPECT_EQ(s.finish_reason, "MAX_TOKENS");
  EXPECT_EQ(s.usage.total_tokens, 4u);
  ModelResponse array = ParseResponseBody(
      ModelApi::kGeminiGenerateContent,
      R"([{"candidates":[{"content":{"parts":[{"text":"Gro"}]}}]},)"
      R"({"candidates":[{"content":{"parts":[{"text":"wth."}]},"finishReason":"STOP"}]}])");
  EXPECT_EQ(array.content.text, "Growth.");
  ModelResponse blocked = ParseResponseBody(ModelApi::kGeminiGenerateContent,
                                            R"({"promptFeedback":{"blockReason":"SAFETY"}})");
  EXPECT_EQ(blocked.finish_reason, "blocked: SAFETY");
  EXPECT_TRUE(blocked.content.text.empty());

  ModelResponse back = ParseResponseBody(
      ModelApi::kGeminiGenerateContent,
      SynthesizedResponseBody(ModelApi::kGeminiGenerateContent, "gemini-2.5-flash", "x", r));
  EXPECT_EQ(back.content.text, r.content.text);
  EXPECT_EQ(back.tool_calls, r.tool_calls);
  EXPECT_EQ(back.finish_reason, "STOP");
  EXPECT_EQ(back.usage, r.usage);
  ModelResponse back_streamed = ParseResponseStream(
      ModelApi::kGeminiGenerateContent,
      SynthesizedResponseFrames(ModelApi::kGeminiGenerateContent, "gemini-2.5-flash", "x", r));
  EXPECT_EQ(back_streamed.content.text, r.content.text);
  EXPECT_EQ(back_streamed.tool_calls, r.tool_calls);
}

// Gemini sends parallel calls of one function without ids ("weather" for two cities) and
// pairs them with their responses by order: the second call and the second response are
// both "weather#2", in a whole answer, in a stream whose calls come in different chunks, and
// in the answer baton writes (without ids, as Gemini sent them).
TEST(ModelApiTest, GeminiParallelCallsOfOneFunctionWithoutIdsAreToldApartByOrder) {
  const std::string whole = R"j({"candidates": [{"content": {"role": "model", "parts": [
      {"functionCall": {"name": "weather", "args": {"city": "Paris"}}},
      {"functionCall": {"name": "weather", "args": {"city": "Oslo"}}},
      {"functionCall": {"name": "clock", "args": {}}}]}, "finishReason": "STOP"}]})j";
  ModelResponse r = ParseResponseBody(ModelApi::kGeminiGenerateContent, whole);
  ASSERT_EQ(r.tool_calls.size(), 3u);
  EXPECT_EQ(r.tool_calls[0].id, "weather");
  EXPECT_EQ(r.tool_calls[1].id, "weather#2");
  EXPECT_EQ(r.tool_calls[1].arguments_json.text, R"({"city":"Oslo"})");
  EXPECT_EQ(r.tool_calls[2].id, "clock");

  const std::vector<std::string> frames = {
      "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":"
      "\"weather\",\"args\":{\"city\":\"Paris\"}}}]}}]}\r\n\r\n",
      "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":"
      "\"weather\",\"args\":{\"city\":\"Oslo\"}}}]}}]}\r\n\r\n"};
  ModelResponse s = ParseResponseStream(ModelApi::kGeminiGenerateContent, frames);
  ASSERT_EQ(s.tool_calls.size(), 2u);
  EXPECT_EQ(s.tool_calls[0].id, "weather");
  EXPECT_EQ(s.tool_calls[1].id, "weather#2");

  const std::string body =
      SynthesizedResponseBody(ModelApi::kGeminiGenerateContent, "gemini-2.5-flash", "x", r);
  EXPECT_THAT(body, Not(HasSubstr("\"id\"")));
  EXPECT_EQ(ParseResponseBody(ModelApi::kGeminiGenerateContent, body).tool_calls, r.tool_calls);

  // The next request's responses, in the calls' order, name the same calls; an id a
  // response does carry is kept.
  auto next = ParseRequest(ModelApi::kGeminiGenerateContent, "POST",
                           "/v1beta/models/gemini-2.5-flash:generateContent", R"j({"contents": [
      {"role": "user", "parts": [{"functionResponse": {"name": "weather",
                                                       "response": {"temp": 18}}},
                                 {"functionResponse": {"name": "weather",
                                                       "response": {"temp": 4}}},
                                 {"functionResponse": {"id": "c-1", "name": "clock",
                                                       "response": {"now": "9:00"}}}]}]})j");
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  ASSERT_EQ(next->tool_results.size(), 3u);
  EXPECT_EQ(next->tool_results[0],
            std::make_pair(std::string("weather"), std::string(R"({"temp":18})")));
  EXPECT_EQ(next->tool_results[1],
            std::make_pair(std::string("weather#2"), std::string(R"({"temp":4})")));
  EXPECT_EQ(next->tool_results[2].first, "c-1");
}

}  // namespace
}  // namespace baton::proxy
