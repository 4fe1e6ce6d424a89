// OpenTelemetry in and out: the hand-written OTLP files in tests/otel/data (GenAI current
// names, GenAI older names, OpenInference, content not captured) map to the events the
// issue names; bad documents fail with a reason and bad spans are rejected alone;
// import(export(s)) keeps every event OTel can carry and the same `baton why` for every
// session in corpora/; the receiver answers OTLP/HTTP as exporters expect.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include "assertions/root_cause.h"
#include "base/file_io.h"
#include "base/json_parse.h"
#include "base/json_writer.h"
#include "base/mem_env.h"
#include "harness/otel/baton_attributes.h"
#include "harness/otel/otlp_receiver.h"
#include "harness/otel/otlp_spans.h"
#include "harness/otel/span_export.h"
#include "harness/otel/span_import.h"
#include "harness/proxy/model_api.h"
#include "replayer/event_json.h"
#include "replayer/trace.h"
#include "tests/testing/run_command.h"

namespace baton::otel {
namespace {

using baton::testing::FreshTempDir;
using baton::testing::RunCommand;
using baton::testing::RunResult;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Pair;
using ::testing::SizeIs;
using ::testing::StartsWith;

const std::string kData = std::string(BATON_SOURCE_DIR) + "/tests/otel/data";
const std::string kCorpora = std::string(BATON_SOURCE_DIR) + "/corpora";
const std::string kBaton = BATON_BIN;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<SpanSession> Import(const std::string& file, GroupBy group_by = GroupBy::kAuto,
                                std::vector<RejectedSpan>* rejected = nullptr) {
  auto batch = ParseOtlpJson(Slurp(kData + "/" + file), file);
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  if (!batch.ok()) return {};
  if (rejected != nullptr) *rejected = batch->rejected;
  return SessionsFromSpans(std::move(batch->spans), group_by);
}

template <typename T>
std::vector<const Event*> Of(const SpanSession& s) {
  std::vector<const Event*> out;
  for (const Event& e : s.events)
    if (e.As<T>() != nullptr) out.push_back(&e);
  return out;
}

// Each message of a request as (role, text), to compare a whole request at once.
std::vector<std::pair<std::string, std::string>> Said(const MessageList& messages) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& m : messages) out.emplace_back(m.role, m.content.text);
  return out;
}

// Each message sent, as (sender, receiver, intent, payload), to compare them all at once.
std::vector<std::tuple<std::string, std::string, std::string, std::string>> Sends(
    const SpanSession& s) {
  std::vector<std::tuple<std::string, std::string, std::string, std::string>> out;
  for (const Event* e : Of<MessageSend>(s)) {
    const MessageSend& m = *e->As<MessageSend>();
    out.emplace_back(e->agent, m.to, m.intent, m.payload.text);
  }
  return out;
}

std::string Meta(const SessionHeader& h, const std::string& key) {
  for (const KeyValue& kv : h.metadata)
    if (kv.key == key) return kv.value;
  return "";
}

// Whether `why` on session `s` (the default policy) names a root cause of `kind` at the
// boundary `to` <- `from`; the paragraph when not.
::testing::AssertionResult RootCauseIs(const SpanSession& s, FindingKind kind,
                                       const std::string& from, const std::string& to) {
  Trace trace = Trace::FromEvents(s.header, s.events);
  Explanation why = Explain(trace, Analyze(trace, Policy{}, ScorerSet::Defaults()));
  if (!why.root.has_value())
    return ::testing::AssertionFailure() << "no root cause: " << why.paragraph;
  if (why.root->kind != kind || why.root->from != from || why.root->to != to)
    return ::testing::AssertionFailure()
           << "root cause " << FindingKindName(why.root->kind) << " at " << why.root->to << " <- "
           << why.root->from << ": " << why.paragraph;
  return ::testing::AssertionSuccess();
}

// --- AttributeKey ------------------------------------------------------------------------

TEST(AttributeKeyTest, KeepsShortAndLongKeysThroughCopiesMovesAndSelfAssignment) {
  const std::string inline_key(AttributeKey::kInlineBytes, 'k');  // The longest kept inline.
  const std::string heap_key(AttributeKey::kInlineBytes + 1, 'h');
  for (const std::string& text :
       {std::string(), std::string("gen_ai.request.model"), inline_key, heap_key}) {
    AttributeKey key(text);
    EXPECT_EQ(key.view(), text);
    AttributeKey copy(key);
    EXPECT_EQ(copy.view(), text);
    AttributeKey moved(std::move(copy));
    EXPECT_EQ(moved.view(), text);
    EXPECT_EQ(copy.view(), "");  // NOLINT(bugprone-use-after-move): a moved-from key is empty.
    AttributeKey& self = key;
    key = self;
    EXPECT_EQ(key.view(), text);
    // A key made from a piece of its own text, assigned back to it.
    key = AttributeKey(key.view().substr(0, text.size() / 2));
    EXPECT_EQ(key.view(), std::string_view(text).substr(0, text.size() / 2));
    key = heap_key;
    EXPECT_EQ(key, heap_key);
    key = inline_key;
    EXPECT_EQ(key, inline_key);
  }
}

// --- Mapping ------------------------------------------------------------------------------

TEST(OtlpImportTest, GenAiCurrentNames) {
  auto sessions = Import("genai_current.json");
  ASSERT_THAT(sessions, SizeIs(1));
  const SpanSession& s = sessions[0];
  EXPECT_EQ(s.key, "conv-42");  // gen_ai.conversation.id, under auto grouping.
  EXPECT_EQ(s.duplicate_spans, 1u);
  EXPECT_EQ(s.spans, 9u);
  EXPECT_THAT(s.header.agents, Contains("Triage"));
  EXPECT_THAT(s.header.agents, Contains("Billing Agent"));
  // A span whose parent never arrived belongs to its service.
  EXPECT_THAT(s.header.agents, Contains("support-bot"));
  EXPECT_EQ(Meta(s.header, "content"), "recorded");

  auto calls = Of<ModelCall>(s);
  ASSERT_THAT(calls, SizeIs(4));
  const ModelCall& triage = *calls[0]->As<ModelCall>();
  EXPECT_EQ(calls[0]->agent, "Triage");
  EXPECT_EQ(triage.request.model, "gpt-4o");
  EXPECT_THAT(triage.request.parameters,
              ElementsAre(KeyValue{"max_tokens", "512"}, KeyValue{"temperature", "0.2"}));
  ASSERT_EQ(triage.request.messages.size(), 2u);
  EXPECT_EQ(triage.request.messages[0].role, "system");
  EXPECT_EQ(triage.request.messages[0].content.text, "You route customers to the right agent.");
  EXPECT_EQ(triage.request.messages[1].content.text,
            "I was charged twice for invoice INV-7 this month.");
  ASSERT_THAT(triage.request.tools, SizeIs(1));
  EXPECT_EQ(triage.request.tools[0].name, "transfer_to_billing_agent");
  ASSERT_THAT(triage.response.tool_calls, SizeIs(1));
  EXPECT_EQ(triage.response.tool_calls[0].name, "transfer_to_billing_agent");
  EXPECT_EQ(triage.response.finish_reason, "tool_calls");
  EXPECT_EQ(triage.response.usage.prompt_tokens, 57u);
  EXPECT_EQ(triage.response.usage.completion_tokens, 12u);
  EXPECT_EQ(triage.latency_ns, 800'000'000);

  // The rate-limited call and its identical successor: one call, two attempts, a retry.
  const ModelCall& failed = *calls[1]->As<ModelCall>();
  const ModelCall& retried = *calls[2]->As<ModelCall>();
  EXPECT_EQ(failed.error, "Rate limit reached for gpt-4o");
  EXPECT_EQ(failed.error_code, CallErrorCode::kUnavailable);
  EXPECT_EQ(retried.attempt, 2u);
  EXPECT_EQ(retried.call_id, failed.call_id);
  auto retries = Of<Retry>(s);
  ASSERT_THAT(retries, SizeIs(1));
  EXPECT_EQ(retries[0]->As<Retry>()->backoff_ns, 400'000'000);
  EXPECT_EQ(retries[0]->agent, "Billing Agent");

  // The tool result comes back as a tool message, and the tool call itself is kept.
  const ModelCall& last = *calls[3]->As<ModelCall>();
  ASSERT_EQ(last.request.messages.size(), 3u);
  EXPECT_EQ(last.request.messages[2].role, "tool");
  EXPECT_EQ(last.request.messages[2].tool_call_id, "call_2");
  EXPECT_EQ(last.response.content.text,
            "You were charged twice (2 x 49.00). I have refunded the duplicate.");
  auto tools = Of<ToolCall>(s);
  ASSERT_THAT(tools, SizeIs(1));
  EXPECT_EQ(tools[0]->As<ToolCall>()->tool, "lookup_invoice");
  EXPECT_EQ(tools[0]->As<ToolCall>()->result.text, "{\"charges\":2,\"amount\":49.0}");

  // The transfer span is a handoff to the agent its target names, delivered when it starts.
  auto sends = Of<MessageSend>(s);
  ASSERT_THAT(sends, SizeIs(1));
  EXPECT_EQ(sends[0]->agent, "Triage");
  EXPECT_EQ(sends[0]->As<MessageSend>()->to, "Billing Agent");
  EXPECT_EQ(sends[0]->As<MessageSend>()->message_id, "call_1");
  EXPECT_EQ(sends[0]->As<MessageSend>()->intent, "handoff");
  auto deliveries = Of<MessageDelivery>(s);
  ASSERT_THAT(deliveries, SizeIs(1));
  EXPECT_EQ(deliveries[0]->agent, "Billing Agent");
  EXPECT_EQ(deliveries[0]->cause, sends[0]->seq);
  // Billing Agent acts on it with its first model call that succeeds (the retried one), not
  // the one that was rate-limited.
  auto processed = Of<MessageProcessed>(s);
  ASSERT_THAT(processed, SizeIs(1));
  EXPECT_EQ(processed[0]->As<MessageProcessed>()->message_id, "call_1");
  EXPECT_GT(processed[0]->seq, calls[2]->seq);
  EXPECT_THAT(Of<Outcome>(s), IsEmpty());  // The root span did not fail.

  // Events are in time order, numbered from 1.
  for (size_t i = 0; i < s.events.size(); ++i) {
    EXPECT_EQ(s.events[i].seq, i + 1);
    if (i > 0) {
      EXPECT_LE(s.events[i - 1].wall_ns, s.events[i].wall_ns);
    }
  }
}

TEST(OtlpImportTest, GenAiOlderNamesBase64IdsAndSeveralDocuments) {
  std::vector<RejectedSpan> rejected;
  auto sessions = Import("genai_older.json", GroupBy::kAuto, &rejected);
  ASSERT_THAT(rejected, SizeIs(1));
  EXPECT_THAT(rejected[0].where, HasSubstr("document 1: resourceSpans[0].scopeSpans[0].spans[1]"));
  EXPECT_THAT(rejected[0].reason, HasSubstr("traceId: expected 32 hex digits or base64"));
  // Base64 ids in the first document and hex in the second name the same trace.
  ASSERT_THAT(sessions, SizeIs(1));
  const SpanSession& s = sessions[0];
  EXPECT_EQ(s.key, "00000000000000000000000000000001");
  EXPECT_EQ(s.spans, 7u);
  EXPECT_THAT(s.header.agents, ElementsAre("planner", "researcher", "writer"));

  auto calls = Of<ModelCall>(s);
  ASSERT_THAT(calls, SizeIs(2));
  const ModelCall& flat = *calls[0]->As<ModelCall>();  // gen_ai.prompt.N.* / completion.N.*
  ASSERT_EQ(flat.request.messages.size(), 2u);
  EXPECT_EQ(flat.request.messages[0].role, "system");
  EXPECT_EQ(flat.request.messages[1].content.text, "Assess the EU market for heat pumps.");
  EXPECT_EQ(flat.response.content.text, "Researcher: collect 2025 EU heat pump sales by country.");
  EXPECT_EQ(flat.response.finish_reason, "stop");
  EXPECT_EQ(flat.response.usage.total_tokens, 44u);
  const ModelCall& events = *calls[1]->As<ModelCall>();  // gen_ai.*.message, gen_ai.choice
  ASSERT_EQ(events.request.messages.size(), 2u);
  EXPECT_EQ(events.request.messages[0].content.text, "You research markets.");
  EXPECT_EQ(events.response.content.text, "Germany 400k, France 300k, Italy 250k.");

  auto tools = Of<ToolCall>(s);
  ASSERT_THAT(tools, SizeIs(1));
  EXPECT_EQ(tools[0]->As<ToolCall>()->error, "timeout after 800ms");
  EXPECT_EQ(tools[0]->As<ToolCall>()->error_code, CallErrorCode::kDeadlineExceeded);

  // planner -> researcher (a child invoke_agent), researcher -> writer (gen_ai.caller.*).
  auto sends = Of<MessageSend>(s);
  ASSERT_THAT(sends, SizeIs(2));
  EXPECT_EQ(sends[0]->agent, "planner");
  EXPECT_EQ(sends[0]->As<MessageSend>()->to, "researcher");
  EXPECT_EQ(sends[0]->As<MessageSend>()->payload.text,
            "Collect 2025 EU heat pump sales by country.");
  EXPECT_EQ(sends[1]->agent, "researcher");
  EXPECT_EQ(sends[1]->As<MessageSend>()->to, "writer");
  EXPECT_THAT(Of<MessageDelivery>(s), SizeIs(2));
}

TEST(OtlpImportTest, OpenInferenceAndLangGraphNodes) {
  auto sessions = Import("openinference.json");
  ASSERT_THAT(sessions, SizeIs(1));
  const SpanSession& s = sessions[0];
  EXPECT_EQ(s.key, "thread-7");  // session.id
  EXPECT_EQ(Meta(s.header, "content"), "partial: 1 of 2 model calls");
  auto calls = Of<ModelCall>(s);
  ASSERT_THAT(calls, SizeIs(2));
  const ModelCall& c = *calls[0]->As<ModelCall>();
  EXPECT_EQ(calls[0]->agent, "researcher");
  EXPECT_EQ(c.request.model, "gpt-4o");
  ASSERT_EQ(c.request.messages.size(), 2u);
  EXPECT_EQ(c.request.messages[1].content.text, "Write a short note on solar subsidies in Spain.");
  EXPECT_THAT(c.request.parameters, ElementsAre(KeyValue{"temperature", "0.0"}));
  ASSERT_THAT(c.request.tools, SizeIs(1));
  EXPECT_EQ(c.request.tools[0].name, "search");
  ASSERT_THAT(c.response.tool_calls, SizeIs(1));
  EXPECT_EQ(c.response.tool_calls[0].id, "call_s1");
  EXPECT_EQ(c.response.usage.total_tokens, 49u);
  EXPECT_EQ(calls[1]->agent, "writer");  // A graph node is an agent.
  auto tools = Of<ToolCall>(s);
  ASSERT_THAT(tools, SizeIs(1));
  EXPECT_EQ(tools[0]->As<ToolCall>()->result.text, "Spain offers up to 40% of installation cost.");
  // The graph edge researcher -> writer is a handoff.
  auto sends = Of<MessageSend>(s);
  ASSERT_THAT(sends, SizeIs(1));
  EXPECT_EQ(sends[0]->agent, "researcher");
  EXPECT_EQ(sends[0]->As<MessageSend>()->to, "writer");
  // The graph's root span failed: the session failed.
  auto outcomes = Of<Outcome>(s);
  ASSERT_THAT(outcomes, SizeIs(1));
  EXPECT_EQ(outcomes[0]->As<Outcome>()->verdict, Verdict::kFailure);
  EXPECT_THAT(outcomes[0]->As<Outcome>()->detail, HasSubstr("GraphRecursionError"));
}

// OpenLLMetry (traceloop) instrumenting the OpenAI Agents SDK: its agent, tool and handoff
// spans also carry gen_ai.system, and traceloop.span.kind says what each is.
TEST(OtlpImportTest, OpenLlmetryAgentToolAndHandoffSpans) {
  auto sessions = Import("openllmetry_agents.json");
  ASSERT_THAT(sessions, SizeIs(1));
  const SpanSession& s = sessions[0];
  // The workflow's root span, outside any agent, belongs to its service.
  EXPECT_THAT(s.header.agents, ElementsAre("support-bot", "Triage", "Billing"));
  // Only the openai.response spans are model calls (operation "response").
  auto calls = Of<ModelCall>(s);
  ASSERT_THAT(calls, SizeIs(3));
  EXPECT_EQ(calls[0]->agent, "Triage");
  const ModelCall& triage = *calls[0]->As<ModelCall>();
  ASSERT_EQ(triage.request.messages.size(), 2u);
  EXPECT_EQ(triage.request.messages[1].content.text, "My invoice 88 was charged twice.");
  ASSERT_THAT(triage.response.tool_calls, SizeIs(1));
  EXPECT_EQ(triage.response.tool_calls[0].name, "transfer_to_billing");
  EXPECT_EQ(calls[1]->agent, "Billing");
  EXPECT_EQ(calls[2]->As<ModelCall>()->response.content.text,
            "The refund could not be issued yet; I have opened ticket 512 for it.");

  // The handoff span: one message from Triage, delivered once when Billing begins (its
  // gen_ai.agent.handoff_parent says the same and adds nothing).
  auto sends = Of<MessageSend>(s);
  ASSERT_THAT(sends, SizeIs(1));
  EXPECT_EQ(sends[0]->agent, "Triage");
  EXPECT_EQ(sends[0]->As<MessageSend>()->to, "Billing");
  EXPECT_EQ(sends[0]->As<MessageSend>()->intent, "handoff");
  auto deliveries = Of<MessageDelivery>(s);
  ASSERT_THAT(deliveries, SizeIs(1));
  EXPECT_EQ(deliveries[0]->agent, "Billing");
  EXPECT_EQ(deliveries[0]->cause, sends[0]->seq);
  // Billing's first model call that succeeds acts on it, as the proxy records it.
  auto processed = Of<MessageProcessed>(s);
  ASSERT_THAT(processed, SizeIs(1));
  EXPECT_EQ(processed[0]->agent, "Billing");
  EXPECT_EQ(processed[0]->As<MessageProcessed>()->message_id,
            sends[0]->As<MessageSend>()->message_id);
  EXPECT_GT(processed[0]->seq, calls[1]->seq);

  // Tools: named by traceloop.entity.name or gen_ai.tool.name, with what they were given and
  // returned (traceloop.entity.input / output, gen_ai.tool.input), and the failure.
  auto tools = Of<ToolCall>(s);
  ASSERT_THAT(tools, SizeIs(2));
  const ToolCall& lookup = *tools[0]->As<ToolCall>();
  EXPECT_EQ(tools[0]->agent, "Billing");
  EXPECT_EQ(lookup.tool, "lookup_invoice");
  EXPECT_EQ(lookup.arguments.text, "{\"args\": [], \"kwargs\": {\"invoice\": \"88\"}}");
  EXPECT_EQ(lookup.result.text, "{\"invoice\": \"88\", \"charges\": 2, \"amount\": 40}");
  const ToolCall& refund = *tools[1]->As<ToolCall>();
  EXPECT_EQ(refund.tool, "refund");
  EXPECT_EQ(refund.arguments.text, "{\"invoice\": \"88\", \"amount\": 40}");
  EXPECT_THAT(refund.error, HasSubstr("PaymentGatewayTimeout"));
  EXPECT_EQ(refund.error_code, CallErrorCode::kDeadlineExceeded);
  // A tool span's content is in the tool call, not copied into its span start.
  for (const Event& e : s.events) {
    const SpanStart* start = e.As<SpanStart>();
    if (start == nullptr) continue;
    for (const KeyValue& kv : start->attributes) {
      EXPECT_NE(kv.key, "traceloop.entity.input");
      EXPECT_NE(kv.key, "traceloop.entity.output");
    }
  }
}

// The Vercel AI SDK's own spans (experimental_telemetry): ai.generateText calls named by
// their functionId are the agents, ai.generateText.doGenerate the model calls, ai.toolCall
// the tool calls; content in ai.prompt.messages and ai.response.*, in its version 4 and 5
// spellings.
TEST(OtlpImportTest, VercelAiSdkSpans) {
  auto sessions = Import("vercel_ai.json");
  ASSERT_THAT(sessions, SizeIs(1));
  const SpanSession& s = sessions[0];
  EXPECT_THAT(s.header.agents, ElementsAre("notes-app", "researcher", "writer"));
  EXPECT_EQ(Meta(s.header, "content"), "recorded");
  auto calls = Of<ModelCall>(s);
  ASSERT_THAT(calls, SizeIs(3));
  const ModelCall& first = *calls[0]->As<ModelCall>();
  EXPECT_EQ(calls[0]->agent, "researcher");
  EXPECT_EQ(first.request.model, "gpt-4o");
  ASSERT_EQ(first.request.messages.size(), 2u);
  EXPECT_EQ(first.request.messages[0].role, "system");
  EXPECT_EQ(first.request.messages[1].content.text, "Find the 2025 EU solar subsidy rate.");
  ASSERT_THAT(first.request.tools, SizeIs(1));
  EXPECT_EQ(first.request.tools[0].name, "search");
  ASSERT_THAT(first.response.tool_calls, SizeIs(1));
  EXPECT_EQ(first.response.tool_calls[0].id, "call_1");
  EXPECT_EQ(first.response.tool_calls[0].name, "search");
  EXPECT_EQ(first.response.tool_calls[0].arguments_json.text, "{\"q\":\"EU solar subsidy 2025\"}");
  EXPECT_EQ(first.response.usage.prompt_tokens, 30u);
  EXPECT_EQ(first.response.usage.total_tokens, 42u);

  // The second request carries the tool call and its result as AI SDK content parts.
  const ModelCall& second = *calls[1]->As<ModelCall>();
  ASSERT_EQ(second.request.messages.size(), 4u);
  EXPECT_EQ(second.request.messages[3].role, "tool");
  EXPECT_EQ(second.request.messages[3].tool_call_id, "call_1");
  EXPECT_EQ(second.request.messages[3].content.text, "EU average: 30%");
  EXPECT_EQ(second.response.content.text, "The EU average rate is 30%.");
  EXPECT_EQ(second.response.finish_reason, "stop");

  const ModelCall& note = *calls[2]->As<ModelCall>();
  EXPECT_EQ(calls[2]->agent, "writer");
  EXPECT_EQ(note.response.usage.prompt_tokens, 25u);  // ai.usage.inputTokens (version 5).
  EXPECT_EQ(note.response.usage.completion_tokens, 14u);

  auto tools = Of<ToolCall>(s);
  ASSERT_THAT(tools, SizeIs(1));
  EXPECT_EQ(tools[0]->agent, "researcher");
  EXPECT_EQ(tools[0]->As<ToolCall>()->tool, "search");
  EXPECT_EQ(tools[0]->As<ToolCall>()->call_id, "call_1");
  EXPECT_EQ(tools[0]->As<ToolCall>()->result.text, "\"EU average: 30%\"");
  // Two calls one after the other under a plain root take turns: the writer answers what the
  // researcher replied (the program passed it on: the writer's prompt holds it), as in a
  // pipeline. The researcher's span does not say its reply; its last model call does.
  EXPECT_THAT(Sends(s), ElementsAre(std::make_tuple("researcher", "writer", "reply",
                                                    "The EU average rate is 30%.")));
}

// Logfire's OpenAI instrumentation in its releases before the GenAI message attributes: the
// request body as request_data and the answer as response_data ({"message"}, or the text of a
// stream as combined_chunk_content), JSON strings. Read as messages, and left out of the span
// starts with the other content.
TEST(OtlpImportTest, LogfireRequestAndResponseData) {
  auto sessions = Import("logfire_openai.json");
  ASSERT_THAT(sessions, SizeIs(1));
  const SpanSession& s = sessions[0];
  EXPECT_EQ(Meta(s.header, "content"), "recorded");
  auto calls = Of<ModelCall>(s);
  ASSERT_THAT(calls, SizeIs(2));
  const ModelCall& first = *calls[0]->As<ModelCall>();
  EXPECT_EQ(first.request.model, "gpt-4o");
  ASSERT_EQ(first.request.messages.size(), 2u);
  EXPECT_EQ(first.request.messages[0].role, "system");
  EXPECT_EQ(first.request.messages[1].content.text, "Where is order 42?");
  ASSERT_THAT(first.response.tool_calls, SizeIs(1));
  EXPECT_EQ(first.response.tool_calls[0].name, "lookup_order");
  EXPECT_EQ(first.response.tool_calls[0].id, "call_7");
  const ModelCall& second = *calls[1]->As<ModelCall>();
  ASSERT_EQ(second.request.messages.size(), 4u);
  EXPECT_EQ(second.request.messages[3].role, "tool");
  EXPECT_EQ(second.request.messages[3].tool_call_id, "call_7");
  EXPECT_EQ(second.response.content.text, "Order 42 shipped on 2025-11-20.");
  for (const Event* e : Of<SpanStart>(s))
    for (const KeyValue& kv : e->As<SpanStart>()->attributes)
      EXPECT_TRUE(kv.key != "request_data" && kv.key != "response_data") << kv.key;
}

// What the OpenTelemetry Python SDK's ConsoleSpanExporter prints (ReadableSpan.to_json(),
// one indented object per span): "0x" ids, ISO 8601 times, SpanKind and status names, plain
// JSON attribute values. `baton import otlp` reads it as the spans an OTLP export of them
// gives; a span with unusable ids is rejected alone.
TEST(OtlpImportTest, PythonConsoleExporterSpans) {
  auto batch = ParseOtlpJson(Slurp(kData + "/python_console_exporter.json"), "console.json");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_THAT(batch->spans, SizeIs(6));
  const Span& chat = batch->spans[0];
  EXPECT_EQ(chat.trace_id, "7e2a1f0c5d6b4a39a8e7f6d5c4b3a291");
  EXPECT_EQ(chat.span_id, "1000000000000002");
  EXPECT_EQ(chat.parent_span_id, "1000000000000001");
  EXPECT_EQ(chat.kind, 3);                        // SpanKind.CLIENT
  EXPECT_EQ(chat.start_ns, 1740823200100000000);  // 2025-03-01T10:00:00.100000Z
  EXPECT_EQ(chat.end_ns, 1740823201900000000);
  EXPECT_EQ(chat.service_name, "trip-planner");
  ASSERT_NE(chat.Find("gen_ai.request.temperature"), nullptr);
  EXPECT_EQ(chat.Find("gen_ai.request.temperature")->type, ValueType::kDouble);
  EXPECT_EQ(chat.Find("gen_ai.usage.input_tokens")->ToInt(), 40);
  EXPECT_THAT(chat.Find("gen_ai.response.finish_reasons")->ToStringList(),
              ElementsAre("tool_calls"));
  EXPECT_TRUE(batch->spans[1].parent_span_id.empty());  // "parent_id": null
  const Span& failed = batch->spans[4];
  EXPECT_EQ(failed.status, StatusCode::kError);
  EXPECT_EQ(failed.status_message, "RateLimitError: 429");
  ASSERT_THAT(failed.events, SizeIs(1));
  EXPECT_EQ(failed.events[0].time_ns, 1740823203000000000);  // Written "+00:00".
  ASSERT_THAT(batch->rejected, SizeIs(1));
  EXPECT_THAT(batch->rejected[0].where, HasSubstr("document 6"));
  EXPECT_THAT(batch->rejected[0].reason, HasSubstr("trace_id"));

  auto sessions = SessionsFromSpans(std::move(batch->spans), GroupBy::kAuto);
  ASSERT_THAT(sessions, SizeIs(1));
  EXPECT_THAT(Sends(sessions[0]),
              ElementsAre(std::make_tuple("planner", "writer", "handoff",
                                          R"({"plan":"Day 1 Belem, day 2 Alfama"})")));
  EXPECT_THAT(Of<Retry>(sessions[0]), SizeIs(1));

  // A JSON array of such spans reads the same; a time that is no ISO 8601 time, or one
  // before 1970, rejects its span with the reason.
  auto one = [](std::string_view start) {
    return std::string(
               R"({"name": "s", "context": {"trace_id": "0x7e2a1f0c5d6b4a39a8e7f6d5c4b3a291",
        "span_id": "0x1000000000000009"}, "start_time": ")") +
           std::string(start) + R"(", "attributes": {"k": [1, 2]}})";
  };
  auto listed = ParseOtlpJson(
      "[" + one("2025-03-01T10:00:00Z") + "," + one("2025-03-01T11:00:00.5-01:00") + "]",
      "list.json");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_THAT(listed->spans, SizeIs(2));
  EXPECT_EQ(listed->spans[0].start_ns, 1740823200000000000);
  EXPECT_EQ(listed->spans[1].start_ns, 1740823200000000000 + 2 * 3'600'000'000'000 + 500'000'000);
  EXPECT_EQ(listed->spans[0].Find("k")->type, ValueType::kArray);
  for (std::string_view bad :
       {"yesterday", "2025-13-01T10:00:00Z", "1969-12-31T23:59:59Z", "2025-03-01T10:00:00Zjunk"}) {
    auto rejected = ParseOtlpJson(one(bad), "bad.json");
    ASSERT_TRUE(rejected.ok()) << bad;
    EXPECT_THAT(rejected->spans, IsEmpty()) << bad;
    ASSERT_THAT(rejected->rejected, SizeIs(1)) << bad;
    EXPECT_THAT(rejected->rejected[0].reason, HasSubstr("start_time")) << bad;
  }
}

// MLflow Tracing exported over OTLP (its autologging of the OpenAI Agents SDK, of the
// OpenAI client and of the Anthropic client): every attribute is JSON text, and a span's
// whole inputs and outputs are mlflow.spanInputs and mlflow.spanOutputs. Written from
// MLflow's span attribute keys and its Agents SDK processor (an AGENT span around the run,
// Response spans whose outputs are the Responses items, function spans as TOOL spans).
TEST(OtlpImportTest, MlflowTracingSpans) {
  auto sessions = Import("mlflow_openai_agents.json");
  ASSERT_THAT(sessions, SizeIs(2));
  const SpanSession& agents = sessions[0];
  EXPECT_EQ(Meta(agents.header, "content"), "recorded");
  std::set<std::string> names;
  for (const Event* e : Of<ModelCall>(agents)) names.insert(e->agent);
  // The span around the run is no agent of its own.
  EXPECT_THAT(names, ElementsAre("Billing Agent", "Triage Agent"));
  auto calls = Of<ModelCall>(agents);
  ASSERT_THAT(calls, SizeIs(3));
  const ModelCall& triage = *calls[0]->As<ModelCall>();
  EXPECT_EQ(triage.request.model, "gpt-4o-2024-08-06");
  EXPECT_THAT(Said(triage.request.messages),
              ElementsAre(Pair("system", StartsWith("You are the triage agent.")),
                          Pair("user", "My card was charged twice for order 7.")));
  ASSERT_THAT(triage.request.tools, SizeIs(1));
  EXPECT_EQ(triage.request.tools[0].name, "transfer_to_billing_agent");
  ASSERT_THAT(triage.response.tool_calls, SizeIs(1));
  // A Responses function_call is named by its call_id, which its output names too.
  EXPECT_EQ(triage.response.tool_calls[0].id, "call_1");
  EXPECT_EQ(triage.response.usage.prompt_tokens, 61u);
  EXPECT_EQ(triage.response.usage.completion_tokens, 14u);
  const ModelCall& answer = *calls[2]->As<ModelCall>();
  EXPECT_EQ(answer.response.content.text, "You were charged twice; I have refunded $40.");
  EXPECT_EQ(answer.request.messages.back().tool_call_id, "call_2");
  auto sends = Sends(agents);
  ASSERT_THAT(sends, SizeIs(1));
  EXPECT_EQ(std::get<0>(sends[0]), "Triage Agent");
  EXPECT_EQ(std::get<1>(sends[0]), "Billing Agent");
  auto tools = Of<ToolCall>(agents);
  ASSERT_THAT(tools, SizeIs(2));
  EXPECT_EQ(tools[0]->agent, "Billing Agent");
  EXPECT_EQ(tools[0]->As<ToolCall>()->arguments.text, R"({"order_id": 7})");
  EXPECT_EQ(tools[0]->As<ToolCall>()->result.text, "two charges of $40 on 2025-11-02");
  // Inputs of JSON null are no arguments, not the text "null".
  EXPECT_EQ(tools[1]->As<ToolCall>()->arguments.text, "");
  EXPECT_EQ(tools[1]->As<ToolCall>()->result.text, "09:00");
  for (const Event* e : Of<SpanStart>(agents))
    for (const KeyValue& kv : e->As<SpanStart>()->attributes)
      EXPECT_TRUE(kv.key != "mlflow.spanInputs" && kv.key != "mlflow.spanOutputs") << kv.key;

  // The clients' own spans: the OpenAI and Anthropic requests as their keyword arguments,
  // the answers as a ChatCompletion and a Message; two prompts, two agents.
  const SpanSession& clients = sessions[1];
  auto client_calls = Of<ModelCall>(clients);
  ASSERT_THAT(client_calls, SizeIs(2));
  const ModelCall& openai = *client_calls[0]->As<ModelCall>();
  EXPECT_EQ(client_calls[0]->agent, "researcher");
  EXPECT_EQ(openai.request.model, "gpt-4o-mini");
  EXPECT_THAT(openai.request.parameters, ElementsAre(KeyValue{"temperature", "0"}));
  EXPECT_EQ(openai.response.content.text, "Five business days.");
  EXPECT_EQ(openai.response.finish_reason, "stop");
  EXPECT_EQ(openai.response.usage.total_tokens, 25u);
  const ModelCall& anthropic = *client_calls[1]->As<ModelCall>();
  EXPECT_EQ(client_calls[1]->agent, "writer");
  EXPECT_THAT(Said(anthropic.request.messages),
              ElementsAre(Pair("system", "You are the writer."),
                          Pair("user", "Say it in one line: Five business days.")));
  EXPECT_THAT(anthropic.request.parameters, ElementsAre(KeyValue{"max_tokens", "200"}));
  EXPECT_EQ(anthropic.response.content.text, "Refunds take 5 days.");
  EXPECT_EQ(anthropic.response.finish_reason, "end_turn");
  EXPECT_EQ(anthropic.response.usage.prompt_tokens, 18u);
  EXPECT_EQ(anthropic.response.usage.completion_tokens, 7u);
}

// Langfuse's SDKs (OpenTelemetry-based since v3) exported over OTLP: observations typed by
// langfuse.observation.type (agent, generation, tool), each with its whole input and output,
// model name and parameters, usage details, and a failure marked by its level. Written from
// Langfuse's span attribute keys, as its Python SDK's @observe and OpenAI integration set them.
TEST(OtlpImportTest, LangfuseObservations) {
  auto sessions = Import("langfuse_observations.json");
  ASSERT_THAT(sessions, SizeIs(1));
  const SpanSession& s = sessions[0];
  EXPECT_EQ(s.key, "chat-77");  // session.id
  auto calls = Of<ModelCall>(s);
  ASSERT_THAT(calls, SizeIs(4));
  const ModelCall& first = *calls[0]->As<ModelCall>();
  EXPECT_EQ(calls[0]->agent, "researcher");
  EXPECT_EQ(first.request.model, "gpt-4o");
  EXPECT_THAT(first.request.parameters,
              ElementsAre(KeyValue{"max_tokens", "Infinity"}, KeyValue{"temperature", "0"}));
  EXPECT_THAT(Said(first.request.messages),
              ElementsAre(Pair("system", StartsWith("You are the researcher.")),
                          Pair("user", "What is the population of Lisbon?")));
  ASSERT_THAT(first.response.tool_calls, SizeIs(1));
  EXPECT_EQ(first.response.tool_calls[0].id, "call_9");
  EXPECT_EQ(first.response.usage.prompt_tokens, 50u);
  EXPECT_EQ(first.response.usage.completion_tokens, 12u);
  EXPECT_EQ(calls[1]->As<ModelCall>()->error, "RateLimitError: 429 Too Many Requests");
  ASSERT_THAT(Of<Retry>(s), SizeIs(1));
  EXPECT_EQ(calls[2]->As<ModelCall>()->response.content.text,
            "545,923 people live in Lisbon (2021 census).");
  EXPECT_EQ(calls[3]->agent, "writer");
  EXPECT_EQ(calls[3]->As<ModelCall>()->request.model, "gpt-4o-mini");
  auto tools = Of<ToolCall>(s);
  ASSERT_THAT(tools, SizeIs(1));
  EXPECT_EQ(tools[0]->As<ToolCall>()->tool, "search");
  EXPECT_EQ(tools[0]->As<ToolCall>()->result.text, "Lisbon: 545,923 (2021 census)");
  auto sends = Sends(s);
  ASSERT_THAT(sends, SizeIs(1));
  EXPECT_EQ(std::get<0>(sends[0]), "researcher");
  EXPECT_EQ(std::get<1>(sends[0]), "writer");
  EXPECT_THAT(std::get<3>(sends[0]), HasSubstr("545,923 people live in Lisbon"));
  for (const Event* e : Of<SpanStart>(s))
    for (const KeyValue& kv : e->As<SpanStart>()->attributes)
      EXPECT_TRUE(kv.key != "langfuse.observation.input" && kv.key != "langfuse.observation.output")
          << kv.key;
}

// AG2's instrumentation traces agents' turns, not their model calls: invoke_agent spans
// with gen_ai.input.messages / gen_ai.output.messages under a conversation span (a group
// chat's manager runs its own conversation). Each turn answers the one before it, as in a
// group chat transcript; the first is what the conversation's agent asked; a turn that
// ended with a reply processed what it was sent, so nothing is left unanswered.
TEST(OtlpImportTest, Ag2ConversationTurnsAnswerThePreviousTurn) {
  auto sessions = Import("ag2_group_chat.json");
  ASSERT_THAT(sessions, SizeIs(1));
  const SpanSession& s = sessions[0];
  auto sends = Of<MessageSend>(s);
  ASSERT_THAT(sends, SizeIs(4));
  auto edge = [](const Event* e) {
    const MessageSend& m = *e->As<MessageSend>();
    return e->agent + " -> " + m.to + " (" + m.intent + ")";
  };
  EXPECT_EQ(edge(sends[0]), "user_proxy -> chat_manager (invoke)");
  EXPECT_EQ(edge(sends[1]), "chat_manager -> planner (invoke)");
  EXPECT_EQ(edge(sends[2]), "planner -> coder (reply)");
  EXPECT_EQ(edge(sends[3]), "coder -> critic (reply)");
  EXPECT_THAT(sends[1]->As<MessageSend>()->payload.text, HasSubstr("lowest defect rate"));
  EXPECT_THAT(sends[3]->As<MessageSend>()->payload.text, HasSubstr("Borealis is lowest."));
  EXPECT_THAT(Of<MessageProcessed>(s), SizeIs(4));
  ASSERT_THAT(Of<ToolCall>(s), SizeIs(1));
  EXPECT_EQ(Of<ToolCall>(s)[0]->agent, "coder");
  Trace trace = Trace::FromEvents(s.header, s.events);
  EXPECT_TRUE(Analyze(trace, Policy{}, ScorerSet::Defaults()).passed());

  // Turns that overlap ran at once: neither answers the other.
  auto batch = ParseOtlpJson(Slurp(kData + "/ag2_group_chat.json"), "ag2_group_chat.json");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  for (Span& span : batch->spans)
    if (span.name == "invoke_agent coder") span.start_ns -= 1'000'000'000;  // Before planner ended.
  auto overlapping = SessionsFromSpans(std::move(batch->spans), GroupBy::kAuto);
  ASSERT_THAT(overlapping, SizeIs(1));
  for (const Event* e : Of<MessageSend>(overlapping[0]))
    EXPECT_NE(edge(e), "planner -> coder (reply)");
}

// An AutoGen AgentChat SelectorGroupChat, traced as AutoGen's tracing guide sets it up: the
// program's root span, AutoGen's runtime spans for every message it creates, publishes and
// processes (messaging.*), an invoke_agent span per turn under the runtime's process span,
// execute_tool spans, and OpenLLMetry's openai.chat spans for the model calls (the agent
// and tool spans carry no content). Written from autogen-core's runtime tracing and
// autogen-agentchat's ChatAgentContainer. The turns are those of one conversation past the
// runtime's spans; each turn's reply is its last model call's answer; a tool call's
// arguments and result are those its model asked for and was given.
TEST(OtlpImportTest, AutoGenTurnsUnderItsRuntimesMessagingSpans) {
  auto sessions = Import("autogen_selector_group_chat.json");
  ASSERT_THAT(sessions, SizeIs(1));
  const SpanSession& s = sessions[0];
  auto sends = Sends(s);
  ASSERT_THAT(sends, SizeIs(2));
  EXPECT_EQ(std::get<0>(sends[0]), "PlanningAgent");
  EXPECT_EQ(std::get<1>(sends[0]), "WebSearchAgent");
  EXPECT_EQ(std::get<2>(sends[0]), "reply");
  EXPECT_THAT(std::get<3>(sends[0]), HasSubstr("1. WebSearchAgent : Find the Miami Heat player"));
  EXPECT_EQ(sends[1], std::make_tuple("WebSearchAgent", "DataAnalystAgent", "reply",
                                      "I'm sorry, but I can't help with that request."));
  auto tools = Of<ToolCall>(s);
  ASSERT_THAT(tools, SizeIs(1));
  EXPECT_EQ(tools[0]->agent, "WebSearchAgent");
  EXPECT_EQ(tools[0]->As<ToolCall>()->arguments.text,
            R"({"query": "Miami Heat highest points 2006-2007"})");
  EXPECT_EQ(tools[0]->As<ToolCall>()->result.text, "Dwyane Wade: 1397 points");
  EXPECT_TRUE(RootCauseIs(s, FindingKind::kLowQuality, "WebSearchAgent", "DataAnalystAgent"));
}

// The same team traced without a model instrumentation (AutoGen's own tracing alone): no span
// says what an agent answered but the runtime's process spans, whose `message` attribute
// holds each message it delivered (a GroupChatAgentResponse with the agent's chat message).
// Those give the turns their replies, a reply processed by the next turn; the reply of an
// agent whose model calls no span shows is its own output, and why says what it says with
// the model spans. The same without the refusal passes.
TEST(OtlpImportTest, AutoGenRepliesFromItsRuntimesMessagesWithoutModelSpans) {
  auto without_model_spans = [](std::string json) {
    auto batch = ParseOtlpJson(json, "autogen without openai.chat spans");
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    std::erase_if(batch->spans, [](const Span& span) { return span.name == "openai.chat"; });
    return SessionsFromSpans(std::move(batch->spans), GroupBy::kAuto);
  };
  std::string json = Slurp(kData + "/autogen_selector_group_chat.json");
  auto sessions = without_model_spans(json);
  ASSERT_THAT(sessions, SizeIs(1));
  const SpanSession& s = sessions[0];
  EXPECT_THAT(Of<ModelCall>(s), IsEmpty());
  auto sends = Sends(s);
  ASSERT_THAT(sends, SizeIs(2));
  EXPECT_EQ(std::get<0>(sends[0]), "PlanningAgent");
  EXPECT_THAT(std::get<3>(sends[0]), HasSubstr("1. WebSearchAgent : Find the Miami Heat player"));
  EXPECT_EQ(sends[1], std::make_tuple("WebSearchAgent", "DataAnalystAgent", "reply",
                                      "I'm sorry, but I can't help with that request."));
  EXPECT_THAT(Of<MessageProcessed>(s), SizeIs(2));
  EXPECT_TRUE(RootCauseIs(s, FindingKind::kLowQuality, "WebSearchAgent", "DataAnalystAgent"));

  const std::string refusal = "I'm sorry, but I can't help with that request.";
  for (size_t at = json.find(refusal); at != std::string::npos; at = json.find(refusal, at))
    json.replace(at, refusal.size(), "Dwyane Wade: 1397 points; 214 and 398 rebounds.");
  auto healthy = without_model_spans(json);
  ASSERT_THAT(healthy, SizeIs(1));
  Trace trace = Trace::FromEvents(healthy[0].header, healthy[0].events);
  EXPECT_TRUE(Analyze(trace, Policy{}, ScorerSet::Defaults()).passed());
}

// Without a span of the program's around the team, AutoGen's runtime starts a trace for every
// message it delivers, its publish span linked to the create span that sent the message: the
// traces continue one another and make one session, which says what the one trace says.
TEST(OtlpImportTest, AutoGenTracesPerMessageContinueOneAnother) {
  auto batch = ParseOtlpJson(Slurp(kData + "/autogen_selector_group_chat_no_root_span.json"),
                             "autogen_selector_group_chat_no_root_span.json");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  std::set<std::string> traces;
  for (const Span& span : batch->spans) traces.insert(span.trace_id);
  EXPECT_THAT(traces, SizeIs(8));
  auto sessions = SessionsFromSpans(std::move(batch->spans), GroupBy::kAuto);
  ASSERT_THAT(sessions, SizeIs(1));
  const SpanSession& s = sessions[0];
  auto sends = Sends(s);
  ASSERT_THAT(sends, SizeIs(2));
  EXPECT_EQ(std::get<0>(sends[0]), "PlanningAgent");
  EXPECT_EQ(sends[1], std::make_tuple("WebSearchAgent", "DataAnalystAgent", "reply",
                                      "I'm sorry, but I can't help with that request."));
  EXPECT_TRUE(RootCauseIs(s, FindingKind::kLowQuality, "WebSearchAgent", "DataAnalystAgent"));
  EXPECT_THAT(Import("autogen_selector_group_chat_no_root_span.json", GroupBy::kTrace), SizeIs(8));
}

// The GenAI conventions cannot say that an agent checked another's output: a session from
// spans without baton's check or score events says its checks were not recorded, and a
// healthy team passes the gate instead of failing on uses nobody could have recorded a check
// of. The same spans with the program's baton.check event record checks.
TEST(OtlpImportTest, SpansWithoutBatonChecksRecordNoChecksAndAHealthyTeamPasses) {
  std::string json = Slurp(kData + "/autogen_selector_group_chat.json");
  const std::string refusal = "I'm sorry, but I can't help with that request.";
  for (size_t at = json.find(refusal); at != std::string::npos; at = json.find(refusal, at))
    json.replace(at, refusal.size(), "Dwyane Wade: 1397 points; 214 and 398 rebounds.");
  auto batch = ParseOtlpJson(json, "healthy");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  auto sessions = SessionsFromSpans(batch->spans, GroupBy::kAuto);
  ASSERT_THAT(sessions, SizeIs(1));
  EXPECT_EQ(Meta(sessions[0].header, "checks"), "not recorded");
  Trace trace = Trace::FromEvents(sessions[0].header, sessions[0].events);
  EXPECT_TRUE(Analyze(trace, Policy{}, ScorerSet::Defaults()).passed());

  for (Span& span : batch->spans)
    if (span.name == "invoke_agent DataAnalystAgent")
      span.events.push_back({std::string(attr::kCheckEvent), span.start_ns + 1, {}});
  auto checked = SessionsFromSpans(std::move(batch->spans), GroupBy::kAuto);
  ASSERT_THAT(checked, SizeIs(1));
  EXPECT_EQ(Meta(checked[0].header, "checks"), "");
}

// A sequential CrewAI crew as OpenLIT traces it: create_agent spans for the crew's agents
// (here the writer is created between the two tasks), the tasks as invoke_agent turns under
// the crew's invoke_workflow span, each with its model calls. The writer's task answers the
// researcher's (its output is the next task's context); an agent's creation is no turn.
TEST(OtlpImportTest, CrewTasksTakeTurnsAndAgentCreationsAreNoTurns) {
  auto sessions = Import("crewai_openlit.json");
  ASSERT_THAT(sessions, SizeIs(1));
  const SpanSession& s = sessions[0];
  auto sends = Of<MessageSend>(s);
  ASSERT_THAT(sends, SizeIs(1));
  EXPECT_EQ(sends[0]->agent, "Senior Researcher");
  EXPECT_EQ(sends[0]->As<MessageSend>()->to, "Writer");
  EXPECT_EQ(sends[0]->As<MessageSend>()->intent, "reply");
  EXPECT_EQ(sends[0]->As<MessageSend>()->payload.text,
            "BYD 3.02M, Tesla 1.79M, Geely 0.89M deliveries in 2024.");
  // Delivered to the writer's task (its invoke_agent span), not to its creation.
  EXPECT_EQ(sends[0]->As<MessageSend>()->message_id, "c4e3a10000000006");
  auto processed = Of<MessageProcessed>(s);
  ASSERT_THAT(processed, SizeIs(1));
  EXPECT_EQ(processed[0]->agent, "Writer");
  std::vector<std::string> callers;
  for (const Event* e : Of<ModelCall>(s)) callers.push_back(e->agent);
  EXPECT_THAT(callers, ElementsAre("Senior Researcher", "Writer"));
}

// The same kind of crew as OpenInference's CrewAI instrumentation traces it: each task a
// "<role>._execute_core" AGENT span naming its agent in graph.node.id and the agent before it
// in graph.node.parent_id, its arguments (the agent, the context, the tools) as input.value,
// its output as output.value. The writer's context is the researcher's output: the writer
// answers that reply (a refusal here), not the task's arguments, and why names the handoff.
TEST(OtlpImportTest, CrewTasksAsOpenInferenceTracesThemAnswerTheTaskBefore) {
  auto sessions = Import("crewai_openinference.json");
  ASSERT_THAT(sessions, SizeIs(1));
  const SpanSession& s = sessions[0];
  EXPECT_THAT(Sends(s), ElementsAre(std::make_tuple("Senior Researcher", "Writer", "reply",
                                                    "I'm sorry, but I can't help with that "
                                                    "request.")));
  EXPECT_TRUE(RootCauseIs(s, FindingKind::kLowQuality, "Senior Researcher", "Writer"));

  // A task given something else than the task before's output is invoked with its input.
  auto batch = ParseOtlpJson(Slurp(kData + "/crewai_openinference.json"), "crew");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  for (Span& span : batch->spans)
    if (span.name == "Writer._execute_core")
      for (Attribute& a : span.attributes)
        if (a.key == "input.value") a.value = AttributeValue::String(R"({"context": ""})");
  auto other = SessionsFromSpans(std::move(batch->spans), GroupBy::kAuto);
  ASSERT_THAT(other, SizeIs(1));
  EXPECT_THAT(Sends(other[0]), ElementsAre(std::make_tuple("Senior Researcher", "Writer", "invoke",
                                                           R"({"context": ""})")));
}

// LangSmith's OTel export (its Python SDK) puts a LangChain run's inputs and outputs on the
// span as they serialize: gen_ai.prompt {"messages": [[...]]} and gen_ai.completion
// {"generations": [[{"text", "message"}]]}, each message in LangChain's {"lc", "id",
// "kwargs"} form (or {"type", "data"}, or model_dump's {"type", "content"}).
TEST(OtlpImportTest, LangChainMessagesAsLangSmithExportsARun) {
  Span llm;
  llm.trace_id = "0af7651916cd43dd8448eb211c80319c";
  llm.span_id = "b7ad6b7169203331";
  llm.name = "ChatOpenAI";
  llm.start_ns = 1'767'225'600'000'000'000;
  llm.end_ns = llm.start_ns + 900'000'000;
  llm.service_name = "langgraph-team";
  auto set = [&](std::string key, std::string value) {
    llm.attributes.push_back({key, AttributeValue::String(std::move(value))});
  };
  set("langsmith.span.kind", "llm");
  set("gen_ai.operation.name", "chat");
  set("gen_ai.system", "openai");
  set("gen_ai.request.model", "gpt-4o-mini");
  set("gen_ai.prompt",
      R"j({"messages": [[)j"
      R"j({"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", "SystemMessage"], "kwargs": {"content": "You research with search.", "type": "system"}},)j"
      R"j({"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", "HumanMessage"], "kwargs": {"content": "How many moons does Saturn have?", "type": "human"}},)j"
      R"j({"type": "ai", "data": {"content": "", "tool_calls": [{"name": "search", "args": {"q": "Saturn moons"}, "id": "call_s1", "type": "tool_call"}]}},)j"
      R"j({"type": "tool", "content": "Saturn has 146 confirmed moons.", "tool_call_id": "call_s1"}]]})j");
  set("gen_ai.completion",
      R"j({"generations": [[{"text": "", "type": "ChatGeneration", "message": )j"
      R"j({"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", "AIMessage"], )j"
      R"j("kwargs": {"content": "Saturn has 146 moons; let me tell the supervisor.", "tool_calls": )j"
      R"j([{"name": "transfer_to_supervisor", "args": {}, "id": "call_t2", "type": "tool_call"}]}}}]], )j"
      R"j("llm_output": {"model_name": "gpt-4o-mini"}})j");
  std::vector<Span> spans;
  spans.push_back(std::move(llm));
  auto sessions = SessionsFromSpans(std::move(spans), GroupBy::kAuto);
  ASSERT_THAT(sessions, SizeIs(1));
  auto calls = Of<ModelCall>(sessions[0]);
  ASSERT_THAT(calls, SizeIs(1));
  const ModelCall& call = *calls[0]->As<ModelCall>();
  EXPECT_THAT(Said(call.request.messages),
              ElementsAre(Pair("system", "You research with search."),
                          Pair("user", "How many moons does Saturn have?"), Pair("assistant", ""),
                          Pair("tool", "Saturn has 146 confirmed moons.")));
  EXPECT_EQ(call.request.messages[3].tool_call_id, "call_s1");
  EXPECT_EQ(call.response.content.text, "Saturn has 146 moons; let me tell the supervisor.");
  ASSERT_THAT(call.response.tool_calls, SizeIs(1));
  EXPECT_EQ(call.response.tool_calls[0].name, "transfer_to_supervisor");
  EXPECT_EQ(call.response.tool_calls[0].id, "call_t2");
  EXPECT_EQ(Meta(sessions[0].header, "content"), "recorded");
}

// LangGraph's run metadata, which LangChain gives every run within a node: the agents are
// the nodes that call a model, named by the top level of their checkpoint namespace (a
// supervisor's experts are subgraphs whose inner nodes, "agent" and "tools", are theirs);
// a node that calls no model (LangGraph's __start__, a tool node) is no agent. The
// supervisor's transfer tool is the handoff; the expert's node answers the supervisor's next
// turn. OpenInference carries the metadata as one JSON attribute, LangSmith and OpenLLMetry
// as attributes of their own: all three give the same agents.
TEST(OtlpImportTest, LangGraphNodesThatCallAModelAreTheAgents) {
  for (std::string_view carrier :
       {"metadata", "langsmith.metadata.", "traceloop.association.properties."}) {
    SCOPED_TRACE(carrier);
    auto batch = ParseOtlpJson(Slurp(kData + "/langgraph_openinference.json"), "lg.json");
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    if (carrier != "metadata")
      for (Span& span : batch->spans) {
        auto meta = std::find_if(span.attributes.begin(), span.attributes.end(),
                                 [](const Attribute& a) { return a.key == "metadata"; });
        if (meta == span.attributes.end()) continue;
        auto doc = JsonDocument::Parse(meta->value.text, "metadata");
        ASSERT_TRUE(doc.ok()) << doc.status().ToString();
        span.attributes.erase(meta);
        for (auto field : doc->root().getObject())
          if (field.getValue().isString())
            span.attributes.push_back(
                {std::string(carrier) + std::string(field.getName().cStr()),
                 AttributeValue::String(std::string(field.getValue().getString().cStr()))});
        // LangSmith writes a node's output as its state update, the messages serialized.
        auto output = std::find_if(span.attributes.begin(), span.attributes.end(),
                                   [](const Attribute& a) { return a.key == "output.value"; });
        if (carrier == "langsmith.metadata." && output != span.attributes.end()) {
          std::string update =
              R"({"messages": [{"lc": 1, "type": "constructor", "id": ["langchain", "schema", )"
              R"("messages", "AIMessage"], "kwargs": {"content": )";
          AppendJsonString(update, output->value.text);
          update += "}}]}";
          span.attributes.erase(output);
          span.attributes.push_back({"gen_ai.completion", AttributeValue::String(update)});
        }
      }
    auto sessions = SessionsFromSpans(std::move(batch->spans), GroupBy::kAuto);
    ASSERT_THAT(sessions, SizeIs(1));
    const SpanSession& s = sessions[0];
    EXPECT_THAT(s.header.agents, Contains("supervisor"));
    EXPECT_THAT(s.header.agents, Contains("research_expert"));
    for (std::string_view not_agent : {"agent", "tools", "__start__"})
      EXPECT_THAT(s.header.agents, Not(Contains(std::string(not_agent))));
    std::vector<std::string> callers;
    for (const Event* e : Of<ModelCall>(s)) callers.push_back(e->agent);
    EXPECT_THAT(callers,
                ElementsAre("supervisor", "research_expert", "research_expert", "supervisor"));
    auto tools = Of<ToolCall>(s);
    ASSERT_THAT(tools, SizeIs(1));
    EXPECT_EQ(tools[0]->agent, "research_expert");
    EXPECT_EQ(tools[0]->As<ToolCall>()->tool, "web_search");
    auto sends = Of<MessageSend>(s);
    ASSERT_THAT(sends, SizeIs(2));
    EXPECT_EQ(sends[0]->agent, "supervisor");
    EXPECT_EQ(sends[0]->As<MessageSend>()->to, "research_expert");
    EXPECT_EQ(sends[0]->As<MessageSend>()->intent, "handoff");
    EXPECT_EQ(sends[1]->agent, "research_expert");
    EXPECT_EQ(sends[1]->As<MessageSend>()->to, "supervisor");
    EXPECT_EQ(sends[1]->As<MessageSend>()->intent, "reply");
    EXPECT_THAT(sends[1]->As<MessageSend>()->payload.text, StartsWith("FAANG headcount"));
    EXPECT_THAT(sends[1]->As<MessageSend>()->payload.text, HasSubstr("Total 1,976,586."));
    EXPECT_THAT(Of<MessageProcessed>(s), SizeIs(2));
  }
}

// Pydantic AI before its 1.0 (instrumentation format 1, Logfire's default then): "agent run"
// spans naming their agent in agent_name, a model call's GenAI events as one JSON attribute
// `events` (assistant text as [{"kind": "text", "text": ...}] parts), "running tool" spans
// with tool_arguments / tool_response, and an agent delegated to from a tool, whose task is
// the first user message of its run's all_messages_events.
TEST(OtlpImportTest, PydanticAiSpansWithTheirEventsInAnAttribute) {
  auto sessions = Import("pydantic_ai.json");
  ASSERT_THAT(sessions, SizeIs(1));
  const SpanSession& s = sessions[0];
  EXPECT_THAT(s.header.agents, ElementsAre("joke_selection_agent", "joke_generation_agent"));
  EXPECT_EQ(Meta(s.header, "content"), "recorded");
  auto calls = Of<ModelCall>(s);
  ASSERT_THAT(calls, SizeIs(3));
  const ModelCall& pick = *calls[0]->As<ModelCall>();
  EXPECT_EQ(calls[0]->agent, "joke_selection_agent");
  EXPECT_THAT(Said(pick.request.messages),
              ElementsAre(Pair("system", "Pick the best joke. Use joke_factory to get jokes."),
                          Pair("user", "Tell me a joke about programmers.")));
  ASSERT_THAT(pick.response.tool_calls, SizeIs(1));
  EXPECT_EQ(pick.response.tool_calls[0].id, "call_jf1");
  EXPECT_EQ(pick.response.tool_calls[0].name, "joke_factory");
  EXPECT_EQ(pick.response.tool_calls[0].arguments_json.text, R"({"count":3})");
  EXPECT_EQ(pick.response.usage.prompt_tokens, 61u);

  const ModelCall& generate = *calls[1]->As<ModelCall>();
  EXPECT_EQ(calls[1]->agent, "joke_generation_agent");
  EXPECT_THAT(generate.response.content.text, HasSubstr("Light attracts bugs."));

  // The last call: the assistant's tool call and the tool's message in the request, the
  // answer as a text part.
  const ModelCall& answer = *calls[2]->As<ModelCall>();
  ASSERT_EQ(answer.request.messages.size(), 4u);
  EXPECT_EQ(answer.request.messages[2].role, "assistant");
  EXPECT_EQ(answer.request.messages[3].role, "tool");
  EXPECT_EQ(answer.request.messages[3].tool_call_id, "call_jf1");
  EXPECT_THAT(answer.request.messages[3].content.text, HasSubstr("A SQL query walks into a bar."));
  EXPECT_EQ(answer.response.content.text,
            "Why do programmers prefer dark mode? Because light attracts bugs.");

  auto tools = Of<ToolCall>(s);
  ASSERT_THAT(tools, SizeIs(1));
  EXPECT_EQ(tools[0]->agent, "joke_selection_agent");
  EXPECT_EQ(tools[0]->As<ToolCall>()->call_id, "call_jf1");
  EXPECT_EQ(tools[0]->As<ToolCall>()->tool, "joke_factory");
  EXPECT_EQ(tools[0]->As<ToolCall>()->arguments.text, R"({"count":3})");
  EXPECT_THAT(tools[0]->As<ToolCall>()->result.text, HasSubstr("There are 10 kinds of people."));

  // The delegation: an agent run under another agent's tool; its final_result returns to the
  // caller, whose next model call acts on it.
  using ::testing::FieldsAre;
  EXPECT_THAT(Sends(s),
              ElementsAre(FieldsAre("joke_selection_agent", "joke_generation_agent", "invoke",
                                    "Please generate 3 jokes about programmers."),
                          FieldsAre("joke_generation_agent", "joke_selection_agent", "reply",
                                    HasSubstr("Light attracts bugs."))));
  EXPECT_THAT(Of<MessageDelivery>(s), SizeIs(2));
  EXPECT_THAT(Of<MessageProcessed>(s), SizeIs(2));
}

// Pydantic AI from 1.0 uses the GenAI names (invoke_agent, gen_ai.input.messages); what an
// agent run was given is still said only at its end, in pydantic_ai.all_messages, where this
// run's messages start at pydantic_ai.new_message_index (those before are the history it
// continued). An `events` attribute that is not a list of GenAI events stays an attribute.
TEST(OtlpImportTest, PydanticAiRunsTaskIsItsFirstNewUserMessage) {
  std::string doc = Slurp(kData + "/pydantic_ai.json");
  auto batch = ParseOtlpJson(doc, "pydantic_ai.json");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  for (Span& span : batch->spans) {
    if (span.Str("agent_name") != "joke_generation_agent") continue;
    span.attributes.push_back({"gen_ai.operation.name", AttributeValue::String("invoke_agent")});
    span.attributes.push_back(
        {"pydantic_ai.all_messages",
         AttributeValue::String(
             R"j([{"role": "user", "parts": [{"type": "text", "content": "Earlier jokes, please."}]},)j"
             R"j({"role": "assistant", "parts": [{"type": "text", "content": "Here."}]},)j"
             R"j({"role": "user", "parts": [{"type": "text", "content": "Now 3 about cats."}]}])j")});
    span.attributes.push_back({"pydantic_ai.new_message_index", AttributeValue::Int(2)});
    span.attributes.push_back({"events", AttributeValue::String(R"(["deploy", "rollback"])")});
  }
  auto sessions = SessionsFromSpans(std::move(batch->spans), GroupBy::kAuto);
  ASSERT_THAT(sessions, SizeIs(1));
  auto sends = Of<MessageSend>(sessions[0]);
  ASSERT_THAT(sends, SizeIs(2));  // The task, and the run's reply.
  EXPECT_EQ(sends[0]->As<MessageSend>()->payload.text, "Now 3 about cats.");
  bool kept = false;
  for (const Event& e : sessions[0].events)
    if (const auto* start = e.As<SpanStart>(); start && start->name == "agent run")
      for (const KeyValue& kv : start->attributes)
        if (kv.key == "events" && kv.value == R"(["deploy", "rollback"])") kept = true;
  EXPECT_TRUE(kept) << "an events attribute of another shape is kept as it is";
}

// Google ADK's spans: agent_run [name] agents, call_llm spans whose request and response are
// Gemini Contents in gcp.vertex.agent.llm_request / llm_response (ADK's snake_case, and the
// Gemini API's camelCase candidates), execute_tool spans with gcp.vertex.agent.tool_call_args /
// tool_response, the transfer_to_agent tool naming its agent in its arguments, and the
// session in gcp.vertex.agent.session_id.
TEST(OtlpImportTest, GoogleAdkSpans) {
  auto sessions = Import("google_adk.json");
  ASSERT_THAT(sessions, SizeIs(1));
  const SpanSession& s = sessions[0];
  EXPECT_EQ(s.header.session_id, "sess-42");
  EXPECT_THAT(s.header.agents, Contains("coordinator"));
  EXPECT_THAT(s.header.agents, Contains("researcher"));
  EXPECT_EQ(Meta(s.header, "content"), "recorded");
  auto calls = Of<ModelCall>(s);
  ASSERT_THAT(calls, SizeIs(3));
  EXPECT_EQ(calls[0]->agent, "coordinator");
  const ModelCall& route = *calls[0]->As<ModelCall>();
  EXPECT_EQ(route.request.model, "gemini-2.0-flash");
  EXPECT_THAT(
      Said(route.request.messages),
      ElementsAre(Pair("system", "You coordinate. Transfer research questions to researcher."),
                  Pair("user", "What was ACME's Q3 revenue?")));
  ASSERT_THAT(route.request.tools, SizeIs(1));
  EXPECT_EQ(route.request.tools[0].name, "transfer_to_agent");
  ASSERT_THAT(route.response.tool_calls, SizeIs(1));
  EXPECT_EQ(route.response.tool_calls[0].id, "adk-1");
  EXPECT_EQ(route.response.tool_calls[0].arguments_json.text, R"({"agent_name":"researcher"})");
  EXPECT_EQ(route.response.finish_reason, "STOP");
  EXPECT_EQ(route.response.usage.prompt_tokens, 52u);
  EXPECT_EQ(route.response.usage.total_tokens, 61u);

  // The handoff: transfer_to_agent names its agent in its arguments, not its name.
  auto sends = Of<MessageSend>(s);
  ASSERT_THAT(sends, SizeIs(1));
  EXPECT_EQ(sends[0]->agent, "coordinator");
  EXPECT_EQ(sends[0]->As<MessageSend>()->to, "researcher");
  EXPECT_EQ(sends[0]->As<MessageSend>()->message_id, "adk-1");

  // The researcher's request: the system instruction as a Content, the function response
  // as a tool message; its reasoning (a thought part) is not what it said.
  EXPECT_EQ(calls[1]->agent, "researcher");
  const ModelCall& search = *calls[1]->As<ModelCall>();
  ASSERT_EQ(search.request.messages.size(), 4u);
  EXPECT_EQ(search.request.messages[0].content.text, "You research with search.");
  EXPECT_EQ(search.request.messages[3].role, "tool");
  EXPECT_EQ(search.request.messages[3].tool_call_id, "adk-1");
  EXPECT_EQ(search.response.content.text, "");
  ASSERT_THAT(search.response.tool_calls, SizeIs(1));
  EXPECT_EQ(search.response.tool_calls[0].name, "search");
  auto tools = Of<ToolCall>(s);
  ASSERT_THAT(tools, SizeIs(1));
  EXPECT_EQ(tools[0]->agent, "researcher");
  EXPECT_EQ(tools[0]->As<ToolCall>()->call_id, "adk-2");
  EXPECT_EQ(tools[0]->As<ToolCall>()->arguments.text, R"({"query": "ACME Q3 revenue"})");
  EXPECT_EQ(tools[0]->As<ToolCall>()->result.text, R"({"result": "ACME Q3 revenue: 4.2B USD"})");

  // The Gemini API's own response shape: candidates, camelCase.
  const ModelCall& answer = *calls[2]->As<ModelCall>();
  EXPECT_EQ(answer.request.messages.back().role, "tool");
  EXPECT_EQ(answer.request.messages.back().tool_call_id, "adk-2");
  EXPECT_EQ(answer.response.content.text, "ACME's Q3 revenue was 4.2B USD.");
  EXPECT_EQ(answer.response.finish_reason, "STOP");
  EXPECT_EQ(answer.response.usage.prompt_tokens, 96u);
  EXPECT_EQ(answer.response.usage.completion_tokens, 12u);
}

// Messages shaped as other APIs shape them, under the current GenAI names: OpenAI Responses
// input items (function_call, function_call_output) and Anthropic content blocks (tool_use,
// tool_result).
// The OpenAI Agents SDK's trace as OpenInference's JS instrumentation exports it (captured
// from the real one, tests/js/otel_agents_openinference.mjs), with the handoff to the writer
// moved to the millisecond the writer's span starts, as the SDK's clock often has it. The
// agent spans carry no input: the planner was given its first request's user message. A
// handoff span hands over what the sender's model said with the call that asked for it (a
// refusal here), and comes before the span of the agent it hands to.
TEST(OtlpImportTest, OpenInferenceAgentsSdkHandoffsCarryWhatTheSenderSaid) {
  auto sessions = Import("openinference_agents_sdk.json");
  ASSERT_THAT(sessions, SizeIs(1));
  const SpanSession& s = sessions[0];
  EXPECT_THAT(Sends(s),
              ElementsAre(std::make_tuple("Agent workflow", "planner", "invoke",
                                          "Assess the market risks for ACME next quarter"),
                          std::make_tuple("planner", "researcher", "handoff", "{}"),
                          std::make_tuple("researcher", "writer", "handoff",
                                          "I'm sorry, but I can't help with that request.")));
  // Each is delivered, and acted on by its receiver's next model call.
  EXPECT_THAT(Of<MessageDelivery>(s), SizeIs(3));
  EXPECT_THAT(Of<MessageProcessed>(s), SizeIs(3));
}

// An agent used as a tool returns its reply to its caller: the Vercel AI SDK's own telemetry
// of an editor whose research tool runs a researcher (generateText inside a tool; captured
// from the real SDK, tests/js/otel_ai_sdk_agents.mjs). The SDK's millisecond start times make
// the spans' times disagree by a millisecond or so: in one run the researcher's span ends
// before its last model call does, in another after the editor's next call began, in a third
// that last call starts after the editor's tool span ended. Each way the researcher's refusal
// goes back to the editor after the call that wrote it and before the editor acts on it with
// its next model call; `why` names that handoff, not the editor's well-formed question the
// researcher used without a check.
TEST(OtlpImportTest, AnAgentUsedAsAToolReturnsItsReplyToItsCaller) {
  for (const char* file : {"ai_sdk_agents_as_tools.json", "ai_sdk_agents_as_tools_late_end.json",
                           "ai_sdk_agents_as_tools_late_start.json"}) {
    SCOPED_TRACE(file);
    auto sessions = Import(file);
    ASSERT_THAT(sessions, SizeIs(1));
    const SpanSession& s = sessions[0];
    EXPECT_THAT(Sends(s), ElementsAre(std::make_tuple("editor", "researcher", "invoke",
                                                      "What was ACME's Q3 revenue?"),
                                      std::make_tuple("researcher", "editor", "reply",
                                                      "I'm sorry, but I can't help with that "
                                                      "request.")));
    std::vector<std::string> order;  // The reply's way, and the calls around it.
    for (const Event& e : s.events) {
      if (e.As<ModelCall>() != nullptr) order.push_back(e.agent + " model_call");
      if (const auto* m = e.As<MessageSend>(); m != nullptr && m->intent == "reply")
        order.push_back("reply sent");
      if (const auto* m = e.As<MessageProcessed>(); m != nullptr && e.agent == "editor")
        order.push_back("reply processed");
    }
    EXPECT_THAT(order,
                ElementsAre("editor model_call", "researcher model_call", "researcher model_call",
                            "reply sent", "editor model_call", "reply processed"));
    EXPECT_TRUE(RootCauseIs(s, FindingKind::kLowQuality, "researcher", "editor"));
  }
}

// Strands Agents' spans in its default (older) conventions: messages as gen_ai.*.message
// and gen_ai.choice events whose content is Bedrock Converse content blocks ({"text"},
// {"toolUse"}, {"toolResult"}); execute_tool spans with their input and result in events; a
// swarm's agents handing off with its one handoff_to_agent tool, naming the agent in its
// arguments. Written from its tracer (strands/telemetry/tracer.py).
TEST(OtlpImportTest, StrandsSwarmSpansWithConverseContentBlocksAndHandoffToAgent) {
  auto sessions = Import("strands_swarm.json");
  ASSERT_THAT(sessions, SizeIs(1));
  const SpanSession& s = sessions[0];
  EXPECT_THAT(s.header.agents, Contains("researcher"));
  EXPECT_THAT(s.header.agents, Contains("coder"));
  EXPECT_EQ(Meta(s.header, "content"), "recorded");

  auto calls = Of<ModelCall>(s);
  ASSERT_THAT(calls, SizeIs(3));
  const ModelCall& route = *calls[0]->As<ModelCall>();
  EXPECT_EQ(calls[0]->agent, "researcher");
  EXPECT_THAT(Said(route.request.messages),
              ElementsAre(Pair("user", StartsWith("Write a Python function"))));
  EXPECT_EQ(route.response.content.text,
            "The usual definition starts at F(0)=0. Handing off to the coder.");
  ASSERT_THAT(route.response.tool_calls, SizeIs(1));
  EXPECT_EQ(route.response.tool_calls[0].id, "tooluse_h1");
  EXPECT_EQ(route.response.tool_calls[0].name, "handoff_to_agent");
  EXPECT_THAT(route.response.tool_calls[0].arguments_json.text, HasSubstr("\"coder\""));
  EXPECT_EQ(route.response.finish_reason, "tool_use");

  // The swarm gives the researcher the task; the researcher hands off to the coder, who
  // acts on it.
  using ::testing::FieldsAre;
  EXPECT_THAT(Sends(s), ElementsAre(FieldsAre("swarm", "researcher", "invoke",
                                              StartsWith("Write a Python function")),
                                    FieldsAre("researcher", "coder", "handoff",
                                              HasSubstr("Implement fib(n) with fib(0)=0"))));
  EXPECT_EQ(Of<MessageSend>(s)[1]->As<MessageSend>()->message_id, "tooluse_h1");
  auto processed = Of<MessageProcessed>(s);
  ASSERT_THAT(processed, SizeIs(2));
  EXPECT_EQ(processed[1]->agent, "coder");
  EXPECT_EQ(processed[1]->As<MessageProcessed>()->message_id, "tooluse_h1");

  // A tool span's input and result from its events; a request's tool result from a
  // toolResult block, with its call id.
  auto tools = Of<ToolCall>(s);
  ASSERT_THAT(tools, SizeIs(1));
  EXPECT_EQ(tools[0]->agent, "coder");
  EXPECT_EQ(tools[0]->As<ToolCall>()->arguments.text, R"j({"code": "print(fib(10))"})j");
  EXPECT_EQ(tools[0]->As<ToolCall>()->result.text, "55");
  const ModelCall& answer = *calls[2]->As<ModelCall>();
  ASSERT_EQ(answer.request.messages.size(), 3u);
  EXPECT_EQ(answer.request.messages[1].role, "assistant");
  EXPECT_EQ(answer.request.messages[2].role, "tool");
  EXPECT_EQ(answer.request.messages[2].content.text, "55");
  EXPECT_EQ(answer.request.messages[2].tool_call_id, "tooluse_r1");
  EXPECT_EQ(answer.response.content.text, "def fib(n): ...");
}

// Strands Agents with OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental: a tool span's
// input and result as the tool_call and tool_call_response parts of its
// gen_ai.client.inference.operation.details events.
TEST(OtlpImportTest, AToolSpansInputAndResultFromItsInferenceDetailsEvents) {
  const std::string text =
      R"j({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60d",)j"
      R"j("spanId":"b000000000000002","name":"execute_tool lookup","startTimeUnixNano":"1000",)j"
      R"j("endTimeUnixNano":"2000","attributes":[)j"
      R"j({"key":"gen_ai.operation.name","value":{"stringValue":"execute_tool"}},)j"
      R"j({"key":"gen_ai.tool.name","value":{"stringValue":"lookup"}},)j"
      R"j({"key":"gen_ai.tool.call.id","value":{"stringValue":"tooluse_9"}}],"events":[)j"
      R"j({"name":"gen_ai.client.inference.operation.details","timeUnixNano":"1000","attributes":[)j"
      R"j({"key":"gen_ai.input.messages","value":{"stringValue":"[{\"role\": \"tool\", \"parts\": [)j"
      R"j({\"type\": \"tool_call\", \"name\": \"lookup\", \"id\": \"tooluse_9\", )j"
      R"j(\"arguments\": {\"sku\": \"A-7\"}}]}]"}}]},)j"
      R"j({"name":"gen_ai.client.inference.operation.details","timeUnixNano":"2000","attributes":[)j"
      R"j({"key":"gen_ai.output.messages","value":{"stringValue":"[{\"role\": \"tool\", \"parts\": [)j"
      R"j({\"type\": \"tool_call_response\", \"id\": \"tooluse_9\", )j"
      R"j(\"response\": [{\"text\": \"in stock: 4\"}]}]}]"}}]}]}]}]}]})j";
  auto batch = ParseOtlpJson(text, "strands_latest.json");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  auto sessions = SessionsFromSpans(std::move(batch->spans), GroupBy::kAuto);
  ASSERT_THAT(sessions, SizeIs(1));
  auto tools = Of<ToolCall>(sessions[0]);
  ASSERT_THAT(tools, SizeIs(1));
  EXPECT_EQ(tools[0]->As<ToolCall>()->call_id, "tooluse_9");
  EXPECT_EQ(tools[0]->As<ToolCall>()->arguments.text, R"({"sku":"A-7"})");
  EXPECT_EQ(tools[0]->As<ToolCall>()->result.text, "in stock: 4");
}

TEST(OtlpImportTest, ResponsesItemsAndAnthropicBlocksReadAsToolCallsAndResults) {
  auto sessions = Import("message_shapes.json");
  ASSERT_THAT(sessions, SizeIs(1));
  auto calls = Of<ModelCall>(sessions[0]);
  ASSERT_THAT(calls, SizeIs(2));
  const auto& responses = calls[0]->As<ModelCall>()->request.messages;
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_EQ(responses[1].role, "assistant");
  EXPECT_EQ(responses[2].role, "tool");
  EXPECT_EQ(responses[2].tool_call_id, "call_r1");
  EXPECT_EQ(responses[2].content.text, "{\"name\":\"Luca\",\"free\":true}");
  const auto& anthropic = calls[1]->As<ModelCall>()->request.messages;
  ASSERT_EQ(anthropic.size(), 3u);
  EXPECT_EQ(anthropic[1].content.text, "Checking.");
  EXPECT_EQ(anthropic[2].tool_call_id, "toolu_1");
  EXPECT_EQ(anthropic[2].content.text, "confirmed #77");
  EXPECT_EQ(calls[1]->As<ModelCall>()->response.content.text, "Booked: confirmation 77.");
}

// OpenLLMetry's Anthropic instrumentation writes a message's content blocks as their JSON
// text: they are read as the parts they are, the user's message of two tool_result blocks
// as two tool messages, and (without tool spans) the two tool calls whose results it carries.
TEST(OtlpImportTest, OpenLlmetryAnthropicContentBlocksAreTheirParts) {
  auto sessions = Import("openllmetry_anthropic_tool_loop.json");
  ASSERT_THAT(sessions, SizeIs(1));
  auto calls = Of<ModelCall>(sessions[0]);
  ASSERT_THAT(calls, SizeIs(2));
  const MessageList& history = calls[1]->As<ModelCall>()->request.messages;
  ASSERT_EQ(history.size(), 5u);
  EXPECT_EQ(history[2].content.text, "I will look both up.");
  EXPECT_THAT(history[2].extra, HasSubstr(R"(\"quarter\":\"Q2\")"));
  EXPECT_EQ(history[3], (ChatMessage{"tool", "Q3 revenue $12M", "", "toolu_q3"}));
  EXPECT_EQ(history[4], (ChatMessage{"tool", "Q2 revenue $10M", "", "toolu_q2"}));
  auto tools = Of<ToolCall>(sessions[0]);
  ASSERT_THAT(tools, SizeIs(2));
  EXPECT_EQ(tools[1]->As<ToolCall>()->result.text, "Q2 revenue $10M");
}

// A replay matches a live request to an imported call by its messages: each API's live
// request, read as the proxy reads it when it replays a session imported from spans, gives
// the messages the import made of the spans that traced it (tool calls and results too).
TEST(OtlpImportTest, ImportedHistoriesAreWhatTheProxyReadsFromTheLiveRequests) {
  auto sessions = Import("message_shapes.json");
  ASSERT_THAT(sessions, SizeIs(1));
  auto calls = Of<ModelCall>(sessions[0]);
  ASSERT_THAT(calls, SizeIs(2));
  // Each message as one line, so that a difference reads as one.
  auto lines = [](const MessageList& messages) {
    std::vector<std::string> out;
    for (const ChatMessage& m : messages)
      out.push_back(m.role + " | " + m.content.text + " | " + m.name + " | " + m.tool_call_id +
                    " | " + m.extra);
    return out;
  };
  auto live = [&](proxy::ModelApi api, const std::string& path, const std::string& body) {
    auto parsed = proxy::ParseRequest(api, "POST", path, body, proxy::MessageExtras::kPortable);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    return lines(parsed.ok() ? parsed->request.messages : MessageList());
  };
  EXPECT_EQ(
      live(
          proxy::ModelApi::kOpenAiResponses, "/v1/responses",
          R"j({"model":"gpt-4.1","input":[{"role":"user","content":"Book a table for two at 8pm."},)j"
          R"j({"type":"function_call","id":"fc_9","call_id":"call_r1","name":"find_restaurant",)j"
          R"j("arguments":"{\"time\": \"20:00\"}","status":"completed"},)j"
          R"j({"type":"function_call_output","call_id":"call_r1","output":"{\"name\":\"Luca\",\"free\":true}"}]})j"),
      lines(calls[0]->As<ModelCall>()->request.messages));
  EXPECT_EQ(
      live(
          proxy::ModelApi::kAnthropicMessages, "/v1/messages",
          R"j({"model":"claude-sonnet-4","max_tokens":1024,"messages":[)j"
          R"j({"role":"user","content":[{"type":"text","text":"Confirm the booking."}]},)j"
          R"j({"role":"assistant","content":[{"type":"text","text":"Checking."},)j"
          R"j({"type":"tool_use","id":"toolu_1","name":"confirm","input":{"restaurant":"Luca"}}]},)j"
          R"j({"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1",)j"
          R"j("content":[{"type":"text","text":"confirmed #77"}]}]}]})j"),
      lines(calls[1]->As<ModelCall>()->request.messages));
}

// The OpenAI instrumentations (Python's opentelemetry-instrumentation-openai-v2, JS's
// @opentelemetry/instrumentation-openai) send the messages as log records in the chat span's
// context, not on the span: events named by their event.name attribute (or OTLP's eventName),
// the message in a key-value body. Here the logs come first, as a separate export.
TEST(OtlpImportTest, GenAiEventsSentAsLogRecordsJoinTheirSpans) {
  auto batch = ParseOtlpJson(Slurp(kData + "/genai_log_events.json"), "genai_log_events.json");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->log_records, 9u);
  EXPECT_EQ(batch->log_records_outside_span, 1u);  // The service's own "started" log.
  auto sessions = SessionsFromSpans(std::move(batch->spans), GroupBy::kAuto);
  ASSERT_THAT(sessions, SizeIs(1));
  const SpanSession& s = sessions[0];
  EXPECT_EQ(s.key, "conv-logs");
  EXPECT_EQ(s.spans, 4u);
  EXPECT_EQ(s.unjoined_log_records, 1u);  // Its span was never exported.
  EXPECT_EQ(Meta(s.header, "content"), "recorded");
  auto calls = Of<ModelCall>(s);
  ASSERT_THAT(calls, SizeIs(2));
  const ModelCall& first = *calls[0]->As<ModelCall>();
  EXPECT_EQ(calls[0]->agent, "researcher");
  ASSERT_EQ(first.request.messages.size(), 2u);
  EXPECT_EQ(first.request.messages[0].role, "system");
  EXPECT_EQ(first.request.messages[0].content.text, "You research with web_search.");
  EXPECT_EQ(first.request.messages[1].role, "user");
  EXPECT_EQ(first.request.messages[1].content.text, "What was ACME's Q3 revenue?");
  ASSERT_THAT(first.response.tool_calls, SizeIs(1));
  EXPECT_EQ(first.response.tool_calls[0].id, "call_1");
  EXPECT_EQ(first.response.tool_calls[0].name, "web_search");
  EXPECT_EQ(first.response.tool_calls[0].arguments_json.text, R"({"q":"ACME Q3 revenue"})");
  EXPECT_EQ(first.response.finish_reason, "tool_calls");

  const ModelCall& second = *calls[1]->As<ModelCall>();
  ASSERT_EQ(second.request.messages.size(), 4u);
  EXPECT_EQ(second.request.messages[3].role, "tool");
  EXPECT_EQ(second.request.messages[3].tool_call_id, "call_1");
  EXPECT_EQ(second.request.messages[3].content.text, "ACME Q3 revenue: $12M");
  // A choice with only an observed time is still the answer of its span.
  EXPECT_EQ(second.response.content.text, "ACME's Q3 revenue was $12M.");
  EXPECT_EQ(second.response.finish_reason, "stop");

  // The same records after the spans, or in another order, make the same session.
  std::string text = Slurp(kData + "/genai_log_events.json");
  const size_t line = text.find('\n');
  auto reversed = ParseOtlpJson(text.substr(line + 1) + text.substr(0, line + 1), "reversed");
  ASSERT_TRUE(reversed.ok()) << reversed.status().ToString();
  auto again = SessionsFromSpans(std::move(reversed->spans), GroupBy::kAuto);
  ASSERT_THAT(again, SizeIs(1));
  ASSERT_EQ(again[0].events.size(), s.events.size());
  for (size_t i = 0; i < s.events.size(); ++i)
    EXPECT_EQ(EventToJson(again[0].events[i]), EventToJson(s.events[i])) << i;
}

// The conventions' newer form: one gen_ai.client.inference.operation.details event per call,
// with the call's gen_ai.* attributes, structured (an array of key-value lists), here sent as
// a log record.
TEST(OtlpImportTest, InferenceDetailsEventsCarryTheCallsMessages) {
  const std::string trace = "5b8efff798038103d269b633813fc60c";
  const std::string text =
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":")" + trace +
      R"(","spanId":"b000000000000001","name":"chat m","startTimeUnixNano":"1000",)"
      R"("endTimeUnixNano":"2000","attributes":[{"key":"gen_ai.operation.name",)"
      R"("value":{"stringValue":"chat"}}]}]}]}]})"
      "\n"
      R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":")" +
      trace +
      R"(","spanId":"b000000000000001","eventName":"gen_ai.client.inference.operation.details",)"
      R"("attributes":[{"key":"gen_ai.input.messages","value":{"arrayValue":{"values":[)"
      R"({"kvlistValue":{"values":[{"key":"role","value":{"stringValue":"user"}},)"
      R"({"key":"parts","value":{"arrayValue":{"values":[{"kvlistValue":{"values":[)"
      R"({"key":"type","value":{"stringValue":"text"}},)"
      R"({"key":"content","value":{"stringValue":"Q3 revenue?"}}]}}]}}}]}}]}}},)"
      R"({"key":"gen_ai.output.messages","value":{"stringValue":)"
      R"("[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"$12M\"}]}]"}},)"
      R"({"key":"gen_ai.operation.name","value":{"stringValue":"ignored: the span has one"}}]}]}]}]})";
  auto batch = ParseOtlpJson(text, "details.json");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  auto sessions = SessionsFromSpans(std::move(batch->spans), GroupBy::kAuto);
  ASSERT_THAT(sessions, SizeIs(1));
  auto calls = Of<ModelCall>(sessions[0]);
  ASSERT_THAT(calls, SizeIs(1));
  const ModelCall& call = *calls[0]->As<ModelCall>();
  ASSERT_EQ(call.request.messages.size(), 1u);
  EXPECT_EQ(call.request.messages[0].role, "user");
  EXPECT_EQ(call.request.messages[0].content.text, "Q3 revenue?");
  EXPECT_EQ(call.response.content.text, "$12M");
  EXPECT_EQ(Meta(sessions[0].header, "content"), "recorded");
}

TEST(OtlpImportTest, LogRecordsAloneAreNoSessionAndBadIdsAreRejectedAlone) {
  const std::string logs =
      R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[)"
      R"({"traceId":"5b8efff798038103d269b633813fc60c","spanId":"b000000000000001",)"
      R"("eventName":"gen_ai.user.message","body":{"kvlistValue":{"values":[{"key":"content",)"
      R"("value":{"stringValue":"hi"}}]}}},)"
      R"({"traceId":"nothex","spanId":"b000000000000001"},)"
      R"({"traceId":"5b8efff798038103d269b633813fc60c","spanId":"b000000000000001",)"
      R"("body":{"stringValue":"plain"}})"
      R"(]}]}]})";
  auto batch = ParseOtlpJson(logs, "logs.json");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->log_records, 2u);
  ASSERT_THAT(batch->rejected, SizeIs(1));
  EXPECT_EQ(batch->rejected[0].where, "logs.json: resourceLogs[0].scopeLogs[0].logRecords[1]");
  EXPECT_THAT(batch->rejected[0].reason, HasSubstr("traceId: expected 32 hex digits"));
  // A body that is not a key-value list is kept as "body"; a record without a name is "log".
  ASSERT_THAT(batch->spans, SizeIs(2));
  EXPECT_EQ(batch->spans[1].events[0].name, "log");
  EXPECT_EQ(AttributeString(batch->spans[1].events[0].attributes, "body"), "plain");
  EXPECT_FALSE(HasSpan(batch->spans));
  auto sessions = SessionsFromSpans(std::move(batch->spans), GroupBy::kAuto);
  for (const SpanSession& s : sessions) EXPECT_EQ(s.spans, 0u);

  const std::string dir = FreshTempDir("otlp_logs_only");
  const std::string file = dir + "/logs.json";
  std::ofstream(file) << logs;
  RunResult r = RunCommand(kBaton + " import otlp " + file + " -o " + dir + "/out");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("2 log records and no spans"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/out/5b8efff798038103d269b633813fc60c.baton"));
}

TEST(OtlpImportTest, GroupByTraceKeepsTracesApartFromTheirConversation) {
  auto sessions = Import("genai_current.json", GroupBy::kTrace);
  ASSERT_THAT(sessions, SizeIs(1));
  EXPECT_EQ(sessions[0].key, "5b8efff798038103d269b633813fc60c");
}

TEST(OtlpImportTest, ContentNotCapturedIsAbsentNotInventedAndGetsNoQualityVerdict) {
  auto sessions = Import("no_content.json");
  ASSERT_THAT(sessions, SizeIs(1));
  const SpanSession& s = sessions[0];
  EXPECT_EQ(Meta(s.header, "content"), "absent");
  for (const Event* e : Of<ModelCall>(s)) {
    EXPECT_TRUE(e->As<ModelCall>()->request.messages.empty());
    EXPECT_TRUE(e->As<ModelCall>()->response.content.text.empty());
  }
  Trace trace = Trace::FromEvents(s.header, s.events);
  ScorerSet scorers = ScorerSet::Defaults();
  Analysis a = Analyze(trace, Policy{}, scorers);
  ASSERT_FALSE(a.handoffs.empty());
  for (const Handoff& h : a.handoffs) EXPECT_FALSE(h.quality.has_value()) << h.message_id;
  for (const Finding& f : a.findings) EXPECT_NE(f.kind, FindingKind::kLowQuality) << f.sentence;
}

// --- Bad input -----------------------------------------------------------------------------

TEST(OtlpImportTest, BadDocumentsFailWithWhereAndWhy) {
  struct Case {
    std::string json;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"", "empty"},
      {"not json", "not valid JSON"},
      {R"({"resourceSpans":[{"scopeSpans":[{"spans":[)", "unfinished JSON document"},
      {R"({"resourceMetrics":[]})", "(this is metrics)"},
      {R"([1,2])", "an object with \"resourceSpans\""},
      {R"({"resourceSpans":[]} {"x":1})", "at byte 21"},
  };
  for (const Case& c : cases) {
    auto batch = ParseOtlpJson(c.json, "in.json");
    ASSERT_FALSE(batch.ok()) << c.json;
    EXPECT_THAT(batch.status().message(), HasSubstr("in.json")) << c.json;
    EXPECT_THAT(batch.status().message(), HasSubstr(c.message)) << c.json;
  }
}

// An OTLP/JSON document of `spans` spans with ids first_id.., each a chat span with a "pad"
// attribute.
std::string PaddedDocument(int first_id, int spans, const std::string& pad) {
  std::vector<Span> list;
  for (int i = 0; i < spans; ++i) {
    Span s;
    s.trace_id = "0102030405060708090a0b0c0d0e0f10";
    char id[17];
    std::snprintf(id, sizeof id, "%016x", first_id + i);
    s.span_id = id;
    s.name = "chat";
    s.start_ns = 1000 + i;
    s.end_ns = 2000 + i;
    s.attributes = {{"gen_ai.operation.name", AttributeValue::String("chat")},
                    {"pad", AttributeValue::String(pad)}};
    list.push_back(std::move(s));
  }
  return WriteOtlpJson(list);
}

// A chat span of `agent` (an invoke_agent parent names it) sending `input` as
// gen_ai.input.messages under `system` instructions ("" for none).
Span ChatSpan(int id, const std::string& agent_span, const std::string& system,
              const std::string& input) {
  Span s;
  s.trace_id = "0102030405060708090a0b0c0d0e0f10";
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016x", id);
  s.span_id = hex;
  s.parent_span_id = agent_span;
  s.name = "chat m";
  s.start_ns = 1000 * id;
  s.end_ns = 1000 * id + 500;
  s.attributes = {{"gen_ai.operation.name", AttributeValue::String("chat")},
                  {"gen_ai.request.model", AttributeValue::String("m")},
                  {"gen_ai.input.messages", AttributeValue::String(input)}};
  if (!system.empty())
    s.attributes.push_back({"gen_ai.system_instructions", AttributeValue::String(system)});
  return s;
}

Span AgentSpan(const std::string& id, const std::string& name) {
  Span s;
  s.trace_id = "0102030405060708090a0b0c0d0e0f10";
  s.span_id = id;
  s.name = "invoke_agent " + name;
  s.start_ns = 1;
  s.end_ns = 1'000'000;
  s.attributes = {{"gen_ai.operation.name", AttributeValue::String("invoke_agent")},
                  {"gen_ai.agent.name", AttributeValue::String(name)}};
  return s;
}

std::string Msg(const std::string& role, const std::string& text) {
  return R"({"role": ")" + role + R"(", "parts": [{"type": "text", "content": ")" + text +
         R"("}]})";
}

// A runtime's message is the reply of the agent's turn it follows, not of an earlier turn of
// the same agent: a turn that carried no text before the agent spoke again replied nothing.
TEST(OtlpImportTest, ARuntimesMessageRepliesForTheTurnBeforeItOnly) {
  auto turn = [](const std::string& id, const std::string& name, int64_t start) {
    Span s = AgentSpan(id, name);
    s.parent_span_id = "00000000000000f0";
    s.start_ns = start;
    s.end_ns = start + 100;
    return s;
  };
  auto carried = [](const std::string& id, int64_t at, const std::string& source,
                    const std::string& content) {
    Span s = AgentSpan(id, "x");
    s.parent_span_id = "00000000000000f0";
    s.name = "autogen process group_topic";
    s.start_ns = at;
    s.end_ns = at + 10;
    s.attributes = {{"messaging.operation", AttributeValue::String("process")},
                    {"message", AttributeValue::String(
                                    R"({"response": {"chat_message": {"source": ")" + source +
                                    R"(", "content": ")" + content +
                                    R"(", "type": "TextMessage"}}, "name": ")" + source + "\"}")}};
    return s;
  };
  Span root = AgentSpan("00000000000000f0", "x");
  root.name = "run_team";
  root.attributes.clear();
  root.start_ns = 0;
  root.end_ns = 10'000;
  std::vector<Span> spans = {root,
                             turn("00000000000000a1", "A", 1000),
                             turn("00000000000000b1", "B", 2000),
                             carried("00000000000000c1", 2150, "B", "B's answer"),
                             turn("00000000000000a2", "A", 3000),
                             carried("00000000000000c2", 3150, "A", "A's second answer")};
  auto sessions = SessionsFromSpans(spans, GroupBy::kAuto);
  ASSERT_THAT(sessions, SizeIs(1));
  auto sends = Sends(sessions[0]);
  // B answers A's first turn with nothing (A carried no text then); A's second turn gets B's.
  ASSERT_THAT(sends, SizeIs(1));
  EXPECT_EQ(sends[0], std::make_tuple("B", "A", "reply", "B's answer"));
}

// A team traced by an instrumentation of its model client alone: no agent spans, only chat
// spans, each with its agent's system instructions. Each prompt is an agent, as the proxy
// tells them apart: the planner by the role its prompt opens with, the next prompt by the
// handoff the planner's answer asked for, a prompt that says no role by the service. The
// handoff is delivered to the researcher's first call and processed by it; why judges what
// the researcher passed on. One prompt alone stays the service's one agent.
TEST(OtlpImportTest, ModelSpansWithoutAgentSpansAreAgentsByTheirPrompts) {
  auto chat = [](int id, const std::string& system, const std::string& user,
                 const std::string& output) {
    Span s = ChatSpan(id, "", system, "[" + Msg("user", user) + "]");
    s.service_name = "team";
    s.attributes.push_back({"gen_ai.output.messages", AttributeValue::String(output)});
    return s;
  };
  const std::string handoff = R"([{"role":"assistant","parts":[{"type":"tool_call",)"
                              R"("id":"call_7","name":"transfer_to_researcher",)"
                              R"("arguments":{"task":"Q3"}}]}])";
  auto answer = [](const std::string& text) {
    return R"([{"role":"assistant","parts":[{"type":"text","content":")" + text + R"("}]}])";
  };
  std::vector<Span> spans = {
      chat(1, "You are the planner. Hand research to the researcher.", "Q3 revenue?", handoff),
      chat(2, "Search the filings and answer with the figure.", "Q3",
           answer("I'm sorry, but I can't help with that request.")),
      chat(3, "Summarise what you are given in one line.", "I'm sorry, but I can't help.",
           answer("No figure was found.")),
      chat(4, "You are the planner. Hand research to the researcher.", "Q3 revenue?",
           answer("Done.")),
  };
  auto sessions = SessionsFromSpans(spans, GroupBy::kAuto);
  ASSERT_THAT(sessions, SizeIs(1));
  std::vector<std::string> callers;
  for (const Event* e : Of<ModelCall>(sessions[0])) callers.push_back(e->agent);
  EXPECT_THAT(callers, ElementsAre("planner", "researcher", "team", "planner"));
  auto sends = Of<MessageSend>(sessions[0]);
  ASSERT_THAT(sends, SizeIs(1));
  EXPECT_EQ(sends[0]->agent, "planner");
  EXPECT_EQ(sends[0]->As<MessageSend>()->to, "researcher");
  auto deliveries = Of<MessageDelivery>(sessions[0]);
  ASSERT_THAT(deliveries, SizeIs(1));
  EXPECT_EQ(deliveries[0]->agent, "researcher");
  EXPECT_THAT(Of<MessageProcessed>(sessions[0]), SizeIs(1));

  // One system prompt: one agent, the service, as before.
  std::vector<Span> alone = {spans[0], spans[3]};
  auto one = SessionsFromSpans(alone, GroupBy::kAuto);
  ASSERT_THAT(one, SizeIs(1));
  for (const Event* e : Of<ModelCall>(one[0])) EXPECT_EQ(e->agent, "team");
}

// An instrumentation of the model client alone (the OpenAI instrumentations) sees the planner's
// transfer_to_<agent> only as a tool call the model asked for: that request is the handoff.
// When a tool span ran the call, or a span is the handoff, that says it, once.
TEST(OtlpImportTest, ATransferTheModelAskedForIsTheHandoffWhenNothingElseSaysIt) {
  auto spans = [](bool with_tool_span) {
    Span planner = AgentSpan("00000000000000a1", "planner");
    Span researcher = AgentSpan("00000000000000b1", "researcher");
    researcher.start_ns = 2'000'000;
    researcher.end_ns = 3'000'000;
    Span chat = ChatSpan(1, planner.span_id, "", "[" + Msg("user", "Q3 revenue?") + "]");
    chat.attributes.push_back(
        {"gen_ai.output.messages",
         AttributeValue::String(R"([{"role":"assistant","parts":[{"type":"tool_call",)"
                                R"("id":"call_7","name":"transfer_to_researcher",)"
                                R"("arguments":{"task":"Q3"}}]}])")});
    std::vector<Span> out = {planner, researcher, chat};
    if (with_tool_span) {
      Span tool = ChatSpan(2, planner.span_id, "", "[]");
      tool.name = "execute_tool transfer_to_researcher";
      tool.attributes = {{"gen_ai.operation.name", AttributeValue::String("execute_tool")},
                         {"gen_ai.tool.name", AttributeValue::String("transfer_to_researcher")},
                         {"gen_ai.tool.call.id", AttributeValue::String("call_7")}};
      out.push_back(tool);
    }
    return out;
  };
  for (bool with_tool_span : {false, true}) {
    SCOPED_TRACE(with_tool_span ? "with the tool span" : "the model's request alone");
    auto sessions = SessionsFromSpans(spans(with_tool_span), GroupBy::kAuto);
    ASSERT_THAT(sessions, SizeIs(1));
    auto sends = Of<MessageSend>(sessions[0]);
    ASSERT_THAT(sends, SizeIs(1));
    EXPECT_EQ(sends[0]->agent, "planner");
    EXPECT_EQ(sends[0]->As<MessageSend>()->to, "researcher");
    EXPECT_EQ(sends[0]->As<MessageSend>()->message_id, "call_7");
    auto deliveries = Of<MessageDelivery>(sessions[0]);
    ASSERT_THAT(deliveries, SizeIs(1));
    EXPECT_EQ(deliveries[0]->agent, "researcher");
  }
}

// Instrumentations resend an agent's whole conversation with every call. Each call's
// messages read as they do alone; a call that continues the agent's last one shares its
// messages (each held once, as a recorded session holds them) instead of reading them again.
TEST(OtlpImportTest, AConversationResentWithEveryCallReadsAsEachCallAloneAndIsShared) {
  const std::string a = "00000000000000a1", b = "00000000000000b1";
  const std::string m1 = Msg("user", "Plan the report"), r1 = Msg("assistant", "Draft: A");
  const std::string m2 = Msg("user", "Add sources"), r2 = Msg("assistant", "Draft: A, B");
  const std::string m3 = Msg("user", "Shorter");
  std::vector<Span> spans = {
      AgentSpan(a, "writer"),
      AgentSpan(b, "critic"),
      ChatSpan(1, a, "Be brief.", "[" + m1 + "]"),
      ChatSpan(2, b, "", "[" + m1 + "]"),
      ChatSpan(3, a, "Be brief.", "[" + m1 + ", " + r1 + ", " + m2 + "]"),  // Continues 1.
      ChatSpan(4, a, "Be brief.", "[" + m1 + ", " + r1 + ", " + m2 + "]"),  // Repeats 3.
      ChatSpan(5, a, "Be brief.", "[" + m1 + ", " + r1 + ", " + m2 + ", " + r2 + ", " + m3 + "]"),
      ChatSpan(6, a, "Be brief.", "[" + m2 + ", " + r2 + ", " + m3 + "]"),  // Trimmed.
      ChatSpan(7, a, "Be kind.",
               "[" + m2 + ", " + r2 + ", " + m3 + ", " + m1 + "]"),  // New system.
      ChatSpan(8, b, "", "[" + m1 + ", " + r1 + "]"),                // Continues 2.
  };
  // Each call alone: the messages it must read as.
  std::map<std::string, std::vector<ChatMessage>> alone;
  for (const Span& chat : spans) {
    if (chat.name != "chat m") continue;
    auto one = SessionsFromSpans({chat}, GroupBy::kTrace);
    ASSERT_THAT(one, SizeIs(1));
    auto calls = Of<ModelCall>(one[0]);
    ASSERT_THAT(calls, SizeIs(1));
    alone[chat.span_id] = calls[0]->As<ModelCall>()->request.messages.ToVector();
  }
  auto sessions = SessionsFromSpans(spans, GroupBy::kTrace);
  ASSERT_THAT(sessions, SizeIs(1));
  std::map<std::string, const ModelCall*> by_id;
  std::vector<std::string> order;
  for (const Event* e : Of<ModelCall>(sessions[0])) {
    const ModelCall* call = e->As<ModelCall>();
    ASSERT_TRUE(call->call_id.size() == 16) << call->call_id;
    by_id[call->call_id] = call;
  }
  ASSERT_THAT(by_id, SizeIs(8));
  for (const auto& [id, call] : by_id)
    EXPECT_EQ(call->request.messages.ToVector(), alone[id]) << "call " << id;
  auto shared = [&](int x, int y) {
    char hx[17], hy[17];
    std::snprintf(hx, sizeof hx, "%016x", x);
    std::snprintf(hy, sizeof hy, "%016x", y);
    return MessageList::SharedPrefix(by_id[hx]->request.messages, by_id[hy]->request.messages);
  };
  EXPECT_EQ(alone["0000000000000003"].size(), 4u);  // The system message, then three.
  EXPECT_EQ(shared(1, 3), 2u);  // All of call 1 (system and m1) is call 3's start.
  EXPECT_EQ(shared(3, 4), 4u);
  EXPECT_EQ(shared(4, 5), 4u);
  EXPECT_EQ(shared(5, 6), 0u);  // The history was cut: read anew.
  EXPECT_EQ(shared(6, 7), 0u);  // Other instructions: nothing continued.
  EXPECT_EQ(shared(2, 8), 1u);  // The critic's own conversation.
}

// A receiver reads every request with one OtlpJsonReader: what an earlier document left in
// the parser (a larger document, a failure, a very large document whose memory is dropped)
// must not change what the next one reads as.
TEST(OtlpImportTest, OneReaderReadsEachDocumentAsAFreshParseDoes) {
  const std::vector<std::string> documents = {
      PaddedDocument(1, 40, std::string(100, 'x')),
      PaddedDocument(1, 3, "short"),
      "not json",
      PaddedDocument(1, 2, "after a failure"),
      PaddedDocument(1, 2, std::string(17 << 20, 'y')),  // Above what the reader keeps memory for.
      PaddedDocument(1, 5, "after a very large one"),
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[)",
      PaddedDocument(1, 1, "last"),
  };
  OtlpJsonReader reader;
  for (size_t i = 0; i < documents.size(); ++i) {
    auto fresh = ParseOtlpJson(documents[i], "in.json");
    auto reused = reader.Read(documents[i], "in.json");
    ASSERT_EQ(reused.ok(), fresh.ok()) << "document " << i;
    if (!fresh.ok()) {
      EXPECT_EQ(reused.status().message(), fresh.status().message()) << "document " << i;
      continue;
    }
    ASSERT_EQ(reused->spans.size(), fresh->spans.size()) << "document " << i;
    for (size_t j = 0; j < fresh->spans.size(); ++j) {
      EXPECT_EQ(reused->spans[j].span_id, fresh->spans[j].span_id) << "document " << i;
      EXPECT_EQ(reused->spans[j].Str("pad"), fresh->spans[j].Str("pad")) << "document " << i;
    }
  }
}

// A Collector's file exporter writes a document per line into one long file: the reader
// parses it a batch at a time, and a document larger than a batch, with what follows it, at
// once. Either way every document reads as it does alone, in order, and an error names the
// byte where its document starts in the whole input.
TEST(OtlpImportTest, ManyDocumentsReadInBatchesAsEachDoesAlone) {
  std::vector<std::string> documents;
  for (int d = 0; d < 60; ++d) {
    // Some 15 kB of small documents (several batches), then one larger than a batch.
    const size_t pad = d % 20 == 15 ? 9000 : 10 + 37 * static_cast<size_t>(d % 20);
    documents.push_back(PaddedDocument(100 * d + 1, 1 + d % 4, std::string(pad, 'a' + d % 26)));
  }
  std::string lines, concatenated;
  std::vector<std::string> expected_ids, expected_pads;
  size_t before_first_large = 0;
  for (const std::string& doc : documents) {
    if (doc.size() > 4096 && before_first_large == 0) before_first_large = lines.size();
    lines += doc + "\n";
    concatenated += doc;
    auto alone = ParseOtlpJson(doc, "doc");
    ASSERT_TRUE(alone.ok()) << alone.status().ToString();
    for (const Span& span : alone->spans) {
      expected_ids.push_back(span.span_id);
      expected_pads.push_back(span.Str("pad"));
    }
  }
  ASSERT_GT(before_first_large, 3u * 4096);
  for (const std::string* input : {&lines, &concatenated}) {
    OtlpJsonReader reader(/*batch_bytes=*/4096);
    auto batch = reader.Read(*input, "in.jsonl");
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    std::vector<std::string> ids, pads;
    for (const Span& span : batch->spans) {
      ids.push_back(span.span_id);
      pads.push_back(span.Str("pad"));
    }
    EXPECT_EQ(ids, expected_ids);
    EXPECT_EQ(pads, expected_pads);
  }
  // A bad line after a document larger than the batch: named at its byte in the input.
  const std::string bad = documents[0] + "\n" + documents[15] + "\n" + documents[1] + "\n";
  OtlpJsonReader reader(/*batch_bytes=*/4096);
  auto failed = reader.Read(bad + "{\"resourceMetrics\":[]}\n", "in.jsonl");
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(),
              HasSubstr("in.jsonl: at byte " + std::to_string(bad.size()) + ": "));
  EXPECT_THAT(failed.status().message(), HasSubstr("(this is metrics)"));
  auto unfinished = reader.Read(bad + documents[2].substr(0, 50), "in.jsonl");
  ASSERT_FALSE(unfinished.ok());
  EXPECT_THAT(unfinished.status().message(), HasSubstr("the last 50 bytes are an unfinished"));
  // Input the fuzzer found a read in batches accepting and a read at once refusing; both
  // must refuse it:
  struct RefusedInput {
    std::string text;
    std::string error;
  };
  const std::vector<RefusedInput> refused = {
      // bytes that are not UTF-8 after the last document a batch finds (a batch's parse
      // checks only up to that document);
      {"\n" + documents[0] + "\n" + documents[1] + "\xc9", "not valid UTF-8"},
      {"\n" + documents[0] + "\n" + documents[1] + ",},\"spans\xc9", "not valid UTF-8"},
      // an unfinished document after a complete one longer than a batch (simdjson's stage-1
      // thread made the stream report nothing left over).
      {"\n{\"resourceSpans\":[{\"resource\":{\"attribngValue\":\"support-bot\"}}]}\n"
       "        000000,},\"spasagutputTokensngValhat\"}},\n        000000040}}}\n",
       "unfinished JSON document"},
  };
  for (const RefusedInput& input : refused) {
    auto whole = OtlpJsonReader().Read(input.text, "in.jsonl");
    auto batched = OtlpJsonReader(/*batch_bytes=*/64).Read(input.text, "in.jsonl");
    ASSERT_FALSE(whole.ok()) << input.text;
    ASSERT_FALSE(batched.ok()) << input.text;
    EXPECT_EQ(batched.status().message(), whole.status().message());
    EXPECT_THAT(whole.status().message(), HasSubstr(input.error));
  }
}

// `baton import otlp` reads its file straight into the parser's buffer: the same spans as
// reading the text, and a clear error for a file that is missing or over the limit.
TEST(OtlpImportTest, AFileReadsAsItsText) {
  MemEnv env;
  const std::string text = PaddedDocument(1, 3, "x") + "\n" + PaddedDocument(10, 2, "y");
  ASSERT_TRUE(WriteStringToFile(env, text, "/in.json").ok());
  OtlpJsonReader reader;
  auto from_file = reader.ReadFile(env, "/in.json", 1 << 20);
  ASSERT_TRUE(from_file.ok()) << from_file.status().ToString();
  auto from_text = ParseOtlpJson(text, "/in.json");
  ASSERT_TRUE(from_text.ok());
  ASSERT_EQ(from_file->spans.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(from_file->spans[i].span_id, from_text->spans[i].span_id);
    EXPECT_EQ(from_file->spans[i].Str("pad"), from_text->spans[i].Str("pad"));
  }
  auto too_big = reader.ReadFile(env, "/in.json", 100);
  ASSERT_FALSE(too_big.ok());
  EXPECT_THAT(too_big.status().message(), HasSubstr("/in.json: "));
  EXPECT_THAT(too_big.status().message(), HasSubstr("over the limit of 100"));
  EXPECT_FALSE(reader.ReadFile(env, "/missing.json", 1 << 20).ok());
}

TEST(OtlpImportTest, BadSpansAreRejectedAloneAndUnknownFieldsIgnored) {
  const std::string json = R"({"resourceSpans":[{"scopeSpans":[{"spans":[
    {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"ok",
     "startTimeUnixNano":"5","endTimeUnixNano":3,"futureField":[1,{"a":2}],
     "attributes":[{"key":"n","value":{"intValue":"-7"}},{"key":"d","value":{"doubleValue":"NaN"}},
                   {"key":"l","value":{"kvlistValue":{"values":[{"key":"k","value":{"boolValue":true}}]}}},
                   {"key":"b","value":{"bytesValue":"aGk="}},{"key":"empty","value":{}},{"nokey":1}]},
    {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"zz","startTimeUnixNano":"1"},
    {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0000000000000000","startTimeUnixNano":"1"},
    {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060709","startTimeUnixNano":"soon"},
    {"traceId":7,"spanId":"0102030405060709","startTimeUnixNano":"1"}
  ]}]}]})";
  auto batch = ParseOtlpJson(json, "in.json");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_THAT(batch->spans, SizeIs(1));
  const Span& s = batch->spans[0];
  EXPECT_EQ(s.end_ns, s.start_ns);  // Ended before it started: lasts no time.
  EXPECT_EQ(s.Find("n")->ToInt(), -7);
  EXPECT_EQ(s.Str("l"), R"({"k":true})");
  EXPECT_EQ(s.Str("b"), "hi");
  ASSERT_THAT(batch->rejected, SizeIs(4));
  EXPECT_THAT(batch->rejected[0].reason, HasSubstr("spanId: expected 16 hex digits"));
  EXPECT_THAT(batch->rejected[1].reason, HasSubstr("spanId: missing or all zeros"));
  EXPECT_THAT(batch->rejected[2].reason, HasSubstr("startTimeUnixNano"));
  EXPECT_THAT(batch->rejected[3].reason, HasSubstr("traceId: expected a string"));
  EXPECT_THAT(batch->rejected[3].where, HasSubstr("spans[4]"));
}

// 64-bit integers come as strings of digits (the spec's JSON encoding): read exactly, with
// a sign, and saturated past int64 rather than wrapped.
TEST(OtlpImportTest, IntegersAsStringsAreReadExactlyAndSaturate) {
  const std::string json = R"({"resourceSpans":[{"scopeSpans":[{"spans":[
    {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708",
     "startTimeUnixNano":"1767225600005000000","attributes":[
     {"key":"max","value":{"intValue":"9223372036854775807"}},
     {"key":"over","value":{"intValue":"9223372036854775808"}},
     {"key":"far","value":{"intValue":"99999999999999999999999"}},
     {"key":"min","value":{"intValue":"-9223372036854775808"}},
     {"key":"under","value":{"intValue":"-9223372036854775809"}},
     {"key":"plus","value":{"intValue":"+42"}},
     {"key":"zeros","value":{"intValue":"-0007"}},
     {"key":"word","value":{"intValue":"12a"}}]}
  ]}]}]})";
  auto batch = ParseOtlpJson(json, "in.json");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_THAT(batch->spans, SizeIs(1));
  const Span& span = batch->spans[0];
  EXPECT_EQ(span.start_ns, 1767225600005000000);
  EXPECT_EQ(span.Find("max")->ToInt(), INT64_MAX);
  EXPECT_EQ(span.Find("over")->ToInt(), INT64_MAX);
  EXPECT_EQ(span.Find("far")->ToInt(), INT64_MAX);
  EXPECT_EQ(span.Find("min")->ToInt(), INT64_MIN);
  EXPECT_EQ(span.Find("under")->ToInt(), INT64_MIN);
  EXPECT_EQ(span.Find("plus")->ToInt(), 42);
  EXPECT_EQ(span.Find("zeros")->ToInt(), -7);
  EXPECT_EQ(span.Find("word")->ToInt(), 0);  // Not a number: an int of no value.
}

// Found by otlp_import_fuzz: a number far outside int64 (1.7e26) was cast as is.
TEST(OtlpImportTest, NumbersOutsideInt64AndTimesOutsideAnEpochAreBoundedNotUndefined) {
  const std::string json = R"({"resourceSpans":[{"scopeSpans":[{"spans":[
    {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","startTimeUnixNano":"5",
     "endTimeUnixNano":1.7e26,"attributes":[{"key":"big","value":{"intValue":1.7e26}},
     {"key":"d","value":{"doubleValue":-1e300}}],
     "events":[{"timeUnixNano":-3,"name":"e"}]},
    {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060709","startTimeUnixNano":1.7e26},
    {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"010203040506070a","startTimeUnixNano":"-1"}
  ]}]}]})";
  auto batch = ParseOtlpJson(json, "in.json");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_THAT(batch->spans, SizeIs(1));
  EXPECT_EQ(batch->spans[0].Find("big")->ToInt(), INT64_MAX);
  EXPECT_EQ(batch->spans[0].Find("d")->ToInt(), INT64_MIN);
  EXPECT_EQ(batch->spans[0].events[0].time_ns, 5);
  EXPECT_LT(batch->spans[0].end_ns, INT64_MAX / 2);
  ASSERT_THAT(batch->rejected, SizeIs(2));
  EXPECT_THAT(batch->rejected[0].reason, HasSubstr("not a time after 1970"));
  auto sessions = SessionsFromSpans(std::move(batch->spans), GroupBy::kAuto);
  ASSERT_THAT(sessions, SizeIs(1));
}

TEST(OtlpImportTest, ParentCyclesAndSelfParentsDoNotHang) {
  const std::string json = R"({"resourceSpans":[{"scopeSpans":[{"spans":[
    {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0000000000000001","parentSpanId":"0000000000000002","name":"a","startTimeUnixNano":"1","endTimeUnixNano":"2"},
    {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0000000000000002","parentSpanId":"0000000000000001","name":"b","startTimeUnixNano":"1","endTimeUnixNano":"2",
     "attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"invoke_agent"}}]},
    {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0000000000000003","parentSpanId":"0000000000000003","name":"c","startTimeUnixNano":"1","endTimeUnixNano":"2"}
  ]}]}]})";
  auto batch = ParseOtlpJson(json, "in.json");
  ASSERT_TRUE(batch.ok());
  auto sessions = SessionsFromSpans(std::move(batch->spans), GroupBy::kAuto);
  ASSERT_THAT(sessions, SizeIs(1));
  EXPECT_EQ(Of<SpanStart>(sessions[0]).size(), 3u);
}

// A chain of 100,000 spans, each the parent of the next (every thousandth an agent's), imports
// whole: nothing walks it by recursion (which would exhaust the stack) or once per pair.
TEST(OtlpImportTest, AVeryDeepChainOfSpansImports) {
  constexpr int kSpans = 100000;
  std::string json = R"({"resourceSpans":[{"scopeSpans":[{"spans":[)";
  char id[17];
  for (int i = 0; i < kSpans; ++i) {
    std::snprintf(id, sizeof id, "%016x", i + 1);
    json += std::string(i ? "," : "") +
            R"({"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":")" + id +
            R"(","name":"s",)" + R"("startTimeUnixNano":")" + std::to_string(1000 + i) +
            R"(","endTimeUnixNano":")" + std::to_string(1000000000 - i) + "\"";
    if (i > 0) {
      std::snprintf(id, sizeof id, "%016x", i);
      json += R"(,"parentSpanId":")" + std::string(id) + "\"";
    }
    if (i % 1000 == 0)
      json +=
          R"(,"attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"invoke_agent"}},)"
          R"({"key":"gen_ai.agent.name","value":{"stringValue":"a)" +
          std::to_string(i) + R"("}}])";
    json += "}";
  }
  json += "]}]}]}";
  auto batch = ParseOtlpJson(json, "deep.json");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  auto sessions = SessionsFromSpans(std::move(batch->spans), GroupBy::kAuto);
  ASSERT_THAT(sessions, SizeIs(1));
  EXPECT_EQ(Of<SpanStart>(sessions[0]).size(), static_cast<size_t>(kSpans));
  EXPECT_THAT(sessions[0].header.agents, SizeIs(kSpans / 1000));
}

// A span's start keeps the attributes that describe it, not content: not the messages
// (they are in the model call), not a long payload under a name the conventions do not list.
TEST(OtlpImportTest, ASpanStartKeepsItsAttributesButNotContentOrLongPayloads) {
  const std::string long_text(600, 'x');
  const std::string json = R"({"resourceSpans":[{"scopeSpans":[{"spans":[
    {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0000000000000001","name":"chat m",
     "startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[
     {"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
     {"key":"gen_ai.request.model","value":{"stringValue":"m"}},
     {"key":"gen_ai.usage.input_tokens","value":{"intValue":"12"}},
     {"key":"gen_ai.input.messages","value":{"stringValue":"[{\"role\":\"user\",\"content\":\"hi\"}]"}},
     {"key":"app.payload","value":{"stringValue":")" +
                           long_text + R"("}},
     {"key":"app.note","value":{"stringValue":")" +
                           long_text.substr(0, 500) + R"("}}]}
  ]}]}]})";
  auto batch = ParseOtlpJson(json, "in.json");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  auto sessions = SessionsFromSpans(std::move(batch->spans), GroupBy::kAuto);
  ASSERT_THAT(sessions, SizeIs(1));
  auto starts = Of<SpanStart>(sessions[0]);
  ASSERT_THAT(starts, SizeIs(1));
  std::vector<std::string> keys;
  for (const KeyValue& kv : starts[0]->As<SpanStart>()->attributes) keys.push_back(kv.key);
  EXPECT_THAT(keys, ElementsAre("gen_ai.operation.name", "gen_ai.request.model",
                                "gen_ai.usage.input_tokens", "app.note"));
  auto calls = Of<ModelCall>(sessions[0]);
  ASSERT_THAT(calls, SizeIs(1));
  ASSERT_THAT(calls[0]->As<ModelCall>()->request.messages, SizeIs(1));
  EXPECT_EQ(calls[0]->As<ModelCall>()->request.messages[0].content.text, "hi");
}

// --- Round trip over the corpus --------------------------------------------------------------

// What OTel carries of an event, as text: the kinds and fields the export maps.
std::string Carried(const Event& e) {
  if (e.As<SpanStart>() || e.As<SpanEnd>() || e.As<ClockRead>() || e.As<RandomDraw>() ||
      e.As<EnvRead>() || e.As<EventsDropped>())
    return "";
  Event copy = e;
  copy.seq = 0;
  copy.cause = 0;
  copy.mono_ns = 0;
  if (auto* c = std::get_if<ModelCall>(&copy.body)) {
    c->http = {};
    c->request.headers.clear();
    for (ToolSpec& t : c->request.tools) t.parameters_json = {};
    c->response.chunks.clear();
    if (!c->error.empty()) c->response = {};
  }
  if (auto* s = std::get_if<Score>(&copy.body)) s->target_seq = 0;
  if (auto* c = std::get_if<Check>(&copy.body)) c->target_seq = 0;
  return EventToJson(copy);
}

TEST(OtlpRoundTripTest, EveryCorpusSessionKeepsItsEventsAndItsWhy) {
  size_t sessions = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kCorpora)) {
    if (entry.path().extension() != ".baton") continue;
    ++sessions;
    SCOPED_TRACE(entry.path().filename().string());
    auto trace = Trace::Load(entry.path().string());
    ASSERT_TRUE(trace.ok()) << trace.status().ToString();
    ScorerSet scorers = ScorerSet::Defaults();
    Analysis before = Analyze(*trace, Policy{}, scorers);
    auto spans = SpansFromTrace(*trace, before.findings);
    ASSERT_TRUE(spans.ok()) << spans.status().ToString();
    auto batch = ParseOtlpJson(WriteOtlpJson(*spans), "export");
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    EXPECT_THAT(batch->rejected, IsEmpty());
    auto imported = SessionsFromSpans(std::move(batch->spans), GroupBy::kAuto);
    ASSERT_THAT(imported, SizeIs(1));
    EXPECT_EQ(imported[0].key, trace->header().session_id);

    std::vector<std::string> want, got;
    for (const Event& e : trace->events())
      if (std::string c = Carried(e); !c.empty()) want.push_back(c);
    for (const Event& e : imported[0].events)
      if (std::string c = Carried(e); !c.empty()) got.push_back(c);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i], want[i]) << "carried event " << i;

    Trace back = Trace::FromEvents(imported[0].header, imported[0].events);
    Analysis after = Analyze(back, Policy{}, scorers);
    Explanation ex_before = Explain(*trace, before);
    Explanation ex_after = Explain(back, after);
    EXPECT_EQ(ex_after.passed, ex_before.passed);
    EXPECT_EQ(ex_after.paragraph, ex_before.paragraph);
    ASSERT_EQ(after.findings.size(), before.findings.size());
    for (size_t i = 0; i < before.findings.size(); ++i)
      EXPECT_EQ(after.findings[i].sentence, before.findings[i].sentence);
  }
  EXPECT_GE(sessions, 10u);
}

// A history's tool calls and results survive export and import: the calls as tool_call parts
// of the assistant's message (and OpenInference's flattened tool_calls), the results as
// tool_call_response parts, so the session imported back replays as the first one does.
TEST(OtlpRoundTripTest, HistoriesKeepTheirToolCallsAndResults) {
  auto sessions = Import("message_shapes.json");
  ASSERT_THAT(sessions, SizeIs(1));
  Trace first = Trace::FromEvents(sessions[0].header, sessions[0].events);
  auto spans = SpansFromTrace(first, {});
  ASSERT_TRUE(spans.ok()) << spans.status().ToString();
  bool flattened = false;
  for (const Span& s : *spans)
    flattened |= s.Str("llm.input_messages.1.message.tool_calls.0.tool_call.function.name") ==
                 "find_restaurant";
  EXPECT_TRUE(flattened);
  auto batch = ParseOtlpJson(WriteOtlpJson(*spans), "export");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  auto back = SessionsFromSpans(std::move(batch->spans), GroupBy::kAuto);
  ASSERT_THAT(back, SizeIs(1));
  auto calls = Of<ModelCall>(sessions[0]);
  auto calls_back = Of<ModelCall>(back[0]);
  ASSERT_EQ(calls_back.size(), calls.size());
  for (size_t i = 0; i < calls.size(); ++i) {
    const MessageList& want = calls[i]->As<ModelCall>()->request.messages;
    const MessageList& got = calls_back[i]->As<ModelCall>()->request.messages;
    ASSERT_EQ(got.size(), want.size());
    for (size_t m = 0; m < want.size(); ++m) {
      EXPECT_EQ(got[m].role, want[m].role) << "call " << i << " message " << m;
      EXPECT_EQ(got[m].content.text, want[m].content.text) << "call " << i << " message " << m;
      EXPECT_EQ(got[m].tool_call_id, want[m].tool_call_id) << "call " << i << " message " << m;
      EXPECT_EQ(got[m].extra, want[m].extra) << "call " << i << " message " << m;
    }
  }
  EXPECT_THAT(calls[0]->As<ModelCall>()->request.messages[1].extra, HasSubstr("find_restaurant"));
  EXPECT_THAT(calls[1]->As<ModelCall>()->request.messages[1].extra, HasSubstr("toolu_1"));
}

// A session imported from spans, exported and imported again, keeps what OTel carries, and
// its findings: the spans it was read from are exported as structure beside the spans of its
// calls (baton.span.from_session), not read back as a second model call, tool or agent.
TEST(OtlpRoundTripTest, EveryImportedSessionKeepsItsEventsThroughExportAndImport) {
  size_t sessions = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kData)) {
    if (entry.path().extension() != ".json") continue;
    for (const SpanSession& first : Import(entry.path().filename().string())) {
      ++sessions;
      SCOPED_TRACE(entry.path().filename().string() + " " + first.key);
      Trace trace = Trace::FromEvents(first.header, first.events);
      ScorerSet scorers = ScorerSet::Defaults();
      Analysis before = Analyze(trace, Policy{}, scorers);
      auto spans = SpansFromTrace(trace, {});
      ASSERT_TRUE(spans.ok()) << spans.status().ToString();
      auto batch = ParseOtlpJson(WriteOtlpJson(*spans), "export");
      ASSERT_TRUE(batch.ok()) << batch.status().ToString();
      auto again = SessionsFromSpans(std::move(batch->spans), GroupBy::kAuto);
      ASSERT_THAT(again, SizeIs(1));
      std::vector<std::string> want, got;
      for (const Event& e : first.events)
        if (std::string c = Carried(e); !c.empty()) want.push_back(c);
      for (const Event& e : again[0].events)
        if (std::string c = Carried(e); !c.empty()) got.push_back(c);
      ASSERT_EQ(got.size(), want.size());
      for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i], want[i]) << "carried event " << i;
      Analysis after =
          Analyze(Trace::FromEvents(again[0].header, again[0].events), Policy{}, scorers);
      ASSERT_EQ(after.findings.size(), before.findings.size());
      for (size_t i = 0; i < before.findings.size(); ++i) {
        EXPECT_EQ(after.findings[i].kind, before.findings[i].kind);
        EXPECT_EQ(after.findings[i].from, before.findings[i].from);
        EXPECT_EQ(after.findings[i].to, before.findings[i].to);
      }
    }
  }
  EXPECT_GE(sessions, 20u);
}

// Every corpus session's spans in one OTLP/JSON file in `env` at `path`; how many sessions.
size_t WriteCorpusAsOneFile(MemEnv& env, const std::string& path) {
  std::vector<Span> all;
  size_t sessions = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kCorpora)) {
    if (entry.path().extension() != ".baton") continue;
    auto trace = Trace::Load(entry.path().string());
    if (!trace.ok()) {
      ADD_FAILURE() << trace.status().ToString();
      continue;
    }
    auto spans = SpansFromTrace(*trace, {});
    if (!spans.ok()) {
      ADD_FAILURE() << entry.path() << ": " << spans.status().ToString();
      continue;
    }
    ++sessions;
    for (Span& s : *spans) all.push_back(std::move(s));
  }
  env.SetContents(path, WriteOtlpJson(all));
  return sessions;
}

// `baton import otlp` maps and writes sessions on several threads: the files, their names,
// their order in the summary and their bytes are those one worker writes, whichever thread
// finishes first.
TEST(OtlpImportFileTest, ManyWorkersWriteTheFilesOneWorkerWrites) {
  MemEnv env;
  const size_t sessions = WriteCorpusAsOneFile(env, "/in.json");
  ASSERT_GE(sessions, 10u);
  env.MakeDirectory("/one");
  env.MakeDirectory("/many");
  auto one = ImportOtlpFile("/in.json", "/one", GroupBy::kAuto, env, 1);
  auto many = ImportOtlpFile("/in.json", "/many", GroupBy::kAuto, env, 4);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_TRUE(many.ok()) << many.status().ToString();
  EXPECT_EQ(many->spans, one->spans);
  EXPECT_EQ(many->events, one->events);
  ASSERT_GE(one->files.size(), 4u);  // Sessions of one conversation id are one group.
  ASSERT_EQ(many->files.size(), one->files.size());
  for (size_t i = 0; i < one->files.size(); ++i) {
    EXPECT_EQ(many->files[i].substr(std::string("/many").size()),
              one->files[i].substr(std::string("/one").size()));
    auto a = env.Contents(one->files[i]);
    auto b = env.Contents(many->files[i]);
    ASSERT_TRUE(a.has_value() && b.has_value()) << one->files[i];
    EXPECT_TRUE(*a == *b) << one->files[i] << " differs from " << many->files[i];
  }
}

// The spans of a document read on several threads come out as one thread reads them: in
// the document's order, with the same rejections at the same places.
TEST(OtlpImportFileTest, SpansReadOnManyThreadsComeInTheDocumentsOrder) {
  MemEnv env;
  WriteCorpusAsOneFile(env, "/in.json");
  std::string json = *env.Contents("/in.json");
  // Spans with an unusable trace id, spread through the document, are rejected alone.
  size_t spoiled = 0;
  for (size_t at = json.find("\"traceId\":\""); at != std::string::npos && spoiled < 5;
       at = json.find("\"traceId\":\"", at + 5000)) {
    json.insert(at + 11, "zz");
    ++spoiled;
  }
  ASSERT_EQ(spoiled, 5u);
  auto one = OtlpJsonReader(OtlpJsonReader::kDefaultBatchBytes, 1).Read(json, "in.json");
  auto many = OtlpJsonReader(OtlpJsonReader::kDefaultBatchBytes, 4).Read(json, "in.json");
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_TRUE(many.ok()) << many.status().ToString();
  ASSERT_GT(one->spans.size(), 200u);  // Several tasks of spans, on several threads.
  EXPECT_EQ(WriteOtlpJson(many->spans), WriteOtlpJson(one->spans));
  ASSERT_EQ(one->rejected.size(), 5u);
  ASSERT_EQ(many->rejected.size(), one->rejected.size());
  for (size_t i = 0; i < one->rejected.size(); ++i) {
    EXPECT_EQ(many->rejected[i].where, one->rejected[i].where);
    EXPECT_EQ(many->rejected[i].reason, one->rejected[i].reason);
  }
}

// A session that cannot be written fails the import with an error naming its file, whichever
// worker met it.
TEST(OtlpImportFileTest, AWriteErrorOnAnyWorkerFailsTheImportWithTheDisksError) {
  MemEnv env;
  WriteCorpusAsOneFile(env, "/in.json");
  env.MakeDirectory("/out");
  env.FailWritesAfter(4096);
  auto imported = ImportOtlpFile("/in.json", "/out", GroupBy::kAuto, env, 4);
  ASSERT_FALSE(imported.ok());
  EXPECT_THAT(imported.status().ToString(), HasSubstr("/out/"));
}

TEST(OtlpExportTest, FindingsBecomeSpanEventsAndSpansHaveOpenInferenceMirrors) {
  auto trace = Trace::Load(kCorpora + "/stale_context.baton");
  ASSERT_TRUE(trace.ok());
  ScorerSet scorers = ScorerSet::Defaults();
  Analysis a = Analyze(*trace, Policy{}, scorers);
  auto spans = SpansFromTrace(*trace, a.findings);
  ASSERT_TRUE(spans.ok());
  size_t findings = 0, chats = 0;
  for (const Span& s : *spans) {
    for (const SpanEvent& e : s.events)
      if (e.name == attr::kFindingEvent) {
        ++findings;
        EXPECT_FALSE(AttributeString(e.attributes, attr::kFindingMessage).empty());
      }
    if (s.Str("gen_ai.operation.name") == "chat") {
      ++chats;
      EXPECT_EQ(s.Str("openinference.span.kind"), "LLM");
      EXPECT_FALSE(s.Str("llm.input_messages.0.message.content").empty());
      EXPECT_FALSE(s.Str("gen_ai.output.messages").empty());
    }
    EXPECT_EQ(s.trace_id.size(), 32u);
    EXPECT_EQ(s.span_id.size(), 16u);
  }
  EXPECT_EQ(findings, a.findings.size());
  EXPECT_GT(chats, 0u);
}

std::string WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// --- The CLI ------------------------------------------------------------------------------

TEST(OtlpCliTest, ImportWritesASessionPerGroupAndBadFilesExit2) {
  const std::string dir = FreshTempDir("otlp_cli");
  RunResult r = RunCommand(kBaton + " import otlp " + kData + "/genai_older.json -o " + dir + "/s");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("imported 7 spans (grouped by auto) as 1 sessions"));
  EXPECT_THAT(r.err, HasSubstr("skipped a span"));
  RunResult check =
      RunCommand(kBaton + " inspect " + dir + "/s/00000000000000000000000000000001.baton");
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_THAT(check.out, HasSubstr("source=otlp"));

  RunResult bad =
      RunCommand(kBaton + " import otlp " +
                 WriteFile(dir + "/bad.json", R"({"resourceMetrics":[]})") + " -o " + dir);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("(this is metrics)"));
  RunResult group = RunCommand(kBaton + " import otlp " + kData +
                               "/genai_current.json --group-by trace -o " + dir + "/t");
  EXPECT_EQ(group.exit_code, 0) << group.err;
  EXPECT_TRUE(std::filesystem::exists(dir + "/t/5b8efff798038103d269b633813fc60c.baton"));
}

TEST(OtlpCliTest, ExportWritesOtlpJsonThatImportsBack) {
  const std::string dir = FreshTempDir("otlp_export");
  RunResult r =
      RunCommand(kBaton + " export otlp " + kCorpora + "/retry_storm.baton --with-findings");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"baton.finding\""));
  WriteFile(dir + "/e.json", r.out);
  RunResult back = RunCommand(kBaton + " import otlp " + dir + "/e.json -o " + dir + "/s");
  ASSERT_EQ(back.exit_code, 0) << back.err;
  RunResult why = RunCommand(kBaton + " why " + dir + "/s/*.baton");
  EXPECT_THAT(why.out, HasSubstr("Root cause: a retry storm hidden from the reported latency"));
}

}  // namespace
}  // namespace baton::otel
