#include "bench/research_conversation.h"

#include <kj/async-io.h>
#include <kj/compat/http.h>
#include <kj/debug.h>

#include <array>
#include <random>
#include <vector>

#include "base/json_writer.h"
#include "harness/synth/synthetic_text.h"

namespace baton::bench {
namespace {

constexpr std::array<const char*, 4> kAgents = {"planner", "researcher", "writer", "reviewer"};
constexpr const char* kModel = "gpt-4o-mini-2024-07-18";
constexpr const char* kSearchTool =
    R"({"type":"function","function":{"name":"search","description":"Search the web for )"
    R"(recent sources.","parameters":{"type":"object","properties":{"query":{"type":"string"}},)"
    R"("required":["query"]}}})";

std::string Quoted(const std::string& text) {
  JsonWriter w;
  w.String(text);
  return w.Take();
}

// What the upstream's ids look like: a prefix and random letters and digits.
std::string Id(std::mt19937_64& rng, const char* prefix, int length) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string id = prefix;
  for (int i = 0; i < length; ++i) id += kAlphabet[rng() % (sizeof(kAlphabet) - 1)];
  return id;
}

// Tokens as a tokenizer cuts prose: a word with its leading space, long words in pieces.
std::vector<std::string> Tokens(const std::string& text) {
  std::vector<std::string> tokens;
  std::string current;
  for (char c : text) {
    if ((c == ' ' && !current.empty()) || current.size() >= 5) {
      tokens.push_back(current);
      current.clear();
    }
    current += c;
  }
  if (!current.empty()) tokens.push_back(current);
  return tokens;
}

struct Upstream {
  std::mt19937_64 rng;
  int64_t created = 1'767'225'600;
  std::string fingerprint = "fp_" + std::to_string(rng() % 1'000'000'000);

  std::vector<std::pair<std::string, std::string>> Headers() {
    return {{"x-request-id", Id(rng, "req_", 32)},
            {"openai-processing-ms", std::to_string(300 + rng() % 3000)},
            {"x-ratelimit-remaining-requests", std::to_string(9000 + rng() % 999)}};
  }

  std::string Usage(size_t prompt_bytes, size_t answer_bytes) {
    const size_t p = prompt_bytes / 4, c = answer_bytes / 4;
    return R"({"prompt_tokens":)" + std::to_string(p) + R"(,"completion_tokens":)" +
           std::to_string(c) + R"(,"total_tokens":)" + std::to_string(p + c) +
           R"(,"prompt_tokens_details":{"cached_tokens":)" + std::to_string(p / 128 * 128) +
           R"(,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,)"
           R"("audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}})";
  }

  // A completion as OpenAI sends it: pretty-printed, two-space indent.
  testing::FakeReply Completion(const std::string& message, const std::string& finish,
                                size_t prompt_bytes, size_t answer_bytes) {
    ++created;
    std::string body =
        "{\n  \"id\": \"" + Id(rng, "chatcmpl-", 29) +
        "\",\n  \"object\": \"chat.completion\",\n  \"created\": " + std::to_string(created) +
        ",\n  \"model\": \"" + kModel +
        "\",\n  \"choices\": [\n    {\n      \"index\": 0,\n      \"message\": " + message +
        ",\n      \"logprobs\": null,\n      \"finish_reason\": \"" + finish +
        "\"\n    }\n  ],\n  \"usage\": " + Usage(prompt_bytes, answer_bytes) +
        ",\n  \"service_tier\": \"default\",\n  \"system_fingerprint\": \"" + fingerprint +
        "\"\n}\n";
    testing::FakeReply r;
    r.body = std::move(body);
    r.headers = Headers();
    return r;
  }

  // The same answer streamed: a chunk per token, then the finish and the usage chunk.
  testing::FakeReply Stream(const std::string& content, size_t prompt_bytes) {
    ++created;
    const std::string head = R"({"id":")" + Id(rng, "chatcmpl-", 29) +
                             R"(","object":"chat.completion.chunk","created":)" +
                             std::to_string(created) + R"(,"model":")" + kModel +
                             R"(","service_tier":"default","system_fingerprint":")" + fingerprint +
                             R"(","choices":)";
    testing::FakeReply r;
    r.headers = Headers();
    r.sse_events.push_back(
        head +
        R"([{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null})");
    for (const std::string& token : Tokens(content))
      r.sse_events.push_back(head + R"([{"index":0,"delta":{"content":)" + Quoted(token) +
                             R"(},"logprobs":null,"finish_reason":null}],"usage":null})");
    r.sse_events.push_back(
        head + R"([{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null})");
    r.sse_events.push_back(head + "[],\"usage\":" + Usage(prompt_bytes, content.size()) + "}");
    r.sse_events.push_back("[DONE]");
    return r;
  }
};

class Client {
 public:
  explicit Client(std::string base_url) : base_url_(std::move(base_url)) {}

  void Post(const std::string& body) {
    kj::HttpHeaders headers(table_);
    headers.add("Content-Type", "application/json");
    headers.add("Authorization", "Bearer sk-bench-not-a-real-key-0000000000000000");
    headers.add("User-Agent", "OpenAI/JS 6.49.0");
    auto req = http_->request(kj::HttpMethod::POST, base_url_ + "/chat/completions", headers,
                              uint64_t{body.size()});
    req.body->write(body.data(), body.size()).wait(io_.waitScope);
    req.body = nullptr;
    auto resp = req.response.wait(io_.waitScope);
    KJ_REQUIRE(resp.statusCode == 200, resp.statusCode);
    resp.body->readAllText().wait(io_.waitScope);
  }

 private:
  std::string base_url_;
  kj::AsyncIoContext io_ = kj::setupAsyncIo();
  kj::HttpHeaderTable table_;
  kj::Own<kj::HttpClient> http_ =
      kj::newHttpClient(io_.provider->getTimer(), table_, io_.provider->getNetwork(), nullptr);
};

}  // namespace

int PlayResearchConversation(testing::FakeOpenAiServer& upstream, const std::string& base_url,
                             const ConversationOptions& options,
                             const std::function<void()>& after_call) {
  std::mt19937_64 rng(options.seed);
  synth::SyntheticText text(rng);
  Upstream answers{std::mt19937_64(options.seed + 1)};
  Client client(base_url);

  // Each agent's conversation, as the JSON of its messages (what the SDK resends).
  std::array<std::vector<std::string>, kAgents.size()> history;
  for (size_t a = 0; a < kAgents.size(); ++a) {
    history[a].push_back(R"({"role":"system","content":)" +
                         Quoted(std::string("You are the ") + kAgents[a] +
                                " of a research team. Follow the plan, cite sources, answer "
                                "in JSON when asked, never invent data. " +
                                text.Text(1500)) +
                         "}");
  }
  int calls = 0;
  auto call = [&](size_t agent, bool stream, bool tools, const testing::FakeReply& reply) {
    std::string body = R"({"model":"gpt-4o-mini","messages":[)";
    size_t prompt_bytes = 0;
    for (size_t i = 0; i < history[agent].size(); ++i) {
      if (i > 0) body += ',';
      body += history[agent][i];
      prompt_bytes += history[agent][i].size();
    }
    body += "]";
    if (tools) body += std::string(R"(,"tools":[)") + kSearchTool + "]";
    body += R"(,"temperature":0.2)";
    if (stream) body += R"(,"stream":true,"stream_options":{"include_usage":true})";
    body += "}";
    upstream.Enqueue(reply);
    client.Post(body);
    ++calls;
    after_call();
    return prompt_bytes;
  };

  for (int turn = 0; turn < options.turns; ++turn) {
    const size_t from = static_cast<size_t>(turn) % kAgents.size();
    const size_t to = (from + 1 + rng() % (kAgents.size() - 1)) % kAgents.size();
    auto& conv = history[to];
    conv.push_back(R"({"role":"user","content":)" +
                   Quoted(std::string("From the ") + kAgents[from] + ": " + text.Text(1200)) + "}");
    if (turn % 2 == 0) {
      // The model asks for a search; the program runs it and sends the result back.
      const std::string call_id = Id(rng, "call_", 24);
      const std::string args = R"({"query":)" + Quoted(text.Text(40)) + "}";
      const std::string asked = R"({"role":"assistant","content":null,"tool_calls":[{"id":")" +
                                call_id +
                                R"(","type":"function","function":{"name":"search","arguments":)" +
                                Quoted(args) + R"(}}],"refusal":null})";
      size_t bytes = 0;
      for (const auto& m : conv) bytes += m.size();
      call(to, /*stream=*/false, /*tools=*/true,
           answers.Completion(
               "{\n        \"role\": \"assistant\",\n        \"content\": null,\n        "
               "\"tool_calls\": [\n          {\n            \"id\": \"" +
                   call_id +
                   "\",\n            \"type\": \"function\",\n            \"function\": {\n"
                   "              \"name\": \"search\",\n              \"arguments\": " +
                   Quoted(args) +
                   "\n            }\n          }\n        ],\n        \"refusal\": null\n      }",
               "tool_calls", bytes, args.size()));
      conv.push_back(asked);
      conv.push_back(R"({"role":"tool","tool_call_id":")" + call_id + R"(","content":)" +
                     Quoted(text.Text(2400)) + "}");
    }
    const std::string answer = text.Text(1200);
    const bool stream = turn % 3 == 0;
    size_t bytes = 0;
    for (const auto& m : conv) bytes += m.size();
    call(to, stream, turn % 2 == 0,
         stream ? answers.Stream(answer, bytes)
                : answers.Completion("{\n        \"role\": \"assistant\",\n        \"content\": " +
                                         Quoted(answer) + ",\n        \"refusal\": null\n      }",
                                     "stop", bytes, answer.size()));
    // A streamed answer is appended as the program rebuilt it; a whole one as returned.
    conv.push_back(stream ? R"({"role":"assistant","content":)" + Quoted(answer) + "}"
                          : R"({"role":"assistant","content":)" + Quoted(answer) +
                                R"(,"refusal":null})");
  }
  return calls;
}

}  // namespace baton::bench
