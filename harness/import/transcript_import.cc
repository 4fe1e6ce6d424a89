#include "harness/import/transcript_import.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <map>
#include <memory>
#include <optional>

#include "base/ascii.h"
#include "base/file_io.h"
#include "base/json_parse.h"
#include "harness/handoff_tool.h"
#include "recorder/recorder.h"

namespace baton::transcript {
namespace {

constexpr int64_t kNanosPerStep = 1'000'000'000;  // Virtual time: one second per entry.
constexpr std::string_view kOrchestratorPrefix = "Orchestrator (";
constexpr std::string_view kHandoffMarker = "(-> ";

// A tool call an agent asked for (OpenAI tool_calls, AutoGen's FunctionCall), and its
// result (a role "tool" message, AutoGen's FunctionExecutionResult).
struct ToolRequest {
  std::string id;
  std::string name;
  std::string arguments;
};
struct ToolOutput {
  std::string call_id;
  std::string name;
  std::string content;
  bool is_error = false;
};

struct Entry {
  size_t index = 0;
  std::string role;  // As written.
  std::string agent;
  std::string content;
  // kToolRequest: tool calls asked for (with any text said beside them); kToolResults: their
  // results; kNote: an agent's internal event that is neither a message nor an answer
  // (AutoGen's thoughts, streaming chunks, memory queries).
  enum class Kind {
    kUser,
    kInstructions,
    kThought,
    kHandoff,
    kTermination,
    kExecution,
    kMessage,
    kToolRequest,
    kToolResults,
    kNote
  };
  Kind kind = Kind::kMessage;
  std::string handoff_to;                      // kHandoff.
  std::string handoff_intent = "instruction";  // kHandoff: Magentic-One's orchestrator instructs.
  std::string execution_error;      // kExecution: the exception line or failed exit, or "".
  std::vector<ToolRequest> calls;   // kToolRequest.
  std::vector<ToolOutput> results;  // kToolResults.
  bool answers = true;  // False for what cannot be a final answer (a stop signal, a tool run).
};

// AutoGen and AG2 agents end a chat by saying TERMINATE, at the end of their last message
// or as a message of its own: their default is_termination_msg is "the content, trailing
// space removed, ends with TERMINATE". The word is a signal, not part of the answer.
constexpr std::string_view kTerminate = "TERMINATE";

std::string_view TrimmedRight(std::string_view s) {
  size_t end = s.find_last_not_of(" \t\r\n");
  return end == std::string_view::npos ? std::string_view() : s.substr(0, end + 1);
}

// The content without a closing TERMINATE (and the space before it).
std::string_view WithoutTermination(std::string_view content) {
  std::string_view s = TrimmedRight(content);
  if (!s.ends_with(kTerminate)) return content;
  return TrimmedRight(s.substr(0, s.size() - kTerminate.size()));
}

// A message that says nothing but TERMINATE.
bool IsTerminationOnly(std::string_view content) {
  return TrimmedRight(content).ends_with(kTerminate) && WithoutTermination(content).empty();
}

bool IsUserRole(std::string_view role) {
  std::string r = AsciiLower(role);
  return r == "human" || r == "user";
}

// The error in the output of a code run: the exception line of a traceback, or the first
// line of AutoGen's "exitcode: N (...)" when N is not 0; "" for a clean run.
std::string ExecutionError(std::string_view content) {
  if (size_t traceback = content.rfind("Traceback (most recent call last)");
      traceback != std::string_view::npos) {
    // The exception line: the first line after the last traceback's header that is not
    // indented (its frames and their source lines are). Output printed after the exception
    // (a program's own prints, flushed late) is not the error.
    std::string_view rest = content.substr(traceback);
    for (size_t at = rest.find('\n'); at != std::string_view::npos; at = rest.find('\n', at)) {
      std::string_view line = rest.substr(at + 1);
      line = line.substr(0, line.find('\n'));
      at += 1;
      if (TrimmedRight(line).empty() || line.front() == ' ' || line.front() == '\t') continue;
      return std::string(TrimmedRight(line));
    }
    return std::string(TrimmedRight(rest.substr(0, rest.find('\n'))));
  }
  if (AsciiLower(content.substr(0, 16)).rfind("exitcode:", 0) == 0) {
    size_t p = 9;
    while (p < content.size() && content[p] == ' ') ++p;
    if (p < content.size() && content[p] != '0')
      return std::string(content.substr(0, content.find('\n')));
  }
  return std::string();
}

// A code execution report: AutoGen's "exitcode: N (...)" or a traceback from an agent
// that runs code. Returns the error ("" for a clean run).
std::optional<std::string> ExecutionReport(std::string_view content, std::string_view agent) {
  bool exitcode = AsciiLower(content.substr(0, 16)).rfind("exitcode:", 0) == 0;
  std::string a = AsciiLower(agent);
  bool executor = a.find("terminal") != std::string::npos ||
                  a.find("executor") != std::string::npos ||
                  a.find("execution") != std::string::npos;
  if (!exitcode && !executor) return std::nullopt;
  return ExecutionError(content);
}

Result<std::string> StringField(capnp::JsonValue::Reader v, const std::string& where) {
  if (v.isString()) return std::string(v.getString());
  if (v.isNull()) return std::string();
  return Status::InvalidArgument(where + ": expected a string");
}

std::optional<capnp::JsonValue::Reader> Member(capnp::JsonValue::Reader obj, std::string_view key) {
  if (!obj.isObject()) return std::nullopt;
  for (auto f : obj.getObject())
    if (std::string_view(f.getName().cStr(), f.getName().size()) == key) return f.getValue();
  return std::nullopt;
}

// A value as text: a string as is, null as "", anything else as its JSON.
std::string TextOf(capnp::JsonValue::Reader v) {
  if (v.isString()) return std::string(v.getString());
  if (v.isNull()) return std::string();
  return JsonText(v);
}

// The text of the first of `keys` that `obj` has, or "".
std::string FirstText(capnp::JsonValue::Reader obj, std::initializer_list<std::string_view> keys) {
  for (std::string_view k : keys)
    if (auto v = Member(obj, k); v && !v->isNull()) return TextOf(*v);
  return std::string();
}

// {id, name, arguments} (AutoGen's FunctionCall, a Responses function_call item) or {id,
// function: {name, arguments}} (OpenAI chat tool_calls), or {id, name, args} (LangChain).
ToolRequest ToolRequestOf(capnp::JsonValue::Reader c) {
  ToolRequest r;
  // A Responses item's `id` is the item's; the call's own id, which its output names, is
  // call_id (callId in the JavaScript SDK's history).
  r.id = FirstText(c, {"call_id", "callId", "id"});
  auto fn = Member(c, "function");
  capnp::JsonValue::Reader named = fn && fn->isObject() ? *fn : c;
  r.name = FirstText(named, {"name"});
  r.arguments = FirstText(named, {"arguments", "args", "input"});
  return r;
}

// The AgentChat event and message types (autogen_agentchat.messages, the `type` of each
// message of a TaskResult) that are not messages to another agent.
Entry::Kind AgentChatKind(std::string_view type) {
  if (type == "ToolCallRequestEvent") return Entry::Kind::kToolRequest;
  if (type == "ToolCallExecutionEvent") return Entry::Kind::kToolResults;
  if (type == "HandoffMessage") return Entry::Kind::kHandoff;
  if (type == "StopMessage") return Entry::Kind::kTermination;
  if (type == "ThoughtEvent" || type == "ModelClientStreamingChunkEvent" ||
      type == "MemoryQueryEvent" || type == "UserInputRequestedEvent" ||
      type == "CodeGenerationEvent" || type == "SelectorEvent")
    return Entry::Kind::kNote;
  return Entry::Kind::kMessage;
}

// LangChain's message types (BaseMessage.type, and the chunk classes' own), as roles: a
// LangGraph state's messages are LangChain messages, dumped with model_dump(), as
// messages_to_dict's {"type", "data"}, or as dumpd's {"lc": 1, "kwargs": {...}}.
std::string_view LangChainRole(std::string_view type) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {"human", "human"},
      {"ai", "ai"},
      {"system", "system"},
      {"tool", "tool"},
      {"function", "function"},
      {"HumanMessageChunk", "human"},
      {"AIMessageChunk", "ai"},
      {"SystemMessageChunk", "system"},
      {"ToolMessageChunk", "tool"},
      {"FunctionMessageChunk", "function"},
      // dumpd names the class instead.
      {"HumanMessage", "human"},
      {"AIMessage", "ai"},
      {"SystemMessage", "system"},
      {"ToolMessage", "tool"},
      {"FunctionMessage", "function"}};
  for (const auto& [name, role] : kTypes)
    if (type == name) return role;
  return {};
}

// The message inside LangChain's serialized forms: messages_to_dict's {"type": "ai",
// "data": {...}} and dumpd's {"lc": 1, "type": "constructor", "id": [..., "AIMessage"],
// "kwargs": {...}}; `type` is set to the message's type. Anything else is read as is.
capnp::JsonValue::Reader LangChainMessage(capnp::JsonValue::Reader item, std::string& type) {
  auto kwargs = Member(item, "kwargs");
  auto id = Member(item, "id");
  if (Member(item, "lc") && kwargs && kwargs->isObject() && id && id->isArray() &&
      id->getArray().size() > 0) {
    auto cls = id->getArray()[id->getArray().size() - 1];
    if (cls.isString() && !LangChainRole(cls.getString().cStr()).empty()) {
      type = std::string(LangChainRole(cls.getString().cStr()));
      return *kwargs;
    }
  }
  auto data = Member(item, "data");
  auto outer = Member(item, "type");
  if (data && data->isObject() && outer && outer->isString() && !Member(item, "content") &&
      !LangChainRole(outer->getString().cStr()).empty()) {
    type = std::string(LangChainRole(outer->getString().cStr()));
    return *data;
  }
  return item;
}

// A message's content as text. A list of content parts (OpenAI's and Anthropic's {"type":
// "text", "text"}, the Responses API's output_text, LangChain's blocks, AgentChat's
// multimodal strings) is the text of its text parts, one per line; other content (or parts
// with no text at all) is kept as its JSON.
std::string ContentText(capnp::JsonValue::Reader content) {
  if (!content.isArray()) return TextOf(content);
  std::string text;
  bool parts = true;
  for (auto part : content.getArray()) {
    std::optional<capnp::JsonValue::Reader> t;
    if (part.isString()) {
      t = part;
    } else if (auto type = Member(part, "type"); type && type->isString()) {
      t = Member(part, "text");
    } else {
      parts = false;
      break;
    }
    if (t && t->isString()) {
      if (!text.empty()) text += '\n';
      text += t->getString().cStr();
    }
  }
  return parts && !text.empty() ? text : TextOf(content);
}

// A tool's output: a string, the text of {"type": "text", "text"} (the Agents SDK's), or
// content parts; anything else as its JSON.
std::string OutputText(capnp::JsonValue::Reader output) {
  if (auto text = Member(output, "text"); text && text->isString()) return text->getString();
  return ContentText(output);
}

Result<std::vector<Entry>> ReadEntries(capnp::JsonValue::Reader list, const std::string& where,
                                       const std::string& key) {
  if (!list.isArray())
    return Status::InvalidArgument(where + ": '" + key + "' must be a list of messages");
  std::vector<Entry> entries;
  // Who asked for each tool call: a tool's result belongs to that agent.
  std::map<std::string, std::string> requester_of;
  std::string last_agent;  // The last speaker that is not the user.
  // The agent a transfer_to_<agent> call handed the conversation to, until a speaker names
  // itself: the OpenAI Agents SDK's history does not name who said what, but every handoff
  // is such a call, so the items after it are the new agent's.
  std::string handed_to;
  size_t index = 0;
  for (auto listed : list.getArray()) {
    std::string at = where + ": " + key + "[" + std::to_string(index) + "]";
    std::string langchain_type;
    capnp::JsonValue::Reader item = LangChainMessage(listed, langchain_type);
    if (!item.isObject())
      return Status::InvalidArgument(at +
                                     ": expected an object with 'content' and 'role' or "
                                     "'name'");
    Entry e;
    e.index = index;
    bool has_content = false;
    // The speaker: `name` (AG2, OpenAI), `sender` (Swarm), `source` (AutoGen AgentChat),
    // else `role`.
    std::string name, sender, source, type, tool_call_id;
    std::optional<capnp::JsonValue::Reader> content, tool_calls, result;
    for (auto f : item.getObject()) {
      std::string_view k(f.getName().cStr(), f.getName().size());
      auto text = [&](std::string& into) -> Status {
        auto s = StringField(f.getValue(), at + "." + std::string(k));
        if (!s.ok()) return s.status();
        into = *s;
        return Status::Ok();
      };
      Status st = Status::Ok();
      if (k == "role") st = text(e.role);
      if (k == "name") st = text(name);
      if (k == "sender") st = text(sender);
      if (k == "source") st = text(source);
      if (k == "type") st = text(type);
      if (k == "tool_call_id" || k == "call_id" || k == "callId") st = text(tool_call_id);
      if (k == "target") st = text(e.handoff_to);
      if (!st.ok()) return st;
      if (k == "content") {
        has_content = true;
        content = f.getValue();
      }
      if (k == "tool_calls") tool_calls = f.getValue();
      if (k == "result" || k == "output") result = f.getValue();
    }
    if (e.role.empty()) {
      // A LangChain message says what it is in `type` (or its wrapper does), not in `role`.
      if (langchain_type.empty()) langchain_type = LangChainRole(type);
      e.role = langchain_type;
    }
    // Older LangChain AI messages keep the provider's tool calls in additional_kwargs.
    if (!tool_calls || !tool_calls->isArray() || tool_calls->getArray().size() == 0)
      if (auto extra = Member(item, "additional_kwargs"))
        if (auto calls = Member(*extra, "tool_calls"); calls && calls->isArray())
          tool_calls = *calls;
    const bool tool_role = AsciiLower(e.role) == "tool" || AsciiLower(e.role) == "function";
    // What an OpenAI Responses item or an AutoGen event carries instead of content.
    const bool responses_call = type == "function_call";
    // (The JavaScript SDK's history calls the output a function_call_result.)
    const bool responses_output = type == "function_call_output" || type == "function_call_result";
    if (!has_content && !responses_call && !responses_output && !tool_calls &&
        !(type == "CodeExecutionEvent" && result))
      return Status::InvalidArgument(at + ": expected key 'content'");
    if (content) e.content = ContentText(*content);
    const bool named = !sender.empty() || !source.empty() ||
                       (!name.empty() && !tool_role && !responses_call && !responses_output);
    if (named) handed_to.clear();
    std::string label = !name.empty()                                             ? name
                        : !sender.empty()                                         ? sender
                        : !source.empty()                                         ? source
                        : !handed_to.empty() && AsciiLower(e.role) == "assistant" ? handed_to
                                                                                  : e.role;
    if (tool_role || responses_output) {
      // A tool's result: the agent that asked for the call ran it.
      auto it = requester_of.find(tool_call_id);
      label = it != requester_of.end() ? it->second : !last_agent.empty() ? last_agent : label;
    } else if (responses_call) {
      // Its `name` is the function's; the item has no speaker.
      label = !handed_to.empty() ? handed_to : !last_agent.empty() ? last_agent : "assistant";
    }
    if (label.empty())
      return Status::InvalidArgument(at + ": expected key 'role' or 'name' (or 'source')");
    e.agent = label;
    if (label.rfind(kOrchestratorPrefix, 0) == 0) {
      e.agent = "Orchestrator";
      if (size_t h = label.find(kHandoffMarker); h != std::string::npos) {
        e.kind = Entry::Kind::kHandoff;
        e.handoff_to = label.substr(h + kHandoffMarker.size());
        if (!e.handoff_to.empty() && e.handoff_to.back() == ')') e.handoff_to.pop_back();
      } else if (AsciiLower(label).find("termination") != std::string::npos) {
        e.kind = Entry::Kind::kTermination;
      } else {
        e.kind = Entry::Kind::kThought;
      }
    } else if (const Entry::Kind agent_chat = AgentChatKind(type);
               agent_chat != Entry::Kind::kMessage) {
      e.kind = agent_chat;
      if (e.kind == Entry::Kind::kToolRequest && content && content->isArray())
        for (auto c : content->getArray()) e.calls.push_back(ToolRequestOf(c));
      if (e.kind == Entry::Kind::kToolResults && content && content->isArray())
        for (auto r : content->getArray()) {
          ToolOutput out;
          out.call_id = FirstText(r, {"call_id", "id"});
          out.name = FirstText(r, {"name"});
          out.content = FirstText(r, {"content", "output"});
          auto err = Member(r, "is_error");
          out.is_error = err && err->isBoolean() && err->getBoolean();
          e.results.push_back(std::move(out));
        }
      if (e.kind == Entry::Kind::kHandoff) e.handoff_intent = "handoff";
      if (e.kind == Entry::Kind::kTermination) e.answers = false;  // The stop condition's note.
    } else if (AsciiLower(e.role) == "system" || AsciiLower(e.role) == "developer") {
      // The instructions an agent runs under: said to it, not part of the conversation's
      // work, and never the answer.
      e.kind = Entry::Kind::kInstructions;
      e.answers = false;
    } else if (IsUserRole(e.agent)) {
      e.kind = Entry::Kind::kUser;
      e.agent = "user";
    } else if (tool_role || responses_output) {
      e.kind = Entry::Kind::kToolResults;
      ToolOutput out;
      out.call_id = tool_call_id;
      out.name = FirstText(item, {"tool_name", "name"});
      out.content = responses_output && result ? OutputText(*result) : e.content;
      // A LangChain ToolMessage whose tool raised says so in its status.
      auto status = Member(item, "status");
      out.is_error = status && status->isString() && status->getString() == "error";
      e.results.push_back(std::move(out));
    } else if (responses_call) {
      e.kind = Entry::Kind::kToolRequest;
      e.calls.push_back(ToolRequestOf(item));
    } else if (tool_calls && tool_calls->isArray() && tool_calls->getArray().size() > 0) {
      e.kind = Entry::Kind::kToolRequest;  // OpenAI chat: the text said beside them is kept.
      for (auto c : tool_calls->getArray()) e.calls.push_back(ToolRequestOf(c));
    } else if (type == "CodeExecutionEvent" && result) {
      // AgentChat's code executor: {result: {exit_code, output}}.
      e.kind = Entry::Kind::kExecution;
      e.content = FirstText(*result, {"output"});
      auto code = Member(*result, "exit_code");
      const bool failed = code && code->isNumber() && code->getNumber() != 0;
      e.execution_error = ExecutionError(e.content);
      if (e.execution_error.empty() && failed)
        e.execution_error = "exit code " + FirstText(*result, {"exit_code"});
    } else if (IsTerminationOnly(e.content)) {
      e.kind = Entry::Kind::kTermination;  // The decision to stop, not a message.
    } else if (auto report = ExecutionReport(e.content, e.agent)) {
      e.kind = Entry::Kind::kExecution;
      e.execution_error = std::move(*report);
    } else {
      e.kind = Entry::Kind::kMessage;
    }
    // A failed run's output is an error, not an answer.
    if (e.kind == Entry::Kind::kToolRequest || e.kind == Entry::Kind::kToolResults ||
        e.kind == Entry::Kind::kNote ||
        (e.kind == Entry::Kind::kExecution && !e.execution_error.empty()))
      e.answers = false;
    for (const ToolRequest& c : e.calls) {
      requester_of[c.id] = e.agent;
      if (auto to = HandoffToolTarget(c.name, c.arguments)) handed_to = std::move(*to);
    }
    if (e.agent != "user") last_agent = e.agent;
    entries.push_back(std::move(e));
    ++index;
  }
  return entries;
}

// Letters and digits only, lower case: the handoff "billing_agent" names "Billing Agent".
std::string Normalized(std::string_view s) {
  std::string out;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c)))
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

// The words of `text`, lower case: runs of letters and digits, a number's thousands groups
// ("1,010,000") kept together as one.
std::vector<std::string> AnswerWords(std::string_view text) {
  std::vector<std::string> words;
  auto digit = [&](size_t i) {
    return i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]));
  };
  size_t i = 0;
  while (i < text.size()) {
    if (!std::isalnum(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    std::string w;
    while (i < text.size() && std::isalnum(static_cast<unsigned char>(text[i]))) {
      w.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(text[i]))));
      ++i;
      const bool number =
          std::all_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (number && i < text.size() && text[i] == ',' && digit(i + 1) && digit(i + 2) &&
          digit(i + 3) && !digit(i + 4))
        ++i;  // A thousands separator: the number goes on.
    }
    words.push_back(std::move(w));
  }
  return words;
}

// Whether `answer` states `truth`: truth's words occur in answer's, in order and together.
// "Jiu Jitsu" states "Jiu-Jitsu" and "1,010,000" states "1010000"; "in 2022" does not state
// "22", nor "Fredrick" "Fred", nor "2-6-0" "60".
bool States(std::string_view answer, std::string_view truth) {
  const std::vector<std::string> want = AnswerWords(truth), got = AnswerWords(answer);
  if (want.empty()) return false;
  return std::search(got.begin(), got.end(), want.begin(), want.end()) != got.end();
}

// The answer a message gives: after its last "FINAL ANSWER:" marker (GAIA's answer
// template, which Magentic-One prints), the line it starts; else the whole message. What
// follows that line is not the answer (Magentic-One's runner prints its own log lines
// after it).
std::string FinalAnswer(const std::string& content) {
  for (std::string_view marker : {"FINAL ANSWER:", "Final Answer:", "final answer:"}) {
    size_t at = content.rfind(marker);
    if (at != std::string::npos) {
      std::string_view answer = std::string_view(content).substr(at + marker.size());
      size_t start = answer.find_first_not_of(" \r\n\t");
      if (start == std::string_view::npos) return "";
      answer = answer.substr(start);
      return std::string(TrimmedRight(answer.substr(0, answer.find('\n'))));
    }
  }
  return content;
}

class SessionBuilder {
 public:
  explicit SessionBuilder(ImportedSession& out) : out_(out) {}

  uint64_t Add(const std::string& agent, size_t step, EventBody body, uint64_t cause) {
    Event e;
    e.seq = out_.events.size() + 1;
    e.mono_ns = static_cast<int64_t>(step) * kNanosPerStep +
                static_cast<int64_t>(sub_++);  // Ordered within a step.
    e.wall_ns = out_.header.start_wall_ns + e.mono_ns;
    e.agent = agent;
    e.cause = cause;
    e.body = std::move(body);
    out_.events.push_back(std::move(e));
    return out_.events.back().seq;
  }
  void NextStep() { sub_ = 0; }

 private:
  ImportedSession& out_;
  int sub_ = 0;
};

}  // namespace

Result<ImportedSession> ParseTranscript(std::string_view json, const std::string& where) {
  auto doc = JsonDocument::Parse(json, where);
  if (!doc.ok()) return doc.status();
  capnp::JsonValue::Reader root = doc->root();
  ImportedSession session;
  std::vector<Entry> entries;
  std::string question, ground_truth;
  bool has_ground_truth = false;
  if (root.isArray()) {
    auto e = ReadEntries(root, where, "messages");
    if (!e.ok()) return e.status();
    entries = std::move(e).value();
  } else if (root.isObject()) {
    std::optional<capnp::JsonValue::Reader> history, messages;
    for (auto f : root.getObject()) {
      std::string_view k(f.getName().cStr(), f.getName().size());
      // Only these keys are read; a labelled dataset's answer key is never looked at.
      if (k == "history") history = f.getValue();
      if (k == "messages") messages = f.getValue();
      if (k == "question" && f.getValue().isString()) question = f.getValue().getString();
      if (k == "ground_truth") {
        has_ground_truth = true;
        ground_truth = f.getValue().isString() ? std::string(f.getValue().getString())
                                               : JsonText(f.getValue());
      }
    }
    if (history.has_value()) {
      session.shape = Shape::kWhoAndWhen;
      auto e = ReadEntries(*history, where, "history");
      if (!e.ok()) return e.status();
      entries = std::move(e).value();
    } else if (messages.has_value()) {
      auto e = ReadEntries(*messages, where, "messages");
      if (!e.ok()) return e.status();
      entries = std::move(e).value();
    } else {
      return Status::InvalidArgument(
          where +
          ": expected key 'history' (Who&When) or 'messages' (AutoGen/AG2) holding a "
          "list of messages, or a top-level list of messages");
    }
  } else {
    return Status::InvalidArgument(where +
                                   ": expected an object or a list of messages at the top level");
  }
  if (entries.empty()) return Status::InvalidArgument(where + ": the transcript has no messages");
  bool orchestrated = std::any_of(entries.begin(), entries.end(),
                                  [](const Entry& e) { return e.agent == "Orchestrator"; });
  if (orchestrated) session.shape = Shape::kWhoAndWhen;

  session.entries = entries.size();
  session.header.session_id = where;
  session.header.writer = "baton import transcript";
  std::vector<std::string> agents;
  for (const Entry& e : entries)
    if (std::find(agents.begin(), agents.end(), e.agent) == agents.end()) agents.push_back(e.agent);
  // AG2's CaptainAgent logs open with an agent's message that quotes the question inside its
  // manager's plan and code: the file's question is the task the user set, and that first
  // message is the agent's own work, to be judged like any other step.
  auto opening = std::find_if(entries.begin(), entries.end(),
                              [](const Entry& e) { return e.kind != Entry::Kind::kInstructions; });
  const bool user_sets_question =
      !question.empty() && opening != entries.end() && opening->kind != Entry::Kind::kUser;
  if (user_sets_question && std::find(agents.begin(), agents.end(), "user") == agents.end())
    agents.insert(agents.begin(), "user");
  session.header.agents = agents;
  session.header.metadata = {
      {"source", "transcript"},
      {"shape", session.shape == Shape::kWhoAndWhen ? "who-and-when" : "group-chat"}};
  std::vector<std::string> workers;  // Routing candidates: every agent but user and router.
  for (const std::string& a : agents)
    if (a != "user" && a != "Orchestrator" &&
        std::any_of(entries.begin(), entries.end(), [&](const Entry& e) {
          return e.agent == a && e.kind != Entry::Kind::kInstructions;
        }))
      workers.push_back(a);

  SessionBuilder b(session);
  std::string first_worker_or_router =
      orchestrated ? "Orchestrator" : (workers.empty() ? "all" : workers.front());
  // The last message sent to each agent: the code an executor ran.
  std::map<std::string, std::string> last_sent_to;
  // Tool calls asked for and not yet answered, by call id: who asked, and the call.
  std::map<std::string, std::pair<std::string, ToolRequest>> requested;
  const bool explicit_handoffs = std::any_of(entries.begin(), entries.end(), [](const Entry& e) {
    return e.kind == Entry::Kind::kHandoff;
  });
  // An agent as a handoff names it: "billing_agent" is the agent "Billing Agent".
  auto AgentNamed = [&](const std::string& named) {
    std::string key = Normalized(named);
    for (const std::string& a : agents)
      if (Normalized(a) == key) return a;
    return named;
  };
  // Messages delivered to each agent and not yet acted on, with their sends. A transcript
  // shows an agent acting on what it received by speaking next: its next entry processes
  // them. What an agent never acted on stays unprocessed, as the analyses should see it.
  std::map<std::string, std::vector<std::pair<std::string, uint64_t>>> unprocessed;
  // A message sent at `step` (caused by `cause`), and delivered unless it is for "all".
  auto post = [&](const std::string& from, const std::string& to, size_t step,
                  const std::string& id, const std::string& intent, const std::string& payload,
                  uint64_t cause) {
    uint64_t sent = b.Add(from, step, MessageSend{id, to, intent, {payload}, {}}, cause);
    if (to == "all") return;
    b.Add(to, step, MessageDelivery{id, from}, sent);
    unprocessed[to].emplace_back(id, sent);
  };
  // Who set the task: a chat's last word, said to no one in particular, is the answer to it.
  std::string asker = opening != entries.end() ? opening->agent : std::string();
  if (user_sets_question) asker = "user";
  bool task_set = user_sets_question;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    b.NextStep();
    std::string step_id = "step-" + std::to_string(e.index);
    uint64_t span = b.Add(e.agent, e.index,
                          SpanStart{step_id,
                                    "",
                                    e.role.empty() ? e.agent : e.role,
                                    {{"step", std::to_string(e.index)}, {"role", e.role}}},
                          0);
    // The question, at the step that quotes it: what the opening agent was asked.
    if (user_sets_question && i == static_cast<size_t>(opening - entries.begin())) {
      post("user", e.agent, e.index, "task", "task", question, span);
    }
    // Speaking is acting on what the agent was sent.
    for (const auto& [id, sent] : unprocessed[e.agent])
      b.Add(e.agent, e.index, MessageProcessed{id}, sent);
    unprocessed[e.agent].clear();
    // Who a plain message goes to: the orchestrator that routed it, else the next speaker,
    // else (the chat's last word) whoever set the task, else (the last word is the task
    // setter's own) whoever spoke before it.
    auto receiver = [&]() -> std::string {
      if (orchestrated && e.agent != "Orchestrator") return "Orchestrator";
      for (size_t j = i + 1; j < entries.size(); ++j)
        if (entries[j].agent != e.agent) return entries[j].agent;
      if (!asker.empty() && asker != e.agent) return asker;
      for (size_t j = i; j-- > 0;)
        if (entries[j].agent != e.agent && entries[j].kind != Entry::Kind::kInstructions)
          return entries[j].agent;
      return "all";  // A chat of one speaker.
    };
    auto send = [&](const std::string& to, const std::string& intent) {
      post(e.agent, to, e.index, step_id, intent, e.content, span);
      last_sent_to[to] = e.content;
    };
    switch (e.kind) {
      case Entry::Kind::kUser:
        // The user's first message is the task, whatever instructions came before it.
        if (task_set) {
          send(receiver(), "user message");
        } else {
          send(first_worker_or_router, "task");
          task_set = true;
        }
        break;
      case Entry::Kind::kInstructions: {
        // For the next agent to speak (a system prompt is followed by the user's task);
        // with none after them, they were given to no one the transcript shows.
        for (size_t j = i + 1; j < entries.size(); ++j)
          if (entries[j].kind != Entry::Kind::kUser &&
              entries[j].kind != Entry::Kind::kInstructions) {
            send(entries[j].agent, "instructions");
            break;
          }
        break;
      }
      case Entry::Kind::kThought: {
        // Routing reasoning: the agent the orchestrator hands to next, if it does.
        std::string chosen;
        for (size_t j = i + 1; j < entries.size(); ++j) {
          if (entries[j].agent != "Orchestrator") break;
          if (entries[j].kind == Entry::Kind::kHandoff) {
            chosen = entries[j].handoff_to;
            break;
          }
        }
        b.Add(e.agent, e.index, RoutingDecision{chosen, workers, {e.content}}, span);
        break;
      }
      case Entry::Kind::kHandoff:
        send(AgentNamed(e.handoff_to), e.handoff_intent);
        break;
      case Entry::Kind::kToolRequest:
        // Text said beside the calls is a message; the calls are remembered for their results.
        if (!e.content.empty() && e.content.front() != '[' && e.content.front() != '{')
          send(receiver(), "reply");
        for (const ToolRequest& c : e.calls) {
          requested[c.id] = {e.agent, c};
          // A transfer tool (OpenAI Swarm and Agents SDK: transfer_to_<agent>) is the
          // handoff when no message of the transcript says it (AgentChat's HandoffMessage).
          if (const auto to = HandoffToolTarget(c.name, c.arguments); !explicit_handoffs && to)
            post(e.agent, AgentNamed(*to), e.index, c.id.empty() ? step_id : c.id, "handoff",
                 c.arguments, span);
        }
        break;
      case Entry::Kind::kToolResults:
        for (const ToolOutput& r : e.results) {
          ToolCall call;
          call.call_id = r.call_id.empty() ? step_id : r.call_id;
          call.tool = r.name;
          if (auto it = requested.find(r.call_id); it != requested.end()) {
            if (call.tool.empty()) call.tool = it->second.second.name;
            call.arguments.text = it->second.second.arguments;
            requested.erase(it);
          }
          call.result.text = r.content;
          // Flagged by the framework (AgentChat's is_error), else a traceback in the output.
          std::string error =
              r.is_error ? std::string(TrimmedRight(r.content.substr(0, r.content.find('\n'))))
                         : ExecutionError(r.content);
          if (r.is_error && error.empty()) error = "error";
          if (!error.empty()) {
            call.error = std::move(error);
            call.error_code = CallErrorCode::kFailedPrecondition;
          }
          b.Add(e.agent, e.index, std::move(call), span);
        }
        break;
      case Entry::Kind::kNote:
        break;  // The step's span says it happened; it tells no one anything.
      case Entry::Kind::kTermination:
        b.Add(e.agent, e.index, RoutingDecision{"", workers, {e.content}}, span);
        break;
      case Entry::Kind::kExecution: {
        ToolCall call;
        call.call_id = step_id;
        call.tool = "code_execution";
        call.arguments.text = last_sent_to[e.agent];
        call.result.text = e.content;
        if (!e.execution_error.empty()) {
          call.error = e.execution_error;
          call.error_code = CallErrorCode::kFailedPrecondition;
        }
        b.Add(e.agent, e.index, std::move(call), span);
        // The report goes to whoever acts on it next: in a group chat every agent reads it,
        // and the one who speaks next (most often the one who asked for the run) goes on.
        send(receiver(), "execution result");
        break;
      }
      case Entry::Kind::kMessage:
        send(receiver(), "reply");
        break;
    }
  }
  // The outcome: the last entry's answer (before an AutoGen TERMINATE; the entry before a
  // message that only says TERMINATE), judged against the ground truth when there is one.
  const Entry& last = entries.back();
  size_t answer_at = entries.size() - 1;
  while (answer_at > 0 &&
         (IsTerminationOnly(entries[answer_at].content) || !entries[answer_at].answers))
    --answer_at;
  const Entry& answerer = entries[answer_at];
  b.NextStep();
  Outcome outcome;
  outcome.result.text = FinalAnswer(std::string(WithoutTermination(answerer.content)));
  if (has_ground_truth) {
    const bool matches = States(outcome.result.text, ground_truth);
    outcome.verdict = matches ? Verdict::kSuccess : Verdict::kFailure;
    outcome.detail = matches ? "the final answer states the ground truth"
                             : "the final answer does not state the ground truth \"" +
                                   ground_truth.substr(0, 200) + "\"";
  }
  // Whoever set the task received its answer: the session's outcome is that answer.
  for (const auto& [id, sent] : unprocessed[asker])
    b.Add(asker, last.index + 1, MessageProcessed{id}, sent);
  b.Add(answerer.agent, last.index + 1, std::move(outcome), 0);
  if (!question.empty()) session.header.metadata.push_back({"question", question.substr(0, 2000)});
  return session;
}

Result<ImportedSession> ImportTranscriptFile(const std::string& in, const std::string& out,
                                             Env* env) {
  std::unique_ptr<Env> owned;
  if (env == nullptr) {
    owned = NewPosixEnv();
    env = owned.get();
  }
  constexpr uint64_t kMaxTranscriptBytes = 1ull << 30;
  Result<std::string> text = ReadFileToString(*env, in, kMaxTranscriptBytes);
  if (!text.ok()) return text.status();
  Result<ImportedSession> session = ParseTranscript(*text, in);
  if (!session.ok()) return session.status();
  RecorderOptions o;
  o.env = env;
  auto rec = Recorder::Create(out, session->header, o);
  if (!rec.ok()) return rec.status();
  for (const Event& e : session->events) (*rec)->RecordWithTimes(e);
  BATON_RETURN_IF_ERROR((*rec)->Close());
  return session;
}

}  // namespace baton::transcript
