// `baton import transcript`: the Who&When logs and AutoGen group chats become sessions whose
// every event names its step; the answer key of a labelled dataset is never read; anything
// else is an error that names the key and the index.
#include "harness/import/transcript_import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "assertions/analyses.h"
#include "assertions/policy.h"
#include "assertions/root_cause.h"
#include "assertions/scorers.h"
#include "assertions/trace_assertions.h"
#include "base/json_parse.h"
#include "base/mem_env.h"
#include "replayer/log_reader.h"
#include "replayer/trace.h"
#include "tests/testing/run_command.h"

namespace baton {
namespace {

using ::testing::HasSubstr;
using transcript::ParseTranscript;

const std::string kWhoAndWhen =
    std::string(BATON_SOURCE_DIR) + "/../shared/corpora-external/who-and-when/hand-crafted";

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> WhoAndWhenFiles() {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(kWhoAndWhen, ec))
    if (e.path().extension() == ".json") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

TEST(TranscriptImportTest, EveryWhoAndWhenLogImportsWithEveryEventMappedToItsStep) {
  std::vector<std::string> files = WhoAndWhenFiles();
  ASSERT_EQ(files.size(), 58u) << "the Who&When logs are expected in " << kWhoAndWhen;
  for (const std::string& f : files) {
    auto s = ParseTranscript(Slurp(f), f);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->shape, transcript::Shape::kWhoAndWhen) << f;
    ASSERT_FALSE(s->events.empty());
    for (const Event& e : s->events) {
      if (e.As<Outcome>() != nullptr) continue;
      int64_t step = SourceStep(s->events, e.seq).value_or(-1);
      EXPECT_GE(step, 0) << f << " #" << e.seq;
      EXPECT_LT(step, static_cast<int64_t>(s->entries)) << f << " #" << e.seq;
    }
    const auto* outcome = s->events.back().As<Outcome>();
    ASSERT_NE(outcome, nullptr) << f;
    EXPECT_NE(outcome->verdict, Verdict::kUnknown) << f << ": every file has a ground truth";
    // Each "Orchestrator (-> X)" entry is one message send from the orchestrator to X.
    size_t routed = 0, sends = 0;
    auto doc = JsonDocument::Parse(Slurp(f), f);
    ASSERT_TRUE(doc.ok());
    for (auto field : doc->root().getObject())
      if (field.getName() == "history")
        for (auto entry : field.getValue().getArray())
          for (auto kv : entry.getObject())
            if (kv.getName() == "role" &&
                std::string(kv.getValue().getString()).find("(-> ") != std::string::npos)
              ++routed;
    for (const Event& e : s->events)
      if (const auto* m = e.As<MessageSend>();
          m && e.agent == "Orchestrator" && m->intent == "instruction")
        ++sends;
    EXPECT_EQ(sends, routed) << f;
  }
}

// Removes the keys of the answer key from a Who&When document, re-serialized.
std::string WithoutAnswerKey(const std::string& json) {
  auto doc = JsonDocument::Parse(json, "doc");
  EXPECT_TRUE(doc.ok());
  std::string out = "{";
  bool first = true;
  for (auto f : doc->root().getObject()) {
    std::string name = f.getName();
    if (name.rfind("mistake_", 0) == 0 || name == "is_correct" || name == "is_corrected") continue;
    out += (first ? "\"" : ",\"") + name + "\":" + JsonText(f.getValue());
    first = false;
  }
  return out + "}";
}

// On every log, why names the agent (one of the transcript's) and the step (an index into
// it), with its evidence; the accuracy is bench/attribution_bench.py's figure, not asserted.
TEST(TranscriptImportTest, WhyAttributesEveryFailureToAnAgentAndAStep) {
  for (const std::string& f : WhoAndWhenFiles()) {
    auto s = ParseTranscript(Slurp(f), f);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    Trace trace = Trace::FromEvents(s->header, s->events);
    Analysis analysis = Analyze(trace, Policy{}, ScorerSet::Defaults());
    Explanation why = Explain(trace, analysis);
    ASSERT_TRUE(why.attribution.has_value()) << f;
    const Attribution& a = *why.attribution;
    EXPECT_NE(std::find(s->header.agents.begin(), s->header.agents.end(), a.agent),
              s->header.agents.end())
        << f << ": " << a.agent;
    ASSERT_TRUE(a.step.has_value()) << f;
    EXPECT_GE(*a.step, 0);
    EXPECT_LT(*a.step, static_cast<int64_t>(s->entries)) << f;
    EXPECT_FALSE(a.evidence.empty());
    EXPECT_THAT(why.paragraph,
                HasSubstr("The failure began at step " + std::to_string(*a.step) + ": " + a.agent));
    auto json = JsonDocument::Parse(why.ToJson(analysis), "why");
    ASSERT_TRUE(json.ok());
    bool fields = false;
    for (auto field : json->root().getObject()) {
      if (field.getName() != "root_cause") continue;
      ASSERT_TRUE(field.getValue().isObject()) << f;
      int seen = 0;
      for (auto kv : field.getValue().getObject()) {
        if (kv.getName() == "agent" && kv.getValue().getString() == a.agent) ++seen;
        if (kv.getName() == "step" && kv.getValue().getNumber() == *a.step) ++seen;
      }
      fields = seen == 2;
    }
    EXPECT_TRUE(fields) << f << ": " << why.ToJson(analysis);
  }
}

// Whether `baton why` on the transcript `chat` names `agent` at `step`, with a reason that
// says `reason_part`.
::testing::AssertionResult WhyAttributes(const std::string& chat, const std::string& agent,
                                         int64_t step, const std::string& reason_part) {
  auto s = ParseTranscript(chat, "chat.json");
  if (!s.ok()) return ::testing::AssertionFailure() << s.status().ToString();
  Trace trace = Trace::FromEvents(s->header, s->events);
  Analysis analysis = Analyze(trace, Policy{}, ScorerSet::Defaults());
  Explanation why = Explain(trace, analysis);
  if (!why.attribution) return ::testing::AssertionFailure() << "no attribution: " << why.paragraph;
  const Attribution& a = *why.attribution;
  if (a.agent != agent || a.step != step || a.reason.find(reason_part) == std::string::npos)
    return ::testing::AssertionFailure()
           << "attributed to " << a.agent << " at step " << (a.step ? *a.step : -1) << " ("
           << a.reason << "), not to " << agent << " at step " << step << " with \"" << reason_part
           << "\"";
  return ::testing::AssertionSuccess();
}

// Attribution follows the wrong answer's words to where they first appeared. When that is a
// code executor's output, the failure began with the code that computed it: its sender.
TEST(TranscriptImportTest, AnAnswerFirstPrintedByAnExecutorIsChargedToTheCodesAuthor) {
  const std::string chat = R"({"ground_truth": "42", "messages": [
    {"name": "user_proxy", "role": "user", "content": "What is the total count of records?"},
    {"name": "planner", "role": "assistant", "content": "Let the analyst count them."},
    {"name": "analyst", "role": "assistant", "content": "```python
print(len(rows) - 1)
```"},
    {"name": "executor", "role": "user", "content": "exitcode: 0 (execution succeeded)
Code output: 41 records"},
    {"name": "reviewer", "role": "assistant", "content": "The total is 41 records."}]})";
  EXPECT_TRUE(WhyAttributes(chat, "analyst", 2, "first appeared at step 3, in executor's"));
}

// Each of the answer's words is charged to the step that said it first, and the step that
// introduced the most of them is where the answer came from: not the verifier who restates
// the whole answer at the end, nor a later step that adds a detail.
TEST(TranscriptImportTest, TheStepThatIntroducedMostOfTheAnswerIsChargedNotItsVerifier) {
  const std::string chat = R"({"ground_truth": "Cuba", "messages": [
    {"name": "manager", "role": "user", "content": "Which country sent the fewest athletes to the 1928 Summer Olympics?"},
    {"name": "data_expert", "role": "assistant", "content": "From the participation table: China sent one athlete, the smallest delegation."},
    {"name": "code_expert", "role": "assistant", "content": "Its IOC code is CHN."},
    {"name": "verifier", "role": "assistant", "content": "Verified against the official report and two encyclopedias: China (CHN) sent one athlete, the smallest delegation, so the final answer stands."}]})";
  EXPECT_TRUE(WhyAttributes(chat, "data_expert", 1, "than anywhere else"));
}

// A failed code run is direct evidence and comes before content flow: the agent whose code
// failed is charged even when another step introduced more of the answer's words.
TEST(TranscriptImportTest, AFailedRunIsChargedBeforeWhereTheAnswersWordsCameFrom) {
  const std::string chat = R"({"ground_truth": "12", "messages": [
    {"name": "user_proxy", "role": "user", "content": "How many rows does data.csv have?"},
    {"name": "analyst", "role": "assistant", "content": "```python\nprint(len(open('data.csv').readlines())\n```"},
    {"name": "executor", "role": "user", "content": "exitcode: 1 (execution failed)\nCode output: \n  File \"x.py\", line 1\nSyntaxError: '(' was never closed\n"},
    {"name": "guesser", "role": "assistant", "content": "Without the file read, a typical export like this has eleven rows."},
    {"name": "reviewer", "role": "assistant", "content": "The file has eleven rows."}]})";
  EXPECT_TRUE(WhyAttributes(chat, "analyst", 1, "first failed code execution"));
}

// AG2's CaptainAgent logs open with an expert's message that quotes the question inside its
// manager's plan: the task is the file's question, sent by the user, and the opening message
// is the expert's own step.
TEST(TranscriptImportTest, AnOpeningAgentMessageIsAStepAndTheQuestionIsTheTask) {
  const std::string chat =
      R"({"question": "Which planet has the most moons?", "ground_truth": "Saturn",
    "history": [
    {"name": "Astronomy_Expert", "role": "assistant", "content": "# General Task\nWhich planet has the most moons?\n# Plan from manager\nLook up Jupiter's count of 95 moons in the NASA table; Jupiter leads."},
    {"name": "Verification_Expert", "role": "user", "content": "Checked: Jupiter, with 95 moons, has the most moons."}]})";
  auto s = ParseTranscript(chat, "chat.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const Event* task = nullptr;
  for (const Event& e : s->events) {
    if (const auto* m = e.As<MessageSend>(); m && m->intent == "task") task = &e;
    if (e.As<Outcome>() == nullptr) {  // The question is asked at the step that quotes it.
      EXPECT_TRUE(SourceStep(s->events, e.seq).has_value()) << "#" << e.seq;
    }
  }
  ASSERT_NE(task, nullptr);
  EXPECT_EQ(task->agent, "user");
  EXPECT_EQ(SourceStep(s->events, task->seq), 0);
  EXPECT_EQ(task->As<MessageSend>()->to, "Astronomy_Expert");
  EXPECT_EQ(task->As<MessageSend>()->payload.text, "Which planet has the most moons?");
}

// A message that quotes the whole task sets it out again (the brief that opens a group chat:
// the task, a manager's plan, the output format). Every agent was given those words, so the
// answer's words found there came from no one: the step that brought the wrong fact in is
// charged, not the brief that named the subject first.
TEST(TranscriptImportTest, WordsOfAMessageThatRestatesTheTaskAreTheTasks) {
  const std::string chat =
      R"({"question": "Which planet has the most moons?", "ground_truth": "Saturn",
    "history": [
    {"name": "Astronomy_Expert", "role": "assistant", "content": "# General Task\nWhich planet has the most moons? Please solve it carefully.\n# Plan from manager\nCompare the confirmed moon counts of Jupiter, Saturn, Uranus and Neptune in the NASA fact sheets."},
    {"name": "Data_Expert", "role": "user", "content": "The 2019 fact sheet lists Jupiter with 79 confirmed moons, the largest count."},
    {"name": "Verification_Expert", "role": "user", "content": "Checked the counts: Jupiter has the most moons, 79 confirmed."}]})";
  EXPECT_TRUE(WhyAttributes(chat, "Data_Expert", 1, "first appeared at step 1"));
  // Without the question quoted in it, the opening message is an agent's own words, and
  // the first to name Jupiter is charged.
  std::string unquoted = chat;
  unquoted.replace(unquoted.find("Which planet has the most moons? Please"),
                   std::string_view("Which planet has the most moons?").size(), "The task:");
  EXPECT_TRUE(WhyAttributes(unquoted, "Astronomy_Expert", 0, "first appeared at step 0"));
}

// A session recorded by the runtime has no source steps: no attribution is invented.
TEST(TranscriptImportTest, SessionsWithoutStepsGetNoAttribution) {
  auto trace = Trace::Load(std::string(BATON_SOURCE_DIR) + "/corpora/stale_context.baton");
  ASSERT_TRUE(trace.ok());
  Analysis analysis = Analyze(*trace, Policy{}, ScorerSet::Defaults());
  EXPECT_FALSE(Explain(*trace, analysis).attribution.has_value());
}

TEST(TranscriptImportTest, TheAnswerKeyIsNeverRead) {
  for (const std::string& f : WhoAndWhenFiles()) {
    std::string original = Slurp(f);
    ASSERT_THAT(original, HasSubstr("mistake_agent"));
    auto with = ParseTranscript(original, "t.json");
    auto without = ParseTranscript(WithoutAnswerKey(original), "t.json");
    ASSERT_TRUE(with.ok() && without.ok()) << f;
    EXPECT_EQ(with->events, without->events) << f;
    EXPECT_EQ(with->header, without->header) << f;
  }
}

TEST(TranscriptImportTest, AutoGenGroupChatWithCodeExecution) {
  const std::string chat = R"([
    {"name": "user_proxy", "role": "user", "content": "Plot NVDA vs TSLA"},
    {"name": "coder", "role": "assistant", "content": "```python\nprint(1/0)\n```"},
    {"name": "executor", "role": "user", "content": "exitcode: 1 (execution failed)\nCode output: \nTraceback (most recent call last):\n  File \"x.py\", line 1, in <module>\nZeroDivisionError: division by zero\n"},
    {"name": "coder", "role": "assistant", "content": "Sorry. TERMINATE"}])";
  for (const std::string& doc : {chat, "{\"messages\": " + chat + "}"}) {
    auto s = ParseTranscript(doc, "chat.json");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->shape, transcript::Shape::kGroupChat);
    EXPECT_EQ(s->entries, 4u);
    const ToolCall* run = nullptr;
    const MessageSend* code = nullptr;
    for (const Event& e : s->events) {
      if (const auto* t = e.As<ToolCall>()) {
        run = t;
        EXPECT_EQ(e.agent, "executor");
        EXPECT_EQ(SourceStep(s->events, e.seq), 2);
      }
      if (const auto* m = e.As<MessageSend>(); m && e.agent == "coder" && !code) code = m;
    }
    ASSERT_NE(run, nullptr);
    EXPECT_EQ(run->error, "ZeroDivisionError: division by zero");
    EXPECT_THAT(run->arguments.text, HasSubstr("print(1/0)"));  // The code it ran.
    ASSERT_NE(code, nullptr);
    EXPECT_EQ(code->to, "executor");  // A group chat message goes to the next speaker.
    EXPECT_EQ(s->events.back().As<Outcome>()->verdict, Verdict::kUnknown);  // No ground truth.
  }
}

// The error of a run is its exception line, not what the program printed after it (its
// prints, flushed at exit, follow the traceback in an executor's report), and of a chained
// exception, the last one raised.
TEST(TranscriptImportTest, ARunsErrorIsTheExceptionLineOfItsLastTraceback) {
  auto error_of = [](std::string_view output) -> std::string {
    const std::string chat = R"([
    {"name": "user_proxy", "role": "user", "content": "Search the web"},
    {"name": "coder", "role": "assistant", "content": "```python\nsearch()\n```"},
    {"name": "executor", "role": "user", "content": ")" +
                             std::string(output) + R"("}])";
    auto s = ParseTranscript(chat, "chat.json");
    if (!s.ok()) return s.status().ToString();
    for (const Event& e : s->events)
      if (const auto* t = e.As<ToolCall>()) return t->error;
    return "no run";
  };
  EXPECT_EQ(error_of("exitcode: 1 (execution failed)\\nCode output: Traceback (most recent call "
                     "last):\\n  File \\\"x.py\\\", line 7, in <module>\\n    for r in "
                     "results:\\nTypeError: 'NoneType' object is not iterable\\nSearch Result "
                     "1:\\nThe Metropolitan Museum of Art\\n"),
            "TypeError: 'NoneType' object is not iterable");
  EXPECT_EQ(error_of("Traceback (most recent call last):\\n  File \\\"a.py\\\", line 2, in "
                     "<module>\\nKeyError: 'slots'\\n\\nDuring handling of the above exception, "
                     "another exception occurred:\\n\\nTraceback (most recent call last):\\n  "
                     "File \\\"a.py\\\", line 4, in <module>\\nValueError: no slots\\n"),
            "ValueError: no slots");
  // A traceback cut off before its exception says only that it is one.
  EXPECT_EQ(error_of("exitcode: 1 (execution failed)\\nCode output: Traceback (most recent call "
                     "last):\\n  File \\\"x.py\\\", line 7"),
            "Traceback (most recent call last):");
}

// AutoGen and AG2 end a chat with TERMINATE (their default is_termination_msg): a signal,
// not the answer, whether it closes the last message or is a message of its own.
TEST(TranscriptImportTest, AutoGenTerminateIsTheDecisionToStopNotTheAnswer) {
  const std::string alone = R"({"ground_truth": "3", "messages": [
    {"name": "user_proxy", "role": "user", "content": "How many albums?"},
    {"name": "analyst", "role": "assistant", "content": "I count 3 albums."},
    {"name": "verifier", "role": "assistant", "content": "TERMINATE\n"}]})";
  auto s = ParseTranscript(alone, "chat.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const Event& outcome = s->events.back();
  ASSERT_NE(outcome.As<Outcome>(), nullptr);
  EXPECT_EQ(outcome.As<Outcome>()->result.text, "I count 3 albums.");
  EXPECT_EQ(outcome.As<Outcome>()->verdict, Verdict::kSuccess);
  EXPECT_EQ(outcome.agent, "analyst");  // Who gave the answer, not who said stop.
  int verifier_messages = 0, verifier_decisions = 0;
  for (const Event& e : s->events) {
    if (e.agent != "verifier") continue;
    verifier_messages += e.As<MessageSend>() != nullptr;
    verifier_decisions += e.As<RoutingDecision>() != nullptr;
  }
  EXPECT_EQ(verifier_messages, 0);
  EXPECT_EQ(verifier_decisions, 1);

  // A closing TERMINATE is left out of the answer; inside a sentence it is words.
  struct Case {
    std::string last_message, answer;
    Verdict verdict;
  };
  for (const Case& c : std::vector<Case>{
           {"There are 4 albums. TERMINATE", "There are 4 albums.", Verdict::kSuccess},
           {"Say TERMINATE when done; 5.", "Say TERMINATE when done; 5.", Verdict::kFailure}}) {
    s = ParseTranscript(R"({"ground_truth": "4", "messages": [
      {"name": "user_proxy", "role": "user", "content": "How many albums?"},
      {"name": "analyst", "role": "assistant", "content": ")" +
                            c.last_message + R"("}]})",
                        "chat.json");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->events.back().As<Outcome>()->result.text, c.answer);
    EXPECT_EQ(s->events.back().As<Outcome>()->verdict, c.verdict) << c.last_message;
  }
}

template <typename T>
std::vector<const Event*> EventsOf(const transcript::ImportedSession& s) {
  std::vector<const Event*> out;
  for (const Event& e : s.events)
    if (e.As<T>() != nullptr) out.push_back(&e);
  return out;
}

// AutoGen AgentChat (0.4 and later): a TaskResult's messages, each with `source` and `type`.
// Tool calls and their results are events of their own, a HandoffMessage names its target,
// a StopMessage is the termination condition speaking, not an answer.
TEST(TranscriptImportTest, AutoGenAgentChatMessagesWithToolsAndHandoffs) {
  const std::string chat = R"({"messages": [
    {"source": "user", "type": "TextMessage", "content": "Refund my flight ABC123."},
    {"source": "travel_agent", "type": "ToolCallRequestEvent", "models_usage": null,
     "content": [{"id": "call_1", "arguments": "{}", "name": "transfer_to_flights_refunder"}]},
    {"source": "travel_agent", "type": "ToolCallExecutionEvent",
     "content": [{"content": "Transferred to flights_refunder", "name": "transfer_to_flights_refunder", "call_id": "call_1", "is_error": false}]},
    {"source": "travel_agent", "type": "HandoffMessage", "target": "flights_refunder",
     "content": "Transferred to flights_refunder, adopting the role of flights_refunder immediately."},
    {"source": "flights_refunder", "type": "ThoughtEvent", "content": "I should look the booking up."},
    {"source": "flights_refunder", "type": "ToolCallRequestEvent",
     "content": [{"id": "call_2", "arguments": "{\"flight_id\": \"ABC123\"}", "name": "refund_flight"}]},
    {"source": "flights_refunder", "type": "ToolCallExecutionEvent",
     "content": [{"content": "PaymentError: card expired", "name": "refund_flight", "call_id": "call_2", "is_error": true}]},
    {"source": "flights_refunder", "type": "TextMessage", "content": "Your refund has been issued."},
    {"source": "user", "type": "StopMessage", "content": "Text 'issued' mentioned"}]})";
  auto s = ParseTranscript(chat, "team.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->entries, 9u);
  EXPECT_THAT(s->header.agents, ::testing::ElementsAre("user", "travel_agent", "flights_refunder"));
  // The handoff, once (the transfer tool is not a second one), delivered to its target.
  auto sends = EventsOf<MessageSend>(*s);
  std::vector<const MessageSend*> handoffs;
  for (const Event* e : sends)
    if (e->As<MessageSend>()->intent == "handoff") handoffs.push_back(e->As<MessageSend>());
  ASSERT_EQ(handoffs.size(), 1u);
  EXPECT_EQ(handoffs[0]->to, "flights_refunder");
  // Two tool calls with their arguments and results; the failed refund is an error.
  auto tools = EventsOf<ToolCall>(*s);
  ASSERT_EQ(tools.size(), 2u);
  const ToolCall& refund = *tools[1]->As<ToolCall>();
  EXPECT_EQ(tools[1]->agent, "flights_refunder");
  EXPECT_EQ(SourceStep(s->events, tools[1]->seq), 6);
  EXPECT_EQ(refund.tool, "refund_flight");
  EXPECT_EQ(refund.arguments.text, "{\"flight_id\": \"ABC123\"}");
  EXPECT_EQ(refund.error, "PaymentError: card expired");
  // The answer is the last message, not the stop condition's note; by its author.
  const Event& outcome = s->events.back();
  ASSERT_NE(outcome.As<Outcome>(), nullptr);
  EXPECT_EQ(outcome.As<Outcome>()->result.text, "Your refund has been issued.");
  EXPECT_EQ(outcome.agent, "flights_refunder");
}

// OpenAI chat messages as a Swarm run returns them: the speaker in `sender`, tool calls in
// `tool_calls`, results as role "tool" messages (charged to the agent that asked), handoffs
// as transfer_to_<agent> tools; OpenAI Responses items (function_call, function_call_output)
// read the same way.
TEST(TranscriptImportTest, OpenAiToolCallsSwarmSendersAndResponsesItems) {
  const std::string chat = R"([
    {"role": "user", "content": "Cancel my order 7."},
    {"role": "assistant", "sender": "Triage Agent", "content": null,
     "tool_calls": [{"id": "call_t", "type": "function", "function": {"name": "transfer_to_orders_agent", "arguments": "{}"}}]},
    {"role": "tool", "tool_call_id": "call_t", "tool_name": "transfer_to_orders_agent", "content": "{\"assistant\": \"Orders Agent\"}"},
    {"role": "assistant", "sender": "Orders Agent", "content": "Looking it up.",
     "tool_calls": [{"id": "call_o", "type": "function", "function": {"name": "cancel_order", "arguments": "{\"order\": 7}"}}]},
    {"role": "tool", "tool_call_id": "call_o", "content": "Traceback (most recent call last):\n  File \"orders.py\", line 3\nKeyError: 7\n"},
    {"type": "function_call", "call_id": "call_r", "name": "retry_cancel", "arguments": "{\"order\": 7}"},
    {"type": "function_call_output", "call_id": "call_r", "output": "cancelled"},
    {"role": "assistant", "sender": "Orders Agent", "content": "Order 7 is cancelled."}])";
  auto s = ParseTranscript(chat, "swarm.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_THAT(s->header.agents, ::testing::ElementsAre("user", "Triage Agent", "Orders Agent"));
  std::vector<const MessageSend*> handoffs;
  for (const Event* e : EventsOf<MessageSend>(*s))
    if (e->As<MessageSend>()->intent == "handoff") handoffs.push_back(e->As<MessageSend>());
  ASSERT_EQ(handoffs.size(), 1u);
  EXPECT_EQ(handoffs[0]->to, "Orders Agent");  // transfer_to_orders_agent names it.
  auto tools = EventsOf<ToolCall>(*s);
  ASSERT_EQ(tools.size(), 3u);
  EXPECT_EQ(tools[0]->agent, "Triage Agent");
  EXPECT_EQ(tools[1]->agent, "Orders Agent");
  EXPECT_EQ(tools[1]->As<ToolCall>()->tool, "cancel_order");
  EXPECT_EQ(tools[1]->As<ToolCall>()->error, "KeyError: 7");  // A traceback in the output.
  EXPECT_EQ(tools[2]->agent, "Orders Agent");
  EXPECT_EQ(tools[2]->As<ToolCall>()->tool, "retry_cancel");
  EXPECT_EQ(tools[2]->As<ToolCall>()->result.text, "cancelled");
  EXPECT_TRUE(tools[2]->As<ToolCall>()->error.empty());
  EXPECT_EQ(s->events.back().As<Outcome>()->result.text, "Order 7 is cancelled.");
}

// A LangGraph supervisor's run (langgraph-supervisor): the supervisor hands off with
// transfer_to_<worker>, each worker hands back with transfer_back_to_<supervisor>. Handing
// back names the supervisor; it is no agent of its own called "back_to_supervisor".
TEST(TranscriptImportTest, LangGraphSupervisorsWorkersHandBackToIt) {
  auto s = ParseTranscript(R"([
    {"type": "human", "content": "What is New York's 2024 GDP, doubled?"},
    {"type": "ai", "name": "supervisor", "content": "", "tool_calls": [{"name": "transfer_to_research_expert", "args": {}, "id": "call_1", "type": "tool_call"}]},
    {"type": "tool", "name": "transfer_to_research_expert", "content": "Successfully transferred to research_expert", "tool_call_id": "call_1"},
    {"type": "ai", "name": "research_expert", "content": "About $2.3 trillion."},
    {"type": "ai", "name": "research_expert", "content": "Transferring back to supervisor", "tool_calls": [{"name": "transfer_back_to_supervisor", "args": {}, "id": "call_2", "type": "tool_call"}]},
    {"type": "tool", "name": "transfer_back_to_supervisor", "content": "Successfully transferred back to supervisor", "tool_call_id": "call_2"},
    {"type": "ai", "name": "supervisor", "content": "Doubled, about $4.6 trillion."}])",
                           "supervisor.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_THAT(s->header.agents, ::testing::ElementsAre("user", "supervisor", "research_expert"));
  std::vector<std::pair<std::string, std::string>> handoffs;
  for (const Event* e : EventsOf<MessageSend>(*s))
    if (e->As<MessageSend>()->intent == "handoff")
      handoffs.emplace_back(e->agent, e->As<MessageSend>()->to);
  EXPECT_THAT(handoffs, ::testing::ElementsAre(::testing::Pair("supervisor", "research_expert"),
                                               ::testing::Pair("research_expert", "supervisor")));
}

// The findings baton makes on a session, by kind name ("unprocessed", ...).
std::vector<std::string> FindingKinds(const Result<transcript::ImportedSession>& s) {
  Trace trace = Trace::FromEvents(s->header, s->events);
  Analysis analysis = Analyze(trace, Policy{}, ScorerSet::Defaults());
  std::vector<std::string> kinds;
  for (const Finding& f : analysis.findings) kinds.push_back(std::string(FindingKindName(f.kind)));
  return kinds;
}

// A transcript shows an agent acting on what it was sent by speaking next, and the chat's
// last word goes back to whoever set the task: a chat that went well has no finding. An
// instruction its receiver never acted on is still one.
TEST(TranscriptImportTest, AgentsProcessWhatTheyActOnAndOnlyTheUnansweredIsAFinding) {
  auto healthy = ParseTranscript(R"([
    {"name": "user_proxy", "role": "user", "content": "Plot NVDA vs TSLA"},
    {"name": "coder", "role": "assistant", "content": "```python\nprint(1)\n```"},
    {"name": "executor", "role": "user", "content": "exitcode: 0 (execution succeeded)\nCode output: 1"},
    {"name": "reviewer", "role": "assistant", "content": "The plot is saved."}])",
                                 "chat.json");
  ASSERT_TRUE(healthy.ok()) << healthy.status().ToString();
  EXPECT_THAT(FindingKinds(healthy), ::testing::IsEmpty());
  std::vector<std::string> sends;
  for (const Event& e : healthy->events)
    if (const auto* m = e.As<MessageSend>()) sends.push_back(e.agent + "->" + m->to);
  // The run's output goes to whoever speaks next; the last word to the one who asked.
  EXPECT_THAT(sends, ::testing::ElementsAre("user_proxy->coder", "coder->executor",
                                            "executor->reviewer", "reviewer->user_proxy"));

  auto unanswered = ParseTranscript(R"m1({"history": [
    {"role": "human", "content": "Find the opening hours."},
    {"role": "Orchestrator (thought)", "content": "Ask WebSurfer."},
    {"role": "Orchestrator (-> WebSurfer)", "content": "Search for the opening hours."}]})m1",
                                    "m1.json");
  ASSERT_TRUE(unanswered.ok()) << unanswered.status().ToString();
  EXPECT_THAT(FindingKinds(unanswered), ::testing::Contains("unprocessed"));
}

// LangGraph keeps LangChain messages: model_dump()'s {"type": "human" | "ai" | "tool" |
// "system", ...}, messages_to_dict's {"type", "data"}, dumpd's {"lc", "kwargs"}. All three
// give the same session: the system prompt is the agent's instructions (not the task), the
// AI message's tool calls (LangChain's {name, args, id}) have the tool message's result,
// a tool's error status is the call's error, and content blocks are read as their text.
TEST(TranscriptImportTest, LangChainMessagesInEveryDumpedForm) {
  const std::vector<std::string> messages = {
      R"({"type": "system", "content": "You are the research team. Answer in one word."})",
      R"({"type": "human", "content": "What is the capital of Australia?", "name": null})",
      R"({"type": "ai", "name": "researcher", "content": [{"type": "text", "text": "Searching."}],
          "tool_calls": [{"name": "search", "args": {"q": "capital of Australia"}, "id": "call_1", "type": "tool_call"}]})",
      R"({"type": "tool", "name": "search", "tool_call_id": "call_1", "status": "error",
          "content": "search backend timed out"})",
      R"({"type": "ai", "name": "writer", "content": "Sydney", "tool_calls": []})"};
  const std::vector<std::string> classes = {"SystemMessage", "HumanMessage", "AIMessage",
                                            "ToolMessage", "AIMessage"};
  const std::vector<std::string> types = {"system", "human", "ai", "tool", "ai"};
  std::string dumped = "[", to_dict = "[", lc = "[";
  for (size_t i = 0; i < messages.size(); ++i) {
    const std::string comma = i == 0 ? "" : ",";
    dumped += comma + messages[i];
    to_dict += comma + R"({"type": ")" + types[i] + R"(", "data": )" + messages[i] + "}";
    lc += comma +
          R"({"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", ")" +
          classes[i] + R"("], "kwargs": )" + messages[i] + "}";
  }
  std::vector<Event> first;
  for (const std::string& list : {dumped + "]", to_dict + "]", lc + "]"}) {
    const std::string doc = R"({"ground_truth": "Canberra", "messages": )" + list + "}";
    auto s = ParseTranscript(doc, "graph.json");
    ASSERT_TRUE(s.ok()) << s.status().ToString() << "\n" << doc;
    if (first.empty()) first = s->events;
    EXPECT_EQ(s->events, first) << doc;
    const MessageSend* task = nullptr;
    const MessageSend* instructions = nullptr;
    const ToolCall* search = nullptr;
    for (const Event& e : s->events) {
      if (const auto* m = e.As<MessageSend>(); m && m->intent == "task") task = m;
      if (const auto* m = e.As<MessageSend>(); m && m->intent == "instructions") instructions = m;
      if (const auto* t = e.As<ToolCall>()) {
        search = t;
        EXPECT_EQ(e.agent, "researcher");
      }
      if (const auto* m = e.As<MessageSend>(); m && e.agent == "researcher") {
        EXPECT_EQ(m->payload.text, "Searching.");  // The text block, not the blocks' JSON.
      }
    }
    ASSERT_NE(task, nullptr);
    EXPECT_EQ(task->payload.text, "What is the capital of Australia?");
    EXPECT_EQ(task->to, "researcher");
    ASSERT_NE(instructions, nullptr);
    EXPECT_EQ(instructions->to, "researcher");
    ASSERT_NE(search, nullptr);
    EXPECT_EQ(search->tool, "search");
    EXPECT_THAT(search->arguments.text, HasSubstr("capital of Australia"));
    EXPECT_EQ(search->error, "search backend timed out");
    const auto* outcome = s->events.back().As<Outcome>();
    ASSERT_NE(outcome, nullptr);
    EXPECT_EQ(outcome->result.text, "Sydney");
    EXPECT_EQ(outcome->verdict, Verdict::kFailure);
    // The failed search was the researcher's own call, not the work of whoever spoke to it.
    EXPECT_TRUE(WhyAttributes(doc, "researcher", 3, "researcher's own call of search"));
  }
}

// Whether the transcript `chat` imports with the outcome `answer`, judged `verdict`.
::testing::AssertionResult HasOutcome(const std::string& chat, const std::string& answer,
                                      Verdict verdict) {
  auto s = ParseTranscript(chat, "chat.json");
  if (!s.ok()) return ::testing::AssertionFailure() << s.status().ToString();
  const auto* outcome = s->events.empty() ? nullptr : s->events.back().As<Outcome>();
  if (outcome == nullptr) return ::testing::AssertionFailure() << "no outcome last";
  if (outcome->result.text != answer || outcome->verdict != verdict)
    return ::testing::AssertionFailure() << "the outcome is \"" << outcome->result.text << "\", "
                                         << (outcome->verdict == Verdict::kSuccess   ? "success"
                                             : outcome->verdict == Verdict::kFailure ? "failure"
                                                                                     : "unknown")
                                         << " (" << outcome->detail << ")";
  return ::testing::AssertionSuccess();
}

// The answer states the ground truth when the truth's letters and digits run from the start
// of one of the answer's words to the end of one: not inside a longer word or number.
TEST(TranscriptImportTest, TheGroundTruthMustBeStatedAsWordsNotFoundInsideOne) {
  struct Case {
    std::string answer, truth;
    Verdict verdict;
  };
  for (const Case& c : std::vector<Case>{{"Renzo Gracie Jiu Jitsu, Wall Street",
                                          "Renzo Gracie Jiu-Jitsu Wall Street", Verdict::kSuccess},
                                         {"about 1,010,000 dollars", "1010000", Verdict::kSuccess},
                                         {"The data is from 2022.", "22", Verdict::kFailure},
                                         {"Fredrick gave it.", "Fred", Verdict::kFailure},
                                         {"It was Fred.", "Fred", Verdict::kSuccess},
                                         {"a 2-6-0 locomotive", "60", Verdict::kFailure},
                                         {"error code 6", "16", Verdict::kFailure}}) {
    EXPECT_TRUE(HasOutcome(R"({"ground_truth": ")" + c.truth + R"(", "messages": [
      {"name": "user_proxy", "role": "user", "content": "Which?"},
      {"name": "analyst", "role": "assistant", "content": ")" +
                               c.answer + R"("}]})",
                           c.answer, c.verdict))
        << c.truth;
  }
}

// A chat that ends on a failed run ended without an answer there: the answer is what was
// said before it, not the error (whose exit code could read as any number).
TEST(TranscriptImportTest, AFailedRunsOutputIsNotTheAnswer) {
  EXPECT_TRUE(HasOutcome(R"({"ground_truth": "6", "messages": [
    {"name": "user_proxy", "role": "user", "content": "How many stops?"},
    {"name": "analyst", "role": "assistant", "content": "I count 4 stops."},
    {"name": "executor", "role": "user", "content": "exitcode: 6 (execution failed)\nCode output: curl: (6) Could not resolve host"}]})",
                         "I count 4 stops.", Verdict::kFailure));
}

// The answer after a FINAL ANSWER marker is the line it starts: Magentic-One's runner prints
// its own log lines after it, which are not the answer's words.
TEST(TranscriptImportTest, TheFinalAnswerIsTheLineAfterTheMarker) {
  EXPECT_TRUE(HasOutcome(R"m1({"ground_truth": "Holabird", "history": [
    {"role": "human", "content": "Which firm designed it?"},
    {"role": "Orchestrator (final answer)", "content": "Done.\nFINAL ANSWER:\n  Skidmore  \nSCENARIO.PY COMPLETE !#!#\nRUN.SH COMPLETE !#!#"}]})m1",
                         "Skidmore", Verdict::kFailure));
}

// The OpenAI Agents SDK's history (Python's to_input_list(); JavaScript's result.history says
// callId and function_call_result) names no speaker: a transfer_to_<agent> call hands the
// items after it to that agent, until a message names its speaker.
TEST(TranscriptImportTest, AgentsSdkHistoryFollowsTransfersToNameItsAgents) {
  auto s = ParseTranscript(R"([
    {"role": "user", "content": "Cancel order 7."},
    {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "transfer_to_orders_agent", "arguments": "{}"},
    {"type": "function_call_output", "call_id": "call_1", "output": "{\"assistant\": \"Orders Agent\"}"},
    {"type": "function_call", "id": "fc_2", "call_id": "call_2", "name": "cancel", "arguments": "{\"order\": 7}"},
    {"type": "function_call_result", "callId": "call_2", "name": "cancel", "output": {"type": "text", "text": "cancelled"}},
    {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Order 7 is cancelled."}]},
    {"role": "assistant", "name": "auditor", "content": "Logged."},
    {"role": "assistant", "content": "Anything else?"}])",
                           "history.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::vector<std::string> speakers;
  const ToolCall* cancel = nullptr;
  for (const Event& e : s->events) {
    if (const auto* m = e.As<MessageSend>(); m && m->intent != "handoff")
      speakers.push_back(e.agent + ": " + m->payload.text);
    if (const auto* t = e.As<ToolCall>(); t && t->tool == "cancel") {
      cancel = t;
      EXPECT_EQ(e.agent, "orders_agent");
    }
  }
  EXPECT_THAT(speakers,
              ::testing::ElementsAre("user: Cancel order 7.", "orders_agent: Order 7 is cancelled.",
                                     "auditor: Logged.", "assistant: Anything else?"));
  ASSERT_NE(cancel, nullptr);
  EXPECT_EQ(cancel->arguments.text, "{\"order\": 7}");
  EXPECT_EQ(cancel->result.text, "cancelled");
}

// A transcript shows what each agent said: an agent's message is its output, scored like a
// recorded model's, so a refusal handed on is a low-quality handoff.
TEST(TranscriptImportTest, AnAgentsMessageIsItsOutputAndIsScored) {
  auto s = ParseTranscript(R"([
    {"name": "user_proxy", "role": "user", "content": "Assess ACME's risks."},
    {"name": "researcher", "role": "assistant", "content": "I'm sorry, but I can't help with that request."},
    {"name": "writer", "role": "assistant", "content": "Report: ACME faces supply risk."}])",
                           "chat.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Trace trace = Trace::FromEvents(s->header, s->events);
  Analysis analysis = Analyze(trace, Policy{}, ScorerSet::Defaults());
  Explanation why = Explain(trace, analysis);
  ASSERT_TRUE(why.root.has_value()) << why.paragraph;
  EXPECT_EQ(why.root->kind, FindingKind::kLowQuality);
  EXPECT_EQ(why.root->from, "researcher");
  EXPECT_EQ(why.root->to, "writer");
}

// The GoogleTest face works on an imported transcript as on a recording: a regression test
// can be written on a kept chat.
TEST(TranscriptImportTest, TheGoogleTestFaceWorksOnATranscript) {
  const std::string chat = R"([
    {"name": "user_proxy", "role": "user", "content": "Assess ACME's risks."},
    {"name": "researcher", "role": "assistant", "content": "%s"},
    {"name": "writer", "role": "assistant", "content": "Report: ACME faces supply risk."}])";
  auto Import = [&](const std::string& research) {
    std::string doc = chat;
    doc.replace(doc.find("%s"), 2, research);
    auto s = ParseTranscript(doc, "chat.json");
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return Trace::FromEvents(s->header, s->events);
  };
  Trace good = Import("Supply risk: one supplier makes 60% of ACME's parts.");
  EXPECT_TRACE_PASSES(good, Policy{});
  EXPECT_THAT(Handoffs(good), ::testing::Each(HandoffQualityAtLeast(0.7)));

  Trace refused = Import("I'm sorry, but I can't help with that request.");
  ::testing::AssertionResult passes = TracePasses("refused", "policy", refused, Policy{});
  EXPECT_FALSE(passes);
  EXPECT_THAT(passes.message(), HasSubstr("writer <- researcher"));
  EXPECT_THAT(Handoffs(refused), ::testing::Contains(::testing::Not(HandoffQualityAtLeast(0.7))));
}

TEST(TranscriptImportTest, MalformedTranscriptsSayWhatWasExpectedWhere) {
  struct Case {
    std::string json, message;
  };
  for (const Case& c : std::vector<Case>{
           {"{\"history\": [", "t.json"},
           {"{\"question\": \"q\"}", "expected key 'history' (Who&When) or 'messages'"},
           {"{\"history\": {}}", "'history' must be a list of messages"},
           {"{\"history\": [{\"role\": \"a\", \"content\": \"x\"}, 7]}",
            "t.json: history[1]: expected an object"},
           {"[{\"role\": \"a\"}]", "messages[0]: expected key 'content'"},
           {"[{\"content\": \"x\"}]", "messages[0]: expected key 'role' or 'name'"},
           {"[{\"role\": \"assistant\", \"content\": \"x\", \"source\": 3}]",
            "messages[0].source: expected a string"},
           {"[{\"role\": 5, \"content\": \"x\"}]", "messages[0].role: expected a string"},
           {"[]", "the transcript has no messages"},
           {"\"just a string\"", "expected an object or a list of messages"},
       }) {
    auto s = ParseTranscript(c.json, "t.json");
    ASSERT_FALSE(s.ok()) << c.json;
    EXPECT_THAT(s.status().message(), HasSubstr(c.message)) << c.json;
  }
}

TEST(TranscriptImportTest, TheCliImportsAndTheUsualVerbsWork) {
  std::string dir = testing::FreshTempDir("transcript_import");
  std::string in = WhoAndWhenFiles().front();
  testing::RunResult r = testing::RunCommand(std::string(BATON_BIN) + " import transcript " + in +
                                             " -o " + dir + "/t.baton");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Who&When / Magentic-One"));
  testing::RunResult why = testing::RunCommand(std::string(BATON_BIN) + " why " + dir + "/t.baton");
  EXPECT_EQ(why.exit_code, 1) << why.err;  // A failure log: the outcome did not match.
  EXPECT_THAT(why.out, HasSubstr("ground truth"));
  testing::RunResult check =
      testing::RunCommand(std::string(BATON_BIN) + " check " + dir + "/t.baton --policy " +
                          BATON_SOURCE_DIR + "/examples/policy.json");
  EXPECT_EQ(check.exit_code, 1) << check.err;
  EXPECT_THAT(check.out, HasSubstr("FAIL"));
  testing::RunResult inspect =
      testing::RunCommand(std::string(BATON_BIN) + " inspect " + dir + "/t.baton");
  EXPECT_EQ(inspect.exit_code, 0) << inspect.err;
  EXPECT_THAT(inspect.out, HasSubstr("Orchestrator"));
  testing::RunResult bad = testing::RunCommand(std::string(BATON_BIN) + " import transcript " +
                                               dir + "/t.baton -o " + dir + "/u.baton");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("baton import transcript: " + dir + "/t.baton"));
}

}  // namespace
}  // namespace baton
