#include "harness/synth/synthetic_session.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <random>
#include <vector>

#include "harness/synth/synthetic_text.h"

namespace baton::synth {
namespace {

constexpr std::array<const char*, 8> kRoles = {"planner", "researcher", "writer", "reviewer",
                                               "analyst", "coder",      "tester", "editor"};
constexpr int64_t kStartWallNs = 1'767'225'600'000'000'000;  // 2026-01-01T00:00:00Z.

}  // namespace

SessionHeader SyntheticHeader(const SynthOptions& options, int index) {
  SessionHeader h;
  h.session_id = "synth-" + std::to_string(options.seed) + "-" + std::to_string(index);
  h.start_wall_ns = kStartWallNs + static_cast<int64_t>(index) * 3'600'000'000'000;
  for (int a = 0; a < options.agents; ++a) {
    std::string name = kRoles[a % kRoles.size()];
    if (a >= static_cast<int>(kRoles.size())) name += std::to_string(a / kRoles.size());
    h.agents.push_back(name);
  }
  h.metadata = {{"generator", "baton synth"},
                {"seed", std::to_string(options.seed)},
                {"git_sha", "0000000"},
                {"service_version", "synthetic"}};
  return h;
}

uint64_t RecordSyntheticEvents(const SynthOptions& options, int index, Recorder& recorder) {
  SessionHeader header = SyntheticHeader(options, index);
  const std::vector<std::string>& agents = header.agents;
  std::mt19937_64 rng(options.seed * 1'000'003 + static_cast<uint64_t>(index));
  SyntheticText text(rng);
  int64_t mono = 0;
  uint64_t count = 0;

  auto record = [&](const std::string& agent, EventBody body, uint64_t cause, int64_t advance_ns) {
    mono += advance_ns;
    Event e;
    e.mono_ns = mono;
    e.wall_ns = header.start_wall_ns + mono;
    e.agent = agent;
    e.cause = cause;
    e.body = std::move(body);
    ++count;
    return recorder.RecordWithTimes(std::move(e));
  };
  auto ms = [&](int lo, int hi) {
    return static_cast<int64_t>(lo + static_cast<int>(rng() % (hi - lo + 1))) * 1'000'000;
  };

  const std::string system_prompt =
      "You are one agent of a research team. Follow the plan, cite sources, answer in JSON "
      "when asked, never invent data. " +
      text.Text(1500);
  // One list per conversation, appended to: every call shares its history (MessageList).
  std::vector<MessageList> history(agents.size());
  for (auto& h : history) h.push_back({"system", system_prompt, "", ""});

  std::map<std::string, uint64_t> context_versions;
  const std::vector<std::string> keys = {"market_data", "plan", "draft", "sources"};
  for (const auto& k : keys) {
    context_versions[k] = 1;
    record(agents[0], ContextWrite{k, 1, text.Text(300)}, 0, ms(1, 5));
  }
  uint64_t task = record(agents[0], ClockRead{"wall", header.start_wall_ns + mono}, 0, ms(0, 1));

  uint64_t last_output = task;
  for (int turn = 0; turn < options.turns; ++turn) {
    size_t from = static_cast<size_t>(turn) % agents.size();
    size_t to = (from + 1 + rng() % (agents.size() - 1)) % agents.size();
    const std::string& sender = agents[from];
    const std::string& receiver = agents[to];

    uint64_t routed = record(
        sender,
        RoutingDecision{receiver, agents, "Next step needs " + receiver + ": " + text.Text(120)},
        last_output, ms(1, 20));
    if (rng() % 3 == 0) {
      const std::string& key = keys[rng() % keys.size()];
      uint64_t v = ++context_versions[key];
      record(sender, ContextWrite{key, v, text.Text(options.payload_bytes / 2)}, routed, ms(1, 10));
    }
    std::string message_id = "m" + std::to_string(index) + "-" + std::to_string(turn);
    MessageSend send;
    send.message_id = message_id;
    send.to = receiver;
    send.intent = (turn % 4 == 0)   ? "research"
                  : (turn % 4 == 1) ? "draft"
                  : (turn % 4 == 2) ? "review"
                                    : "summarize";
    send.payload = text.Text(options.payload_bytes);
    for (const auto& k : {keys[0], keys[1]})
      send.context_versions.push_back({k, context_versions[k]});
    std::string payload = send.payload.text;
    std::string intent = send.intent;
    uint64_t sent = record(sender, std::move(send), routed, ms(1, 5));
    uint64_t delivered = record(receiver, MessageDelivery{message_id, sender}, sent, ms(1, 50));
    record(receiver, MessageInterpretation{message_id, intent, text.Text(80)}, delivered,
           ms(5, 40));
    record(receiver, ContextRead{keys[0], context_versions[keys[0]]}, delivered, ms(0, 2));

    uint64_t tool_seq = 0;
    std::string tool_result;
    if (turn % 2 == 0) {
      tool_result = text.Text(options.payload_bytes * 2);
      tool_seq =
          record(receiver,
                 ToolCall{"t" + std::to_string(turn), "search",
                          "{\"query\": \"" + text.Text(40) + "\"}", tool_result, ms(50, 900), ""},
                 delivered, ms(50, 900));
    }

    auto& conv = history[to];
    conv.push_back({"user", payload, sender, ""});
    if (!tool_result.empty())
      conv.push_back({"tool", tool_result, "search", "t" + std::to_string(turn)});
    ModelCall call;
    call.call_id = "c" + std::to_string(index) + "-" + std::to_string(turn);
    call.request.model = "gpt-4o-mini";
    call.request.parameters = {{"temperature", "0.2"}, {"max_tokens", "1024"}};
    call.request.messages = conv;
    call.request.tools = {
        {"search", "Search the web",
         "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\"}}}"}};
    call.request.headers = {{"content-type", "application/json"}};
    call.request.stream = (turn % 3 == 0);
    call.response.content = text.Text(options.payload_bytes);
    call.response.finish_reason = "stop";
    call.response.usage = {conv.size() * 150, options.payload_bytes / 4,
                           conv.size() * 150 + options.payload_bytes / 4};
    if (call.request.stream) {
      const std::string& c = call.response.content.text;
      for (size_t off = 0, k = 0; off < c.size(); off += 64, ++k)
        call.response.chunks.push_back({static_cast<int64_t>(k) * 30'000'000, c.substr(off, 64)});
    }
    call.latency_ns = ms(400, 4000);
    call.attempt = 1;
    std::string answer = call.response.content.text;
    if (rng() % 10 == 0) {
      record(receiver, Retry{call.call_id, 2, "HTTP 429", ms(500, 2000)}, delivered, ms(100, 300));
      call.attempt = 2;
    }
    uint64_t called =
        record(receiver, std::move(call), tool_seq != 0 ? tool_seq : delivered, ms(400, 4000));
    conv.push_back({"assistant", answer, "", ""});
    record(receiver, MessageProcessed{message_id}, called, ms(1, 5));

    double score = 0.55 + static_cast<double>(rng() % 45) / 100.0;
    uint64_t scored = record("judge", Score{called, message_id, score, "coverage", text.Text(60)},
                             called, ms(10, 200));
    if (rng() % 2 == 0)
      record(sender, Check{called, message_id, "schema", score >= 0.6, ""}, scored, ms(1, 5));
    record(receiver, RandomDraw{"sampling", rng()}, called, ms(0, 1));
    last_output = called;
  }
  record(agents[0], Outcome{text.Text(options.payload_bytes), Verdict::kSuccess, "synthetic"},
         last_output, ms(5, 50));
  return count;
}

Status WriteSyntheticSession(const std::string& path, const SynthOptions& options, int index,
                             RecorderOptions recorder_options) {
  if (options.agents < 2) return Status::InvalidArgument("synth needs at least 2 agents");
  if (options.turns < 0) return Status::InvalidArgument("synth needs a non-negative turn count");
  Result<std::unique_ptr<Recorder>> rec =
      Recorder::Create(path, SyntheticHeader(options, index), std::move(recorder_options));
  if (!rec.ok()) return rec.status();
  RecordSyntheticEvents(options, index, **rec);
  return (*rec)->Close();
}

}  // namespace baton::synth
