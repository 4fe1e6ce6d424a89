// Real clients, unmodified: the official `openai`, `@anthropic-ai/sdk` and `@google/genai`
// JavaScript SDKs (pinned in tests/js/package-lock.json, installed by scripts/install-deps)
// run under `baton record` against a fake upstream, then under `baton replay` with the
// upstream gone: the same output, no upstream request, agents and handoffs in the
// recording, no key in it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "base/json_parse.h"
#include "replayer/trace.h"
#include "tests/testing/fake_openai_server.h"
#include "tests/testing/run_command.h"

namespace baton {
namespace {

using baton::testing::FakeOpenAiServer;
using baton::testing::RunCommand;
using baton::testing::RunResult;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kBaton = BATON_BIN;
const std::string kJs = std::string(BATON_SOURCE_DIR) + "/tests/js";
constexpr char kOpenAiKey[] = "sk-proj-JsTestKey0123456789abcdefghij";
constexpr char kAnthropicKey[] = "sk-ant-api03-JsTestKey0123456789abcdefghij";
constexpr char kGeminiKey[] = "AIzaSyJsTestKey0123456789abcdefghijklm";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string Keys() {
  return std::string("OPENAI_API_KEY=") + kOpenAiKey + " ANTHROPIC_API_KEY=" + kAnthropicKey + " ";
}

class JsSdkTest : public ::testing::Test {
 protected:
  std::string dir_ = baton::testing::FreshTempDir("js_sdk");
};

TEST_F(JsSdkTest, OpenAiSdkRecordsAndReplaysPlainAndStreamed) {
  ASSERT_EQ(RunCommand("test -d " + kJs + "/node_modules/openai").exit_code, 0)
      << "scripts/install-deps installs the pinned SDKs (npm ci in tests/js)";
  const std::string recording = dir_ + "/openai.baton";
  RunResult recorded;
  {
    FakeOpenAiServer upstream;
    upstream.Enqueue(
        {200,
         R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_h1","type":"function","function":{"name":"transfer_to_researcher","arguments":"{\"task\":\"EU market\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":30,"completion_tokens":9,"total_tokens":39}})",
         {},
         std::chrono::milliseconds(0)});
    upstream.Enqueue(
        {200,
         "",
         {R"({"id":"c2","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"Growth "},"finish_reason":null}]})",
          R"({"id":"c2","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"is 2%."},"finish_reason":"stop"}]})",
          R"({"id":"c2","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":20,"completion_tokens":4,"total_tokens":24}})",
          "[DONE]"},
         std::chrono::milliseconds(10)});
    for (const char* id : {"resp_1", "resp_2"})
      upstream.Enqueue(
          {200,
           std::string(R"({"id":")") + id +
               R"(","object":"response","created_at":1,"status":"completed","model":"gpt-4o","output":[{"type":"message","id":"msg_)" +
               id +
               R"(","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Report )" +
               id +
               R"(","annotations":[]}]}],"usage":{"input_tokens":5,"output_tokens":2,"total_tokens":7}})",
           {},
           std::chrono::milliseconds(0)});
    recorded = RunCommand(Keys() + kBaton + " record -o " + recording + " --upstream openai=" +
                          upstream.base_url() + " -- node " + kJs + "/openai_chat.mjs");
    ASSERT_EQ(recorded.exit_code, 0) << recorded.out << recorded.err;
    EXPECT_EQ(upstream.received().size(), 4u);
    // However the SDK spaces its JSON.
    EXPECT_THAT(upstream.received()[3].body,
                ::testing::ContainsRegex("\"previous_response_id\": *\"resp_1\""));
  }
  EXPECT_THAT(recorded.out, HasSubstr("planner -> transfer_to_researcher"));
  EXPECT_THAT(recorded.out,
              HasSubstr("writer: Report resp_1 / Report resp_2 (chain resp_1 -> resp_2)"));
  EXPECT_THAT(recorded.out, HasSubstr("researcher: Growth is 2%. (24 tokens)"));
  EXPECT_EQ(Slurp(recording).find(kOpenAiKey), std::string::npos);
  auto trace = Trace::Load(recording);
  ASSERT_TRUE(trace.ok()) << trace.status().ToString();
  EXPECT_THAT(trace->agents(), ::testing::Contains("researcher"));
  // The agents check each other's outputs (or not) out of the proxy's sight.
  EXPECT_EQ(trace->source(), "proxy");
  EXPECT_EQ(trace->checks(), Trace::Checks::kNotRecorded);
  RunResult inspect = RunCommand(kBaton + " inspect " + recording);
  EXPECT_THAT(inspect.out, HasSubstr("message_send 1"));
  EXPECT_THAT(inspect.out, HasSubstr("message_delivery 1"));

  RunResult replayed =
      RunCommand(Keys() + kBaton + " replay " + recording +
                 " --upstream openai=http://127.0.0.1:9/v1 -- node " + kJs + "/openai_chat.mjs");
  EXPECT_EQ(replayed.exit_code, 0) << replayed.out << replayed.err;
  EXPECT_THAT(replayed.out, HasSubstr("planner -> transfer_to_researcher"));
  EXPECT_THAT(replayed.out, HasSubstr("researcher: Growth is 2%. (24 tokens)"));
  EXPECT_THAT(replayed.out,
              HasSubstr("writer: Report resp_1 / Report resp_2 (chain resp_1 -> resp_2)"));
  EXPECT_THAT(replayed.out, HasSubstr("replay matched: 4 calls served"));
}

TEST_F(JsSdkTest, AnthropicSdkRecordsAndReplaysPlainAndStreamed) {
  ASSERT_EQ(RunCommand("test -d " + kJs + "/node_modules/@anthropic-ai/sdk").exit_code, 0);
  const std::string recording = dir_ + "/anthropic.baton";
  {
    FakeOpenAiServer upstream;
    upstream.Enqueue(
        {200,
         R"({"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4","content":[{"type":"text","text":"The EU grows 2%."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":6}})",
         {},
         std::chrono::milliseconds(0)});
    upstream.Enqueue(
        {200,
         "",
         {"event: message_start\ndata: "
          "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"type\":\"message\",\"role\":"
          "\"assistant\",\"model\":\"claude-sonnet-4\",\"content\":[],\"stop_reason\":null,\"stop_"
          "sequence\":null,\"usage\":{\"input_tokens\":15,\"output_tokens\":1}}}",
          "event: content_block_start\ndata: "
          "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\","
          "\"text\":\"\"}}",
          "event: ping\ndata: {\"type\":\"ping\"}",
          "event: content_block_delta\ndata: "
          "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
          "\"text\":\"Looks \"}}",
          "event: content_block_delta\ndata: "
          "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
          "\"text\":\"right.\"}}",
          "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}",
          "event: message_delta\ndata: "
          "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":"
          "null},\"usage\":{\"output_tokens\":3}}",
          "event: message_stop\ndata: {\"type\":\"message_stop\"}"},
         std::chrono::milliseconds(5)});
    RunResult recorded =
        RunCommand(Keys() + kBaton + " record -o " + recording + " --upstream anthropic=" +
                   upstream.base_url().substr(0, upstream.base_url().size() - 3) + " -- node " +
                   kJs + "/anthropic_messages.mjs");
    ASSERT_EQ(recorded.exit_code, 0) << recorded.out << recorded.err;
    EXPECT_THAT(recorded.out, HasSubstr("writer: The EU grows 2%. (end_turn)"));
    EXPECT_THAT(recorded.out, HasSubstr("reviewer: Looks right. (end_turn, 3 tokens out)"));
    EXPECT_EQ(upstream.received().size(), 2u);
  }
  EXPECT_EQ(Slurp(recording).find(kAnthropicKey), std::string::npos);
  RunResult cat = RunCommand(kBaton + " cat " + recording);
  EXPECT_THAT(cat.out, HasSubstr("\"api\":\"anthropic.messages\""));
  EXPECT_THAT(cat.out, HasSubstr("Looks right."));
  RunResult replayed = RunCommand(Keys() + kBaton + " replay " + recording +
                                  " --upstream anthropic=http://127.0.0.1:9 -- node " + kJs +
                                  "/anthropic_messages.mjs");
  EXPECT_EQ(replayed.exit_code, 0) << replayed.out << replayed.err;
  EXPECT_THAT(replayed.out, HasSubstr("reviewer: Looks right. (end_turn, 3 tokens out)"));
  EXPECT_THAT(replayed.out, HasSubstr("replay matched: 2 calls served"));
}

// Google's Gen AI SDK through the proxy: Gemini's generateContent and its SSE stream become
// model calls (the model from the path, the system instruction naming the agent, the
// function call and the functionResponse that answers it a tool call of that agent), the
// key in x-goog-api-key is forwarded and never written, and replay serves both calls and
// the stream with the upstream gone.
TEST_F(JsSdkTest, GoogleGenAiSdkRecordsAndReplaysAFunctionCallAndAStream) {
  ASSERT_EQ(RunCommand("test -d " + kJs + "/node_modules/@google/genai").exit_code, 0)
      << "scripts/install-deps installs the pinned SDKs (npm ci in tests/js)";
  const std::string recording = dir_ + "/gemini.baton";
  const std::string key = std::string("GEMINI_API_KEY=") + kGeminiKey + " ";
  {
    FakeOpenAiServer upstream;
    upstream.Enqueue(
        {200,
         R"({"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"search","args":{"query":"EU market growth"}}}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":21,"candidatesTokenCount":5,"totalTokenCount":26},"modelVersion":"gemini-2.5-flash","responseId":"r-1"})",
         {},
         std::chrono::milliseconds(0)});
    upstream.Enqueue(
        {200,
         R"({"candidates":[{"content":{"role":"model","parts":[{"text":"The EU grows 2%."},{"functionCall":{"name":"transfer_to_writer","args":{}}}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":40,"candidatesTokenCount":6,"totalTokenCount":46},"modelVersion":"gemini-2.5-flash","responseId":"r-2"})",
         {},
         std::chrono::milliseconds(0)});
    upstream.Enqueue(
        {200,
         "",
         {R"({"candidates":[{"content":{"role":"model","parts":[{"text":"Growth is "}]},"index":0}],"usageMetadata":{"promptTokenCount":12,"totalTokenCount":12},"modelVersion":"gemini-2.5-flash","responseId":"r-3"})",
          R"({"candidates":[{"content":{"role":"model","parts":[{"text":"2%."}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":4,"totalTokenCount":16},"modelVersion":"gemini-2.5-flash","responseId":"r-3"})"},
         std::chrono::milliseconds(5)});
    RunResult recorded =
        RunCommand(key + kBaton + " record -o " + recording + " --upstream gemini=" +
                   upstream.base_url().substr(0, upstream.base_url().size() - 3) + " -- node " +
                   kJs + "/gemini_team.mjs");
    ASSERT_EQ(recorded.exit_code, 0) << recorded.out << recorded.err;
    EXPECT_THAT(recorded.out, HasSubstr(R"(researcher -> search({"query":"EU market growth"}))"));
    EXPECT_THAT(recorded.out, HasSubstr("researcher: The EU grows 2%. (46 tokens)"));
    EXPECT_THAT(recorded.out, HasSubstr("researcher -> transfer_to_writer"));
    EXPECT_THAT(recorded.out, HasSubstr("writer: Growth is 2%. (STOP)"));
    ASSERT_EQ(upstream.received().size(), 3u);
    EXPECT_THAT(upstream.received()[0].path, HasSubstr("/models/gemini-2.5-flash:generateContent"));
    EXPECT_THAT(upstream.received()[2].path, HasSubstr(":streamGenerateContent?alt=sse"));
  }
  EXPECT_EQ(Slurp(recording).find(kGeminiKey), std::string::npos);
  auto trace = Trace::Load(recording);
  ASSERT_TRUE(trace.ok()) << trace.status().ToString();
  std::vector<std::string> apis, models, callers;
  const ToolCall* search = nullptr;
  std::string search_agent;
  bool handed_over = false;
  for (const Event& e : trace->events()) {
    if (const MessageSend* send = e.As<MessageSend>())
      handed_over = send->to == "writer" && e.agent == search_agent;
    if (const ModelCall* call = e.As<ModelCall>()) {
      apis.push_back(call->http.api);
      models.push_back(call->request.model);
      callers.push_back(e.agent);
    }
    if (const ToolCall* tool = e.As<ToolCall>()) {
      search = tool;
      search_agent = e.agent;
    }
  }
  EXPECT_THAT(apis, ::testing::Each(std::string("gemini.generate_content")));
  EXPECT_THAT(models,
              ::testing::ElementsAre("gemini-2.5-flash", "gemini-2.5-flash", "gemini-2.5-flash"));
  ASSERT_NE(search, nullptr) << "the function call and its functionResponse make a tool call";
  EXPECT_EQ(search->tool, "search");
  EXPECT_THAT(search->arguments.text, HasSubstr("EU market growth"));
  EXPECT_THAT(search->result.text, HasSubstr("EU growth: 2% in 2025"));
  // Two agents, told apart by their system instructions: the researcher made the first two
  // calls, ran the search and handed over; the writer, named by that handoff, streamed.
  ASSERT_EQ(callers.size(), 3u);
  EXPECT_EQ(callers[0], callers[1]);
  EXPECT_EQ(callers[2], "writer");
  EXPECT_EQ(search_agent, callers[0]);
  EXPECT_TRUE(handed_over) << "the transfer_to_writer call is a message to the writer";
  RunResult cat = RunCommand(kBaton + " cat " + recording);
  EXPECT_THAT(cat.out, HasSubstr("Growth is 2%."));

  RunResult replayed =
      RunCommand(key + kBaton + " replay " + recording +
                 " --upstream gemini=http://127.0.0.1:9 -- node " + kJs + "/gemini_team.mjs");
  EXPECT_EQ(replayed.exit_code, 0) << replayed.out << replayed.err;
  EXPECT_THAT(replayed.out, HasSubstr("researcher: The EU grows 2%. (46 tokens)"));
  EXPECT_THAT(replayed.out, HasSubstr("writer: Growth is 2%. (STOP)"));
  // The three model calls, and the search the program ran again, checked against the
  // recorded one.
  EXPECT_THAT(replayed.out, HasSubstr("replay matched: 4 calls served"));
}

// Embeddings go through the proxy like chat: recorded as an exchange of the
// openai.embeddings API, served back byte for byte on replay with no upstream.
TEST_F(JsSdkTest, OpenAiSdkEmbeddingsRecordAndReplay) {
  ASSERT_EQ(RunCommand("test -d " + kJs + "/node_modules/openai").exit_code, 0)
      << "scripts/install-deps installs the pinned SDKs (npm ci in tests/js)";
  const std::string recording = dir_ + "/embeddings.baton";
  const std::string expected =
      "embeddings: 2 vectors [0.125,-0.500,0.750] [0.250,0.000,-1.000] (9 tokens)";
  {
    FakeOpenAiServer upstream;
    upstream.Enqueue(
        {200,
         R"({"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.125,-0.5,0.75]},{"object":"embedding","index":1,"embedding":[0.25,0.0,-1.0]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":9,"total_tokens":9}})",
         {},
         std::chrono::milliseconds(0)});
    RunResult recorded = RunCommand(Keys() + kBaton + " record -o " + recording +
                                    " --upstream openai=" + upstream.base_url() + " -- node " +
                                    kJs + "/openai_embeddings.mjs");
    ASSERT_EQ(recorded.exit_code, 0) << recorded.out << recorded.err;
    EXPECT_THAT(recorded.out, HasSubstr(expected));
    ASSERT_EQ(upstream.received().size(), 1u);
    EXPECT_THAT(upstream.received()[0].path, HasSubstr("/embeddings"));
  }
  EXPECT_EQ(Slurp(recording).find(kOpenAiKey), std::string::npos);
  RunResult cat = RunCommand(kBaton + " cat " + recording);
  EXPECT_THAT(cat.out, HasSubstr("\"api\":\"openai.embeddings\""));
  RunResult replayed = RunCommand(Keys() + kBaton + " replay " + recording +
                                  " --upstream openai=http://127.0.0.1:9/v1 -- node " + kJs +
                                  "/openai_embeddings.mjs");
  EXPECT_EQ(replayed.exit_code, 0) << replayed.out << replayed.err;
  EXPECT_THAT(replayed.out, HasSubstr(expected));
  EXPECT_THAT(replayed.out, HasSubstr("replay matched: 1 calls served"));
}

// A three-agent workflow on the OpenAI Agents SDK (tests/js/agents_team.mjs): the planner
// hands off to the researcher, who runs a search tool and hands off to the writer. The
// upstream's answers (tests/js/agents_team_replies.json, per API and streaming) plant a
// refusal in the researcher's handoff. Recorded, then replayed with the upstream gone: the
// same final output, the agents and handoffs recovered from the traffic, the tool call
// checked in replay, and `baton why` naming the boundary of the refusal.
// Queues the upstream's answers for one variant (a key) of a file of them in tests/js;
// returns how many.
size_t EnqueueReplies(const std::string& file, const std::string& variant,
                      FakeOpenAiServer& upstream) {
  auto replies = JsonDocument::Parse(Slurp(kJs + "/" + file), "replies");
  EXPECT_TRUE(replies.ok()) << replies.status().message();
  if (!replies.ok()) return 0;
  size_t queued = 0;
  for (auto field : replies->root().getObject()) {
    if (std::string(field.getName().cStr()) != variant) continue;
    for (auto reply : field.getValue().getArray()) {
      baton::testing::FakeReply r;
      for (auto f : reply.getObject()) {
        if (std::string(f.getName().cStr()) == "body") r.body = f.getValue().getString().cStr();
        if (std::string(f.getName().cStr()) == "sse")
          for (auto e : f.getValue().getArray()) r.sse_events.push_back(e.getString().cStr());
      }
      upstream.Enqueue(r);
      ++queued;
    }
  }
  return queued;
}

class AgentsSdkTest : public ::testing::TestWithParam<std::pair<const char*, const char*>> {
 protected:
  std::string dir_ = baton::testing::FreshTempDir("agents_sdk");
};

TEST_P(AgentsSdkTest, RecordsReplaysAndExplainsAThreeAgentWorkflow) {
  ASSERT_EQ(RunCommand("test -d " + kJs + "/node_modules/@openai/agents").exit_code, 0)
      << "scripts/install-deps installs the pinned SDKs (npm ci in tests/js)";
  const auto [variant, args] = GetParam();
  const std::string recording = dir_ + "/" + variant + ".baton";
  const std::string program = " -- node " + kJs + "/agents_team.mjs " + args;
  const std::string expected = "final (writer): Report: ACME faces supply risk; revenue 3.1B USD.";
  {
    FakeOpenAiServer upstream;
    ASSERT_EQ(EnqueueReplies("agents_team_replies.json", variant, upstream), 4u) << variant;
    RunResult recorded = RunCommand(Keys() + "AGENTS_TEAM_HISTORY=" + dir_ + "/history.json " +
                                    kBaton + " record -o " + recording +
                                    " --upstream openai=" + upstream.base_url() + program);
    ASSERT_EQ(recorded.exit_code, 0) << recorded.out << recorded.err;
    EXPECT_THAT(recorded.out, HasSubstr(expected));
    EXPECT_EQ(upstream.received().size(), 4u);
  }
  // The SDK's own history of the run (result.history) is a transcript too: it names no
  // speaker, but each transfer_to_<agent> call hands the items after it to that agent.
  const std::string imported = dir_ + "/" + variant + "_history.baton";
  RunResult history = RunCommand(kBaton + " import transcript " + dir_ + "/history.json -o " +
                                 imported + " && " + kBaton + " cat " + imported);
  ASSERT_EQ(history.exit_code, 0) << history.out << history.err;
  // The first agent is not named anywhere in the history: it is the role's.
  EXPECT_THAT(history.out, HasSubstr(R"("kind":"message_send","agent":"assistant")"));
  EXPECT_THAT(history.out, HasSubstr(R"("to":"researcher","intent":"handoff")"));
  EXPECT_THAT(history.out, HasSubstr(R"("to":"writer","intent":"handoff")"));
  EXPECT_THAT(history.out, HasSubstr(R"("kind":"tool_call","agent":"researcher")"));
  EXPECT_THAT(history.out, HasSubstr(R"("tool":"search","arguments":"{\"query\":)"));
  EXPECT_THAT(history.out, HasSubstr(R"("kind":"outcome","agent":"writer")"));
  EXPECT_THAT(history.out, HasSubstr(R"("result":"Report: ACME faces supply risk)"));
  // And `why` finds in it what it finds in the recorded traffic.
  RunResult history_why = RunCommand(kBaton + " why " + imported);
  EXPECT_EQ(history_why.exit_code, 1) << history_why.out << history_why.err;
  EXPECT_THAT(history_why.out, HasSubstr("boundary writer <- researcher"));
  EXPECT_THAT(history_why.out, HasSubstr("refusal"));
  EXPECT_EQ(Slurp(recording).find(kOpenAiKey), std::string::npos);
  RunResult replayed = RunCommand(Keys() + kBaton + " replay " + recording +
                                  " --upstream openai=http://127.0.0.1:9/v1" + program);
  EXPECT_EQ(replayed.exit_code, 0) << replayed.out << replayed.err;
  EXPECT_THAT(replayed.out, HasSubstr(expected));
  EXPECT_THAT(replayed.out, HasSubstr("replay matched"));
  RunResult inspect = RunCommand(kBaton + " inspect " + recording);
  EXPECT_THAT(inspect.out, ::testing::ContainsRegex("agents +agent-1, researcher, writer"));
  EXPECT_THAT(inspect.out, HasSubstr("message_send 2"));
  EXPECT_THAT(inspect.out, HasSubstr("tool_call 1"));
  RunResult why = RunCommand(kBaton + " why " + recording);
  EXPECT_EQ(why.exit_code, 1) << why.out << why.err;
  EXPECT_THAT(why.out, HasSubstr("boundary writer <- researcher"));
  EXPECT_THAT(why.out, HasSubstr("refusal"));
}

// Two Vercel AI SDK agents (tests/js/ai_sdk_agents.mjs, `ai` and `@ai-sdk/openai` unmodified,
// the Responses API): an editor whose research tool runs a researcher. Nothing in the traffic
// names a handoff; the researcher's task is, word for word, the editor's tool call argument,
// and its answer comes back as that call's result. The researcher is named by that tool. Recorded,
// the call is a delegation and the result the researcher's reply; `why` names the refusal the
// researcher sent back, and the replay serves the same run.
TEST(AiSdkTest, AnAgentRunAsAToolIsADelegationWhoseReplyWhyJudges) {
  ASSERT_EQ(RunCommand("test -d " + kJs + "/node_modules/@ai-sdk/openai").exit_code, 0)
      << "scripts/install-deps installs the pinned SDKs (npm ci in tests/js)";
  const std::string dir = baton::testing::FreshTempDir("ai_sdk");
  const std::string recording = dir + "/run.baton";
  const std::string program = " -- node " + kJs + "/ai_sdk_agents.mjs";
  const std::string expected = "editor: I'm sorry, but I can't help with that request.";
  {
    FakeOpenAiServer upstream;
    ASSERT_EQ(EnqueueReplies("ai_sdk_agents_replies.json", "responses", upstream), 4u);
    RunResult recorded = RunCommand(Keys() + kBaton + " record -o " + recording +
                                    " --upstream openai=" + upstream.base_url() + program);
    ASSERT_EQ(recorded.exit_code, 0) << recorded.out << recorded.err;
    EXPECT_THAT(recorded.out, HasSubstr(expected));
    EXPECT_EQ(upstream.received().size(), 4u);
  }
  RunResult cat = RunCommand(kBaton + " cat " + recording);
  ASSERT_EQ(cat.exit_code, 0) << cat.err;
  EXPECT_THAT(
      cat.out,
      HasSubstr(
          R"("message_id":"call_research","to":"research","intent":"invoke","payload":"What was ACME's Q3 revenue?")"));
  EXPECT_THAT(
      cat.out,
      HasSubstr(
          R"("message_id":"call_research/reply","to":"editor","intent":"reply","payload":"I'm sorry, but I can't help with that request.")"));
  EXPECT_THAT(cat.out, HasSubstr(R"("kind":"message_processed","agent":"editor")"));
  RunResult why = RunCommand(kBaton + " why " + recording);
  EXPECT_EQ(why.exit_code, 1) << why.out << why.err;
  EXPECT_THAT(why.out, HasSubstr("low-quality handoff at the boundary editor <- research"));
  RunResult replayed = RunCommand(Keys() + kBaton + " replay " + recording +
                                  " --upstream openai=http://127.0.0.1:9/v1" + program);
  EXPECT_EQ(replayed.exit_code, 0) << replayed.out << replayed.err;
  EXPECT_THAT(replayed.out, HasSubstr(expected));
  EXPECT_THAT(replayed.out, HasSubstr("replay matched"));
}

INSTANTIATE_TEST_SUITE_P(ApisAndStreaming, AgentsSdkTest,
                         ::testing::Values(std::make_pair("responses", "responses"),
                                           std::make_pair("responses_stream", "responses stream"),
                                           std::make_pair("chat", "chat"),
                                           std::make_pair("chat_stream", "chat stream")),
                         [](const auto& info) { return std::string(info.param.first); });

// The SDK's own traces, posted to the proxy, confirm the agents and handoffs inferred from
// the traffic, and name the first agent, which neither a handoff nor its instructions name.
// In replay they are answered locally.
TEST_P(AgentsSdkTest, TheSdksOwnTracesConfirmTheInferredAgents) {
  const auto [variant, args] = GetParam();
  const std::string recording = dir_ + "/" + variant + "_traced.baton";
  const std::string program = " -- node " + kJs + "/agents_team.mjs " + args;
  {
    FakeOpenAiServer upstream;
    ASSERT_EQ(EnqueueReplies("agents_team_replies.json", variant, upstream), 4u);
    RunResult recorded =
        RunCommand(Keys() + "AGENTS_TEAM_TRACES=1 " + kBaton + " record -o " + recording +
                   " --upstream openai=" + upstream.base_url() + program);
    ASSERT_EQ(recorded.exit_code, 0) << recorded.out << recorded.err;
    size_t model_calls = 0, trace_posts = 0;
    for (const auto& r : upstream.received())
      ++(r.path.find("/traces/ingest") != std::string::npos ? trace_posts : model_calls);
    EXPECT_EQ(model_calls, 4u);
    EXPECT_GE(trace_posts, 1u) << "recording passes the traces on to the upstream";
  }
  RunResult cat = RunCommand(kBaton + " cat " + recording);
  ASSERT_EQ(cat.exit_code, 0) << cat.err;
  EXPECT_THAT(cat.out, HasSubstr(R"(the SDK's trace names agent-1 \"planner\" (no handoff)"));
  EXPECT_THAT(cat.out, HasSubstr(R"(the SDK's trace names researcher \"researcher\" too)"));
  EXPECT_THAT(cat.out, HasSubstr(R"(the SDK's trace names writer \"writer\" too)"));
  EXPECT_THAT(cat.out, HasSubstr("2 of 2 handoff(s) in the SDK's trace recovered"));
  EXPECT_THAT(cat.out, Not(HasSubstr(R"("passed":false)")));
  RunResult replayed = RunCommand(Keys() + "AGENTS_TEAM_TRACES=1 " + kBaton + " replay " +
                                  recording + " --upstream openai=http://127.0.0.1:9/v1" + program);
  EXPECT_EQ(replayed.exit_code, 0) << replayed.out << replayed.err;
  EXPECT_THAT(replayed.out, HasSubstr("final (writer)"));
}

// In replay the tools a program runs locally are checked against the recording: a search
// that now returns something else is reported as that tool's divergence.
TEST_F(JsSdkTest, AToolThatNowReturnsSomethingElseIsADivergence) {
  auto replies = JsonDocument::Parse(Slurp(kJs + "/agents_team_replies.json"), "replies");
  ASSERT_TRUE(replies.ok());
  const std::string recording = dir_ + "/tool.baton";
  {
    FakeOpenAiServer upstream;
    for (auto field : replies->root().getObject()) {
      if (std::string(field.getName().cStr()) != "chat") continue;
      for (auto reply : field.getValue().getArray())
        for (auto f : reply.getObject()) {
          baton::testing::FakeReply answer;
          answer.body = f.getValue().getString().cStr();
          upstream.Enqueue(std::move(answer));
        }
    }
    ASSERT_EQ(RunCommand(Keys() + kBaton + " record -o " + recording + " --upstream openai=" +
                         upstream.base_url() + " -- node " + kJs + "/agents_team.mjs chat")
                  .exit_code,
              0);
  }
  RunResult replayed = RunCommand(Keys() + "AGENTS_TEAM_SEARCH=changed " + kBaton + " replay " +
                                  recording + " --upstream openai=http://127.0.0.1:9/v1 -- node " +
                                  kJs + "/agents_team.mjs chat");
  EXPECT_EQ(replayed.exit_code, 1) << replayed.out << replayed.err;
  EXPECT_THAT(replayed.out + replayed.err,
              HasSubstr("researcher's tool search returned another result than in the recording"));
}

}  // namespace
}  // namespace baton
