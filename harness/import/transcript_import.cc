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
#include "recorder/recorder.h"

namespace baton::transcript {
namespace {

constexpr int64_t kNanosPerStep = 1'000'000'000;  // Virtual time: one second per entry.
constexpr std::string_view kOrchestratorPrefix = "Orchestrator (";
constexpr std::string_view kHandoffMarker = "(-> ";

struct Entry {
  size_t index = 0;
  std::string role;  // As written.
  std::string agent;
  std::string content;
  enum class Kind { kUser, kThought, kHandoff, kTermination, kExecution, kMessage };
  Kind kind = Kind::kMessage;
  std::string handoff_to;       // kHandoff.
  std::string execution_error;  // kExecution: the exception line or failed exit, or "".
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

// A code execution report: AutoGen's "exitcode: N (...)" or a traceback from an agent
// that runs code. Returns the error ("" for a clean run).
std::optional<std::string> ExecutionReport(std::string_view content, std::string_view agent) {
  std::string head = AsciiLower(content.substr(0, 16));
  bool exitcode = head.rfind("exitcode:", 0) == 0;
  size_t traceback = content.find("Traceback (most recent call last)");
  std::string a = AsciiLower(agent);
  bool executor = a.find("terminal") != std::string::npos ||
                  a.find("executor") != std::string::npos ||
                  a.find("execution") != std::string::npos;
  if (!exitcode && !executor) return std::nullopt;
  if (traceback != std::string_view::npos) {
    // The exception line: the last non-empty line of the traceback.
    std::string_view rest = content.substr(traceback);
    std::string_view trimmed = TrimmedRight(rest);
    size_t line = trimmed.rfind('\n');
    return std::string(line == std::string_view::npos ? trimmed : trimmed.substr(line + 1));
  }
  if (exitcode) {
    size_t p = 9;
    while (p < content.size() && content[p] == ' ') ++p;
    if (p < content.size() && content[p] != '0')
      return std::string(content.substr(0, content.find('\n')));
  }
  return std::string();
}

Result<std::string> StringField(capnp::JsonValue::Reader v, const std::string& where) {
  if (v.isString()) return std::string(v.getString());
  if (v.isNull()) return std::string();
  return Status::InvalidArgument(where + ": expected a string");
}

Result<std::vector<Entry>> ReadEntries(capnp::JsonValue::Reader list, const std::string& where,
                                       const std::string& key) {
  if (!list.isArray())
    return Status::InvalidArgument(where + ": '" + key + "' must be a list of messages");
  std::vector<Entry> entries;
  size_t index = 0;
  for (auto item : list.getArray()) {
    std::string at = where + ": " + key + "[" + std::to_string(index) + "]";
    if (!item.isObject())
      return Status::InvalidArgument(at +
                                     ": expected an object with 'content' and 'role' or "
                                     "'name'");
    Entry e;
    e.index = index;
    bool has_content = false;
    std::string name;
    for (auto f : item.getObject()) {
      std::string_view k(f.getName().cStr(), f.getName().size());
      if (k == "role") {
        auto s = StringField(f.getValue(), at + ".role");
        if (!s.ok()) return s.status();
        e.role = *s;
      } else if (k == "name") {
        auto s = StringField(f.getValue(), at + ".name");
        if (!s.ok()) return s.status();
        name = *s;
      } else if (k == "content") {
        has_content = true;
        if (f.getValue().isString() || f.getValue().isNull()) {
          e.content = f.getValue().isString() ? std::string(f.getValue().getString()) : "";
        } else {
          e.content = JsonText(f.getValue());  // Structured content (tool calls): kept as JSON.
        }
      }
    }
    if (!has_content) return Status::InvalidArgument(at + ": expected key 'content'");
    if (e.role.empty() && name.empty())
      return Status::InvalidArgument(at + ": expected key 'role' or 'name'");
    e.agent = name.empty() ? e.role : name;
    const std::string& label = name.empty() ? e.role : name;
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
    } else if (IsUserRole(e.agent)) {
      e.kind = Entry::Kind::kUser;
      e.agent = "user";
    } else if (IsTerminationOnly(e.content)) {
      e.kind = Entry::Kind::kTermination;  // The decision to stop, not a message.
    } else if (auto report = ExecutionReport(e.content, e.agent)) {
      e.kind = Entry::Kind::kExecution;
      e.execution_error = std::move(*report);
    } else {
      e.kind = Entry::Kind::kMessage;
    }
    entries.push_back(std::move(e));
    ++index;
  }
  return entries;
}

// Letters and digits only, lower case: "Renzo Gracie Jiu-Jitsu" matches "renzo gracie
// jiu jitsu wall street".
std::string Normalized(std::string_view s) {
  std::string out;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c)))
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

std::string FinalAnswer(const std::string& content) {
  for (std::string_view marker : {"FINAL ANSWER:", "Final Answer:", "final answer:"}) {
    size_t at = content.rfind(marker);
    if (at != std::string::npos) {
      std::string answer = content.substr(at + marker.size());
      size_t start = answer.find_first_not_of(" \n\t");
      return start == std::string::npos ? "" : answer.substr(start);
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
  session.header.agents = agents;
  session.header.metadata = {
      {"source", "transcript"},
      {"shape", session.shape == Shape::kWhoAndWhen ? "who-and-when" : "group-chat"}};
  std::vector<std::string> workers;  // Routing candidates: every agent but user and router.
  for (const std::string& a : agents)
    if (a != "user" && a != "Orchestrator") workers.push_back(a);

  SessionBuilder b(session);
  std::string first_worker_or_router =
      orchestrated ? "Orchestrator" : (workers.empty() ? "all" : workers.front());
  // The last message sent to each agent: the code an executor ran.
  std::map<std::string, std::string> last_sent_to;
  std::string last_speaker;
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
    // Who a plain message goes to: the orchestrator that routed it, else the next speaker.
    auto receiver = [&]() -> std::string {
      if (orchestrated) return e.agent == "Orchestrator" ? "all" : "Orchestrator";
      for (size_t j = i + 1; j < entries.size(); ++j)
        if (entries[j].agent != e.agent) return entries[j].agent;
      return "all";
    };
    auto send = [&](const std::string& to, const std::string& intent) {
      uint64_t sent =
          b.Add(e.agent, e.index, MessageSend{step_id, to, intent, {e.content}, {}}, span);
      if (to != "all") b.Add(to, e.index, MessageDelivery{step_id, e.agent}, sent);
      last_sent_to[to] = e.content;
    };
    switch (e.kind) {
      case Entry::Kind::kUser:
        send(i == 0 ? first_worker_or_router : receiver(), i == 0 ? "task" : "user message");
        break;
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
        send(e.handoff_to, "instruction");
        break;
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
        // The report goes back to whoever asked for the run.
        send(orchestrated ? "Orchestrator" : (last_speaker.empty() ? "all" : last_speaker),
             "execution result");
        break;
      }
      case Entry::Kind::kMessage:
        send(receiver(), "reply");
        break;
    }
    if (e.agent != last_speaker) last_speaker = e.agent;
  }
  // The outcome: the last entry's answer (before an AutoGen TERMINATE; the entry before a
  // message that only says TERMINATE), judged against the ground truth when there is one.
  const Entry& last = entries.back();
  size_t answer_at = entries.size() - 1;
  while (answer_at > 0 && IsTerminationOnly(entries[answer_at].content)) --answer_at;
  const Entry& answerer = entries[answer_at];
  b.NextStep();
  Outcome outcome;
  outcome.result.text = FinalAnswer(std::string(WithoutTermination(answerer.content)));
  if (has_ground_truth) {
    std::string want = Normalized(ground_truth), got = Normalized(outcome.result.text);
    bool matches = !want.empty() && got.find(want) != std::string::npos;
    outcome.verdict = matches ? Verdict::kSuccess : Verdict::kFailure;
    outcome.detail = matches ? "the final answer contains the ground truth"
                             : "the final answer does not contain the ground truth \"" +
                                   ground_truth.substr(0, 200) + "\"";
  }
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
