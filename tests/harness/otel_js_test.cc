// The real OpenTelemetry JS SDK and its OTLP/HTTP exporters, JSON and protobuf (pinned in
// tests/js/package-lock.json, installed by scripts/install-deps), send a small multi-agent
// program's spans, with baton.* events for a stale read and a misunderstood task, to `baton
// serve`; SIGTERM writes the sessions, and `baton why` names the same root cause as for the C++
// runtime's recording of the same incident in corpora/, whichever encoding carried them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "base/json_parse.h"
#include "tests/testing/run_command.h"

namespace baton {
namespace {

using baton::testing::FreshTempDir;
using baton::testing::RunCommand;
using baton::testing::RunResult;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kBaton = BATON_BIN;
const std::string kJs = std::string(BATON_SOURCE_DIR) + "/tests/js";
const std::string kCorpora = std::string(BATON_SOURCE_DIR) + "/corpora";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// `baton why --json`'s root cause as "kind from->to".
std::string RootCause(const std::string& file) {
  RunResult why = RunCommand(kBaton + " why --json " + file);
  auto doc = JsonDocument::Parse(why.out, "baton why --json");
  if (!doc.ok()) return "unreadable: " + why.out + why.err;
  std::string out;
  for (auto field : doc->root().getObject()) {
    if (std::string(field.getName().cStr()) != "root_cause") continue;
    std::string kind, from, to;
    for (auto f : field.getValue().getObject()) {
      std::string name = f.getName().cStr();
      if (!f.getValue().isString()) continue;
      std::string v = f.getValue().getString().cStr();
      if (name == "kind") kind = v;
      if (name == "from") from = v;
      if (name == "to") to = v;
    }
    out = kind + " " + from + "->" + to;
  }
  return out;
}

// `baton serve` on an ephemeral port, writing into DIR/sessions. Idle is an hour: the sessions
// are written by SIGTERM (Stop), as a receiver that stops does.
struct Served {
  std::string pid;
  std::string endpoint;  // http://127.0.0.1:PORT
};
Served Serve(const std::string& dir) {
  RunResult started = RunCommand("sh -c '" + kBaton + " serve --otlp 127.0.0.1:0 -o " + dir +
                                 "/sessions --idle 3600 > " + dir + "/serve.out 2> " + dir +
                                 "/serve.log & echo $!'");
  Served served;
  if (started.exit_code != 0) return served;
  served.pid = started.out.substr(0, started.out.find('\n'));
  std::smatch port;
  for (int i = 0; i < 500; ++i) {
    const std::string log = Slurp(dir + "/serve.log");
    if (std::regex_search(log, port, std::regex("127\\.0\\.0\\.1:([0-9]+)/v1/traces"))) {
      served.endpoint = "http://127.0.0.1:" + port[1].str();
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return served;
}

// SIGTERM, then the stop line of its log once it has exited.
std::string Stop(const Served& served, const std::string& dir) {
  RunCommand("kill -TERM " + served.pid);
  for (int i = 0; i < 1000 && RunCommand("kill -0 " + served.pid + " 2>/dev/null").exit_code == 0;
       ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return Slurp(dir + "/serve.log");
}

// One traced program's run: tests/js/SCRIPT sending to a fresh `baton serve` in `dir`,
// stopped once the program ended.
struct TracedRun {
  RunResult run;        // The program's.
  std::string log;      // The receiver's.
  std::string session;  // The one session it wrote; "" when it wrote another number.
};
TracedRun RunTraced(const std::string& script, const std::string& dir) {
  TracedRun out;
  const Served served = Serve(dir);
  if (served.endpoint.empty()) {
    out.log = Slurp(dir + "/serve.log");
    return out;
  }
  out.run = RunCommand("node " + kJs + "/" + script + " " + served.endpoint);
  out.log = Stop(served, dir);
  std::vector<std::string> sessions;
  for (const auto& f : std::filesystem::directory_iterator(dir + "/sessions"))
    sessions.push_back(f.path().string());
  if (sessions.size() == 1) out.session = sessions[0];
  return out;
}

TEST(OtelJsExporterTest, BatonAttributesGiveTheRuntimesRootCause) {
  for (const char* exporter : {"exporter-trace-otlp-http", "exporter-trace-otlp-proto"})
    ASSERT_EQ(RunCommand("test -d " + kJs + "/node_modules/@opentelemetry/" + exporter).exit_code,
              0)
        << "scripts/install-deps installs the pinned OpenTelemetry JS packages (npm ci in "
           "tests/js)";
  const std::string dir = FreshTempDir("otel_js");
  const Served served = Serve(dir);
  ASSERT_FALSE(served.endpoint.empty()) << Slurp(dir + "/serve.log");
  const std::string& endpoint = served.endpoint;
  for (const char* encoding : {"json", "protobuf"})
    for (const char* scenario : {"stale_context", "misunderstood_task"}) {
      RunResult run = RunCommand("node " + kJs + "/otel_research_team.mjs " + scenario + " " +
                                 endpoint + " " + encoding);
      EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    }
  const std::string log = Stop(served, dir);
  EXPECT_THAT(log, HasSubstr("4 sessions written"));
  // A refused request (say a 415 for an encoding the receiver did not take) is counted in the
  // stop line; the path of the temporary directory may hold any digits.
  EXPECT_THAT(log, Not(HasSubstr("refused")));

  for (const char* scenario : {"stale_context", "misunderstood_task"}) {
    SCOPED_TRACE(scenario);
    const std::string session = dir + "/sessions/js-" + std::string(scenario) + ".baton";
    const std::string protobuf = dir + "/sessions/js-" + std::string(scenario) + "-protobuf.baton";
    const std::string want = RootCause(kCorpora + "/" + scenario + ".baton");
    EXPECT_FALSE(want.empty());
    EXPECT_EQ(RootCause(session), want);
    EXPECT_EQ(RootCause(protobuf), want);
    // The same events either way: only the conversation's name and the SDK's random span
    // ids differ.
    auto events = [](const std::string& file) {
      RunResult cat = RunCommand(kBaton + " cat " + file);
      EXPECT_EQ(cat.exit_code, 0) << cat.err;
      return std::regex_replace(std::regex_replace(cat.out, std::regex("-protobuf"), ""),
                                std::regex("\"[0-9a-f]{16}\""), "\"ID\"");
    };
    const std::string json_events = events(session);
    EXPECT_THAT(json_events, HasSubstr("context_read"));
    EXPECT_EQ(events(protobuf), json_events);
  }
}

// The official @opentelemetry/instrumentation-openai on the official openai SDK sends the
// messages as log records (GenAI events, with content capture on), the spans without them:
// baton serve joins the two exports into one session per conversation, with the messages,
// and the planner's transfer_to_researcher request as the handoff. With capture off (the
// default) the same run has no message text, and says so.
// What the receiver refused is said when it stops, so an exporter configured wrongly (a body
// that is not OTLP, a path that is not /v1/traces) is not a silent loss.
TEST(OtelServeTest, TheStopLineCountsTheRequestsItRefused) {
  const std::string dir = FreshTempDir("otel_serve_refused");
  const Served served = Serve(dir);
  ASSERT_FALSE(served.endpoint.empty()) << Slurp(dir + "/serve.log");
  const std::string post =
      "node -e 'fetch(process.argv[1], {method: \"POST\", headers: {\"content-type\": "
      "process.argv[2]}, body: \"x\"}).then(r => console.log(r.status))' ";
  RunResult yaml = RunCommand(post + served.endpoint + "/v1/traces text/yaml");
  EXPECT_EQ(yaml.out, "415\n") << yaml.err;
  RunResult bad_json = RunCommand(post + served.endpoint + "/v1/traces application/json");
  EXPECT_EQ(bad_json.out, "400\n") << bad_json.err;
  // A method HTTP does not know: kj's answer, counted. HTTP/2, as an OTLP/gRPC exporter speaks it:
  // no answer it could not read, and the operator is told what to change.
  RunResult unknown_method = RunCommand("curl -s -o /dev/null -w '%{http_code}' -X FROB " +
                                        served.endpoint + "/v1/traces");
  EXPECT_EQ(unknown_method.out, "501") << unknown_method.err;
  RunCommand("curl -s --http2-prior-knowledge --max-time 5 -X POST " + served.endpoint +
             "/v1/traces");
  const std::string log = Stop(served, dir);
  EXPECT_THAT(log, HasSubstr("stopped: 2 requests, 0 spans, 0 sessions written, 3 requests "
                             "refused as malformed (400, 404, 405, 415 or 501), 1 connections "
                             "refused for speaking HTTP/2 (OTLP/gRPC)"));
  EXPECT_THAT(log, HasSubstr("OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf"));
}

TEST(OtelJsInstrumentationTest, TheOpenAiInstrumentationsLogRecordsGiveTheMessages) {
  ASSERT_EQ(RunCommand("test -d " + kJs + "/node_modules/@opentelemetry/instrumentation-openai")
                .exit_code,
            0)
      << "scripts/install-deps installs the pinned OpenTelemetry JS packages (npm ci in tests/js)";
  const std::string dir = FreshTempDir("otel_js_logs");
  const Served served = Serve(dir);
  ASSERT_FALSE(served.endpoint.empty()) << Slurp(dir + "/serve.log");
  // Content capture on, as JSON and as protobuf; and off.
  for (const char* run_args : {"js-openai json", "js-openai-protobuf protobuf", "js-openai-off"}) {
    const bool capture = std::string(run_args).find("off") == std::string::npos;
    RunResult run = RunCommand("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=" +
                               std::string(capture ? "true" : "false") + " node " + kJs +
                               "/otel_openai_instrumented.cjs " + served.endpoint + " " + run_args);
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    EXPECT_THAT(run.out, HasSubstr("researcher: ACME's Q3 revenue was $12M."));
  }
  const std::string log = Stop(served, dir);
  EXPECT_THAT(log, HasSubstr("3 sessions written"));
  EXPECT_THAT(log, HasSubstr("log records of span events"));
  EXPECT_THAT(log, Not(HasSubstr("left out")));

  const std::string session = dir + "/sessions/js-openai.baton";
  RunResult cat = RunCommand(kBaton + " cat " + session);
  ASSERT_EQ(cat.exit_code, 0) << cat.err;
  EXPECT_THAT(cat.out, HasSubstr(R"({"role":"system","content":"You are the planner."})"));
  EXPECT_THAT(cat.out, HasSubstr(R"({"role":"user","content":"What was ACME's Q3 revenue?"})"));
  EXPECT_THAT(cat.out, HasSubstr(R"("content":"ACME's Q3 revenue was $12M.")"));
  EXPECT_THAT(cat.out, HasSubstr(R"("kind":"message_send","agent":"planner")"));
  EXPECT_THAT(cat.out, HasSubstr(R"("to":"researcher","intent":"handoff")"));
  EXPECT_THAT(cat.out, HasSubstr(R"("kind":"message_delivery","agent":"researcher")"));
  RunResult inspect = RunCommand(kBaton + " inspect " + session);
  EXPECT_THAT(inspect.out, HasSubstr("agents    planner, researcher"));
  EXPECT_THAT(inspect.out, HasSubstr("content=recorded"));
  EXPECT_EQ(RunCommand(kBaton + " check " + session).exit_code, 0);
  // The same calls and messages from the protobuf exports. The spans' order around them
  // follows the real clock (the instrumentation ends its chat span a moment after the agent's
  // code has gone on, so the researcher's start, and the handoff's delivery with it, may
  // come before or after the planner's call), so only what the calls and messages were is
  // compared, not where: each run's events in sorted order.
  auto events = [](const std::string& file) {
    RunResult out = RunCommand(kBaton + " cat " + file);
    EXPECT_EQ(out.exit_code, 0) << out.err;
    std::vector<std::string> kept;
    std::istringstream lines(out.out);
    for (std::string line; std::getline(lines, line);) {
      if (line.find("\"kind\":\"span_") != std::string::npos) continue;
      line = std::regex_replace(
          line, std::regex("\"(seq|cause|mono_ns|wall_ns|latency_ns)\":[0-9]+"), "\"$1\":N");
      kept.push_back(line);
    }
    std::sort(kept.begin(), kept.end());
    return kept;
  };
  const std::vector<std::string> json_events = events(session);
  EXPECT_THAT(json_events, ::testing::SizeIs(5));  // 2 calls, a send, its delivery and use.
  EXPECT_EQ(events(dir + "/sessions/js-openai-protobuf.baton"), json_events);

  RunResult off = RunCommand(kBaton + " cat " + dir + "/sessions/js-openai-off.baton");
  ASSERT_EQ(off.exit_code, 0) << off.err;
  EXPECT_THAT(off.out, Not(HasSubstr("ACME's Q3 revenue was")));
  EXPECT_THAT(off.out, HasSubstr(R"("to":"researcher","intent":"handoff")"));
}

// LangGraph traced by OpenInference's LangChain instrumentation, the real ones (pinned): a
// supervisor team whose supervisor and researcher are subgraphs. The nodes that call a model
// are the agents (from the run metadata the instrumentation puts on every span), the
// supervisor's transfer tool is the handoff, the researcher's answer goes back to the
// supervisor, and the thread is the session.
TEST(OtelJsInstrumentationTest, OpenInferenceTracesOfALangGraphTeamGiveItsAgentsAndHandoffs) {
  ASSERT_EQ(RunCommand("test -d " + kJs +
                       "/node_modules/@arizeai/openinference-instrumentation-langchain")
                .exit_code,
            0)
      << "scripts/install-deps installs the pinned JavaScript packages (npm ci in tests/js)";
  const std::string dir = FreshTempDir("otel_js_langgraph");
  const Served served = Serve(dir);
  ASSERT_FALSE(served.endpoint.empty()) << Slurp(dir + "/serve.log");
  RunResult run =
      RunCommand("node " + kJs + "/otel_langgraph_openinference.mjs " + served.endpoint);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("Saturn has 146 confirmed moons."));
  const std::string log = Stop(served, dir);
  EXPECT_THAT(log, HasSubstr("1 sessions written"));

  const std::string session = dir + "/sessions/lg-thread-1.baton";  // The thread's id.
  RunResult inspect = RunCommand(kBaton + " inspect " + session);
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  EXPECT_THAT(inspect.out, HasSubstr("model_call 4"));
  EXPECT_THAT(inspect.out, HasSubstr("content=recorded"));
  std::smatch agents;
  ASSERT_TRUE(std::regex_search(inspect.out, agents, std::regex("agents +([^\n]*)")));
  EXPECT_THAT(agents[1].str(), HasSubstr("supervisor"));
  EXPECT_THAT(agents[1].str(), HasSubstr("researcher"));
  EXPECT_THAT(agents[1].str(), Not(HasSubstr("tools")));
  RunResult cat = RunCommand(kBaton + " cat " + session);
  ASSERT_EQ(cat.exit_code, 0) << cat.err;
  EXPECT_THAT(cat.out, HasSubstr(R"("kind":"message_send","agent":"supervisor")"));
  EXPECT_THAT(cat.out, HasSubstr(R"("to":"researcher","intent":"handoff")"));
  EXPECT_THAT(cat.out, HasSubstr(R"("kind":"message_send","agent":"researcher")"));
  EXPECT_THAT(
      cat.out,
      HasSubstr(
          R"("to":"supervisor","intent":"reply","payload":"Saturn has 146 confirmed moons, per the 2023 count.")"));
  EXPECT_THAT(cat.out, HasSubstr(R"("kind":"tool_call","agent":"researcher")"));
  EXPECT_THAT(cat.out, HasSubstr(R"("tool":"search")"));
  EXPECT_THAT(cat.out,
              HasSubstr(R"({"role":"user","content":"How many moons does Saturn have?"})"));
}

// The OpenAI Agents SDK traced by OpenInference's instrumentation of it, the real ones
// (pinned): the three-agent team of agents_team.mjs with the same scripted answers, a refusal
// planted in the researcher's handoff. The agents are the SDK's, the handoffs are read from
// the instrumentation's handoff spans (handing over what the sender's model said with the
// call), and `baton why` names the boundary the proxy's recording of the same run names. The
// session replays the same team.
TEST(OtelJsInstrumentationTest, OpenInferenceTracesOfAnAgentsSdkTeamExplainItsRefusalAndReplay) {
  ASSERT_EQ(RunCommand("test -d " + kJs +
                       "/node_modules/@arizeai/openinference-instrumentation-openai-agents")
                .exit_code,
            0)
      << "scripts/install-deps installs the pinned JavaScript packages (npm ci in tests/js)";
  const TracedRun traced =
      RunTraced("otel_agents_openinference.mjs", FreshTempDir("otel_js_agents"));
  EXPECT_EQ(traced.run.exit_code, 0) << traced.run.out << traced.run.err;
  EXPECT_THAT(traced.run.out,
              HasSubstr("final (writer): Report: ACME faces supply risk; revenue 3.1B USD."));
  ASSERT_FALSE(traced.session.empty()) << traced.log;
  const std::string& session = traced.session;

  RunResult inspect = RunCommand(kBaton + " inspect " + session);
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  EXPECT_THAT(inspect.out, HasSubstr("model_call 4"));
  EXPECT_THAT(inspect.out, HasSubstr("tool_call 1"));
  EXPECT_THAT(inspect.out, HasSubstr("content=recorded"));
  RunResult cat = RunCommand(kBaton + " cat " + session);
  ASSERT_EQ(cat.exit_code, 0) << cat.err;
  EXPECT_THAT(
      cat.out,
      HasSubstr(
          R"("to":"planner","intent":"invoke","payload":"Assess the market risks for ACME next quarter")"));
  EXPECT_THAT(cat.out, HasSubstr(R"("agent":"planner","cause")"));
  EXPECT_THAT(cat.out, HasSubstr(R"("to":"researcher","intent":"handoff")"));
  EXPECT_THAT(
      cat.out,
      HasSubstr(
          R"("to":"writer","intent":"handoff","payload":"I'm sorry, but I can't help with that request.")"));
  EXPECT_THAT(cat.out, Not(HasSubstr(R"("to":"writer","intent":"invoke")")));
  EXPECT_THAT(cat.out, HasSubstr(R"("kind":"tool_call","agent":"researcher")"));

  RunResult why = RunCommand(kBaton + " why " + session);
  EXPECT_EQ(why.exit_code, 1) << why.out << why.err;
  EXPECT_THAT(why.out, HasSubstr("low-quality handoff at the boundary writer <- researcher"));
  EXPECT_THAT(why.out, HasSubstr("refusal"));

  // The session its spans became replays the same team, untraced, through the proxy: every
  // model call (the histories with their handoffs, the search and its result, the refusal
  // said beside a handoff) and the search are served from the recording.
  RunResult replayed = RunCommand("OPENAI_API_KEY=sk-test " + kBaton + " replay " + session +
                                  " --upstream openai=http://127.0.0.1:9/v1 -- node " + kJs +
                                  "/otel_agents_openinference.mjs -");
  EXPECT_EQ(replayed.exit_code, 0) << replayed.out << replayed.err;
  EXPECT_THAT(replayed.out,
              HasSubstr("final (writer): Report: ACME faces supply risk; revenue 3.1B USD."));
  EXPECT_THAT(replayed.out, HasSubstr("replay matched: 5 calls served"));
}

// The Vercel AI SDK's own telemetry, the real SDK (pinned): an editor whose research tool runs
// a researcher agent (agents as tools). The researcher's refusal returns to the editor, and
// `baton why` names that handoff.
TEST(OtelJsInstrumentationTest, AiSdkTelemetryOfAnAgentUsedAsAToolExplainsItsRefusal) {
  ASSERT_EQ(RunCommand("test -d " + kJs + "/node_modules/ai").exit_code, 0)
      << "scripts/install-deps installs the pinned JavaScript packages (npm ci in tests/js)";
  const TracedRun traced = RunTraced("otel_ai_sdk_agents.mjs", FreshTempDir("otel_js_ai_sdk"));
  EXPECT_EQ(traced.run.exit_code, 0) << traced.run.out << traced.run.err;
  EXPECT_THAT(traced.run.out, HasSubstr("editor: I'm sorry"));
  ASSERT_FALSE(traced.session.empty()) << traced.log;
  const std::string& session = traced.session;
  RunResult inspect = RunCommand(kBaton + " inspect " + session);
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  EXPECT_THAT(inspect.out, HasSubstr("model_call 4"));
  EXPECT_THAT(inspect.out, HasSubstr("tool_call 2"));
  EXPECT_THAT(inspect.out, HasSubstr("agents    editor, researcher"));
  RunResult cat = RunCommand(kBaton + " cat " + session);
  ASSERT_EQ(cat.exit_code, 0) << cat.err;
  EXPECT_THAT(
      cat.out,
      HasSubstr(R"("to":"researcher","intent":"invoke","payload":"What was ACME's Q3 revenue?")"));
  EXPECT_THAT(
      cat.out,
      HasSubstr(
          R"("to":"editor","intent":"reply","payload":"I'm sorry, but I can't help with that request.")"));
  RunResult why = RunCommand(kBaton + " why " + session);
  EXPECT_EQ(why.exit_code, 1) << why.out << why.err;
  EXPECT_THAT(why.out, HasSubstr("low-quality handoff at the boundary editor <- researcher"));
}

// Spans that carry message content replay: the session imported from them serves the official
// openai SDK, unmodified, through the proxy (a plain call and a streamed one), with the
// agents named as the spans named them.
TEST(OtelReplayTest, ASessionImportedFromSpansReplaysThroughTheProxy) {
  ASSERT_EQ(RunCommand("test -d " + kJs + "/node_modules/openai").exit_code, 0);
  const std::string dir = FreshTempDir("otel_replay");
  RunResult imported = RunCommand(kBaton + " import otlp " + std::string(BATON_SOURCE_DIR) +
                                  "/tests/otel/data/replayable.json -o " + dir);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  RunResult replayed = RunCommand(
      "CHAT_ONLY=1 OPENAI_API_KEY=sk-test " + kBaton + " replay " + dir +
      "/4bf92f3577b34da6a3ce929d0e0e4736.baton --upstream openai=http://127.0.0.1:9/v1 -- node " +
      kJs + "/openai_chat.mjs");
  EXPECT_EQ(replayed.exit_code, 0) << replayed.out << replayed.err;
  EXPECT_THAT(replayed.out,
              HasSubstr("planner -> transfer_to_researcher {\"task\":\"EU market\"}"));
  EXPECT_THAT(replayed.out, HasSubstr("researcher: Growth is 2%. (24 tokens)"));
  EXPECT_THAT(replayed.out, HasSubstr("replay matched: 2 calls served"));
  EXPECT_THAT(replayed.err, HasSubstr("imported from spans"));
}

// An Anthropic tool loop as OpenLLMetry's Anthropic instrumentation traces it (content blocks
// as their JSON text, two tool_use blocks beside the model's text, their results in one user
// message of tool_result blocks) replays through the proxy for the official @anthropic-ai/sdk:
// the history matches block for block, and the two tool calls are served as recorded.
TEST(OtelReplayTest, AnAnthropicToolLoopTracedByOpenLlmetryReplaysThroughTheProxy) {
  ASSERT_EQ(RunCommand("test -d " + kJs + "/node_modules/@anthropic-ai/sdk").exit_code, 0);
  const std::string dir = FreshTempDir("otel_anthropic_loop");
  RunResult imported =
      RunCommand(kBaton + " import otlp " + std::string(BATON_SOURCE_DIR) +
                 "/tests/otel/data/openllmetry_anthropic_tool_loop.json -o " + dir);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  RunResult replayed = RunCommand("ANTHROPIC_API_KEY=sk-ant-test " + kBaton + " replay " + dir +
                                  "/a1b2c3d4e5f60718293a4b5c6d7e8f90.baton --upstream "
                                  "anthropic=http://127.0.0.1:9 -- node " +
                                  kJs + "/anthropic_tool_loop.mjs");
  EXPECT_EQ(replayed.exit_code, 0) << replayed.out << replayed.err;
  EXPECT_THAT(replayed.out, HasSubstr("tool lookup(Q3)\ntool lookup(Q2)"));
  EXPECT_THAT(replayed.out,
              HasSubstr("researcher: From the books: Q3 revenue $12M; Q2 revenue $10M."));
  EXPECT_THAT(replayed.out, HasSubstr("replay matched: 4 calls served"));
}

// A tool loop traced by the official OpenAI instrumentation (spans and log records to `baton
// serve`) replays through the proxy: the model's message with two tool calls, sent back as
// the SDK returned it, and the tools' results match the history the spans carried, and the
// tool calls the requests carried results of are served as recorded.
TEST(OtelReplayTest, AToolLoopTracedByTheOpenAiInstrumentationReplaysThroughTheProxy) {
  ASSERT_EQ(RunCommand("test -d " + kJs + "/node_modules/@opentelemetry/instrumentation-openai")
                .exit_code,
            0);
  const std::string dir = FreshTempDir("otel_tool_loop");
  const Served served = Serve(dir);
  ASSERT_FALSE(served.endpoint.empty()) << Slurp(dir + "/serve.log");
  RunResult run = RunCommand("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true node " + kJs +
                             "/otel_openai_tool_loop.cjs " + served.endpoint + " tool-loop");
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::string answer = "researcher: From the books: Q3 revenue $12M; Q2 revenue $10M.";
  EXPECT_THAT(run.out, HasSubstr(answer));
  EXPECT_THAT(Stop(served, dir), HasSubstr("1 sessions written"));
  const std::string session = dir + "/sessions/tool-loop.baton";
  RunResult cat = RunCommand(kBaton + " cat " + session);
  ASSERT_EQ(cat.exit_code, 0) << cat.err;
  EXPECT_THAT(cat.out, HasSubstr(R"("kind":"tool_call","agent":"researcher")"));
  EXPECT_THAT(
      cat.out,
      HasSubstr(
          R"("tool":"lookup","arguments":"{\"quarter\": \"Q2\"}","result":"Q2 revenue $10M")"));

  RunResult replayed = RunCommand("OPENAI_API_KEY=sk-test " + kBaton + " replay " + session +
                                  " --upstream openai=http://127.0.0.1:9/v1 -- node " + kJs +
                                  "/otel_openai_tool_loop.cjs -");
  EXPECT_EQ(replayed.exit_code, 0) << replayed.out << replayed.err;
  EXPECT_THAT(replayed.out, HasSubstr(answer));
  EXPECT_THAT(replayed.out, HasSubstr("replay matched: 4 calls served"));
}

}  // namespace
}  // namespace baton
