#include "assertions/root_cause.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "assertions/scorers.h"
#include "base/json_writer.h"

namespace baton {
namespace {

// Which kind is worse when there is no failed outcome to start from.
int Severity(FindingKind k) {
  switch (k) {
    case FindingKind::kLowQuality:
      return 9;
    case FindingKind::kMisunderstood:
      return 8;
    case FindingKind::kStaleContext:
      return 7;
    case FindingKind::kLoop:
      return 6;
    case FindingKind::kUnprocessed:
      return 5;
    case FindingKind::kUndelivered:
      return 5;
    case FindingKind::kUncheckedConsumption:
      return 4;
    case FindingKind::kHiddenLatency:
      return 3;
    case FindingKind::kContextTooOld:
      return 2;
  }
  return 0;
}

// Every event `start` depends on: causes, the sends behind deliveries, the writes behind
// reads, and the deliveries whose payload flowed into a model call or message.
std::unordered_set<uint64_t> Ancestors(const Trace& trace, const Analysis& a, uint64_t start) {
  std::unordered_multimap<uint64_t, uint64_t> flow;  // use seq -> delivery seq
  for (const Handoff& h : a.handoffs)
    if (h.use && h.delivery) flow.emplace(h.use->seq, h.delivery->seq);
  std::unordered_map<uint64_t, uint64_t> read_write;
  for (const ContextReadInfo& r : a.reads)
    if (r.write) read_write[r.read->seq] = r.write->seq;

  std::unordered_set<uint64_t> seen;
  std::vector<uint64_t> todo = {start};
  while (!todo.empty()) {
    uint64_t s = todo.back();
    todo.pop_back();
    if (s == 0 || !seen.insert(s).second) continue;
    const Event* e = trace.BySeq(s);
    if (e == nullptr) continue;
    if (e->cause != 0 && e->cause < e->seq) todo.push_back(e->cause);
    if (auto* d = e->As<MessageDelivery>()) {
      const Trace::MessageEvents* m = trace.Message(d->message_id);
      if (m && m->send) todo.push_back(m->send->seq);
    }
    auto [lo, hi] = flow.equal_range(s);
    for (auto it = lo; it != hi; ++it) todo.push_back(it->second);
    if (auto it = read_write.find(s); it != read_write.end()) todo.push_back(it->second);
    // An agent's earlier events in the same handling led to this one as well.
    if (const Event* in = IncomingDelivery(trace, *e)) todo.push_back(in->seq);
  }
  return seen;
}

// An output used without a check that was good (its quality known and passing) broke the
// policy but caused nothing downstream: it is no link in the chain of what went wrong (a
// question an agent's model wrote for another, used as it was asked).
bool HarmlessUncheckedUse(const Finding& f, const Analysis& a) {
  if (f.kind != FindingKind::kUncheckedConsumption || f.evidence.empty()) return false;
  for (const Handoff& h : a.handoffs)
    if (h.send != nullptr && h.send->seq == f.evidence.front())
      return h.quality.has_value() && *h.quality >= h.threshold;
  return false;
}

bool Touches(const Finding& f, const std::unordered_set<uint64_t>& events) {
  if (events.count(f.at_seq)) return true;
  for (uint64_t s : f.evidence)
    if (events.count(s)) return true;
  return false;
}

// The text an event carries onward: what a content-flow question asks about.
const Content* CarriedText(const Event& e) {
  if (const auto* m = e.As<MessageSend>()) return &m->payload;
  if (const auto* t = e.As<ToolCall>()) return &t->result;
  if (const auto* c = e.As<ModelCall>()) return &c->response.content;
  return nullptr;
}

std::optional<Attribution> Attribute(const Trace& trace, const Analysis& analysis,
                                     const Explanation& ex) {
  const std::vector<Event>& events = trace.events();
  bool has_steps = false;
  for (const Event& e : events)
    if (e.As<SpanStart>() != nullptr && SourceStep(events, e.seq).has_value()) {
      has_steps = true;
      break;
    }
  if (!has_steps || analysis.passed()) return std::nullopt;
  // The failed outcome when there is one; else the session failed on findings alone.
  const Event* failed = analysis.failed_outcome;
  const uint64_t end = failed ? failed->seq : UINT64_MAX;
  auto text_of = [&](const Content& c) -> std::string {
    auto t = trace.Text(c);
    return t.ok() ? *t : std::string();
  };
  auto make = [&](const Event& e, std::string reason, std::vector<uint64_t> evidence) {
    Attribution a;
    a.agent = e.agent;
    a.seq = e.seq;
    a.step = SourceStep(events, e.seq);
    a.reason = std::move(reason);
    if (failed) evidence.push_back(failed->seq);
    std::sort(evidence.begin(), evidence.end());
    evidence.erase(std::unique(evidence.begin(), evidence.end()), evidence.end());
    a.evidence = std::move(evidence);
    return a;
  };
  auto step_words = [&](const Event& e) {
    auto step = SourceStep(events, e.seq);
    // Appended, not "literal" + std::string: GCC 12 warns falsely (-Wrestrict) on the latter.
    std::string words = step ? "step " : "#";
    words += std::to_string(step ? *step : e.seq);
    return words;
  };
  // A tool call that runs what it was sent (a code executor runs the code in the last
  // message to it): that message's sender authored what the call did. A call an agent made
  // with its own arguments (a tool it asked for) has no other author: nullptr.
  auto sender_of = [&](const Event& call) -> const Event* {
    const Event* sender = nullptr;
    for (const Event& m : events) {
      if (m.seq >= call.seq) break;
      if (const auto* send = m.As<MessageSend>(); send && send->to == call.agent) sender = &m;
    }
    if (sender == nullptr ||
        text_of(sender->As<MessageSend>()->payload) != text_of(call.As<ToolCall>()->arguments))
      return nullptr;
    return sender;
  };

  // 1. The first failed run: the agent that sent the code is charged (a tool call an agent
  // made itself, that agent). A failed run is direct evidence, so it comes before the
  // circumstantial content flow below.
  for (const Event& e : events) {
    const auto* run = e.As<ToolCall>();
    if (run == nullptr || run->error.empty() || e.seq >= end) continue;
    if (const Event* sender = sender_of(e))
      return make(*sender,
                  "the first failed code execution (" + run->error + ") at " + step_words(e) +
                      " ran code sent by " + sender->agent + " at " + step_words(*sender),
                  {sender->seq, e.seq});
    return make(e,
                "the first failed tool call (" + run->error + ") at " + step_words(e) + " was " +
                    e.agent + "'s own call of " + (run->tool.empty() ? "a tool" : run->tool),
                {e.seq});
  }
  // 2. Content flow: the answer's own words (those the task did not already contain) rest
  // on what the events before it said. Each word is charged to the first event that carried
  // it; the event that introduced the most of them is where the answer came from (the
  // earlier one on a tie). A step that merely repeats or confirms an earlier one introduces
  // nothing, so a verifier restating the answer is not charged for it.
  // The task: the message sent with the intent "task", else the first message (a system
  // prompt may come before the user's task).
  const Event* task_event = nullptr;
  for (const Event& e : events)
    if (const auto* m = e.As<MessageSend>();
        m != nullptr && (task_event == nullptr || m->intent == "task")) {
      task_event = &e;
      if (m->intent == "task") break;
    }
  const std::string task =
      task_event ? text_of(task_event->As<MessageSend>()->payload) : std::string();
  std::unordered_set<std::string> task_words;
  const std::vector<std::string> task_sequence = Words(task);
  for (const std::string& w : task_sequence) task_words.insert(w);
  // A message that quotes the whole task sets the task out again (a group chat's opening
  // brief: the task with a manager's plan and constraints): its words are the task's too.
  std::unordered_set<const Event*> restatements;
  if (task_sequence.size() >= 3)
    for (const Event& e : events) {
      if (e.seq >= end) break;
      const Content* c = CarriedText(e);
      if (c == nullptr || &e == task_event) continue;
      std::vector<std::string> words = Words(text_of(*c));
      if (std::search(words.begin(), words.end(), task_sequence.begin(), task_sequence.end()) ==
          words.end())
        continue;
      restatements.insert(&e);
      for (std::string& w : words) task_words.insert(std::move(w));
    }
  std::unordered_set<std::string> answer;  // Empty without a failed answer to trace.
  if (failed)
    for (std::string& w : Words(text_of(failed->As<Outcome>()->result)))
      if (!task_words.count(w)) answer.insert(std::move(w));
  // The message that gave the answer is where it was stated, not where it came from.
  const Event* answered = nullptr;
  for (const Event& e : events)
    if (e.seq < end && CarriedText(e) != nullptr) answered = &e;
  if (!answer.empty()) {
    std::unordered_set<std::string> introduced;
    const Event* origin = nullptr;
    size_t origin_words = 0;
    for (const Event& e : events) {
      if (e.seq >= end || &e == answered) break;
      const Content* c = CarriedText(e);
      if (c == nullptr) continue;
      if (&e == task_event || restatements.count(&e)) continue;  // The task itself.
      size_t fresh = 0;
      for (std::string& w : Words(text_of(*c)))
        if (answer.count(w) && introduced.insert(std::move(w)).second) ++fresh;
      if (fresh > origin_words) {
        origin = &e;
        origin_words = fresh;
      }
    }
    if (origin != nullptr) {
      const Event& e = *origin;
      std::string where =
          "more of the failed answer's new words first appeared at " + step_words(e) + ", in " +
          e.agent + "'s " + std::string(KindName(e.kind())) + ", than anywhere else (" +
          std::to_string(origin_words) + " of its " + std::to_string(answer.size()) + ")";
      // A tool's output is the work of whoever sent it what to run (a code executor
      // prints what the code computed), as for a failed run above.
      if (e.As<ToolCall>() != nullptr)
        if (const Event* sender = sender_of(e))
          return make(*sender,
                      where + ", from what " + sender->agent + " sent at " + step_words(*sender),
                      {sender->seq, e.seq});
      return make(e, where, {e.seq});
    }
  }
  // 3. The root finding: the agent that handed over what went wrong.
  if (ex.root) {
    if (const Event* at = trace.BySeq(ex.root->at_seq)) {
      const Event* blamed = at;
      for (uint64_t s : ex.root->evidence)
        if (const Event* ev = trace.BySeq(s); ev && ev->agent == ex.root->from) {
          blamed = ev;
          break;
        }
      return make(*blamed,
                  "the root finding (" + std::string(FindingKindPhrase(ex.root->kind)) +
                      ") starts with " + blamed->agent + " at " + step_words(*blamed),
                  ex.root->evidence);
    }
  }
  // 4. Nothing upstream explains it: the agent that gave the answer.
  if (answered == nullptr && failed == nullptr) return std::nullopt;
  const Event& answerer = answered ? *answered : *failed;
  return make(
      answerer,
      "no evidence upstream; " + answerer.agent + " gave the answer at " + step_words(answerer),
      {answerer.seq});
}

}  // namespace

Explanation Explain(const Trace& trace, const Analysis& analysis) {
  Explanation ex;
  ex.passed = analysis.passed();
  if (ex.passed) {
    ex.paragraph = "No anomaly: " + std::to_string(analysis.handoffs.size()) + " handoffs and " +
                   std::to_string(analysis.reads.size()) + " context reads, all within the policy.";
    return ex;
  }
  // Where to start: the failed outcome, else the worst finding (the latest among equals).
  uint64_t start = 0;
  const Finding* worst = nullptr;
  if (analysis.failed_outcome) {
    start = analysis.failed_outcome->seq;
  } else {
    for (const Finding& f : analysis.findings)
      if (worst == nullptr || Severity(f.kind) >= Severity(worst->kind)) worst = &f;
    start = worst->at_seq;
  }
  std::unordered_set<uint64_t> upstream = Ancestors(trace, analysis, start);
  for (const Finding& f : analysis.findings)
    if ((Touches(f, upstream) && !HarmlessUncheckedUse(f, analysis)) || (worst && &f == worst))
      ex.chain.push_back(f);
  std::stable_sort(ex.chain.begin(), ex.chain.end(),
                   [](const Finding& a, const Finding& b) { return a.at_seq < b.at_seq; });
  if (!ex.chain.empty()) ex.root = ex.chain.front();

  std::string p;
  if (ex.root) {
    // The root first, then what followed from it (a few), then the verdict sentence.
    p = ex.root->sentence;
    size_t shown = 0;
    for (size_t i = 1; i < ex.chain.size() && shown < 3; ++i, ++shown)
      p += " " + ex.chain[i].sentence;
    if (ex.chain.size() > 4)
      p += " (" + std::to_string(ex.chain.size() - 4) + " more findings downstream.)";
    if (analysis.failed_outcome) {
      const Outcome* o = analysis.failed_outcome->As<Outcome>();
      p += " The outcome failed at " + RelativeTime(analysis.failed_outcome->mono_ns) +
           (o->detail.empty() ? "" : " (" + o->detail + ")") + ".";
    }
    p += " Root cause: " + std::string(FindingKindPhrase(ex.root->kind)) +
         (ex.root->from == ex.root->to
              ? " in " + ex.root->to
              : " at the boundary " + ex.root->to + " <- " + ex.root->from) +
         ".";
  } else {
    const Outcome* o = analysis.failed_outcome->As<Outcome>();
    p = "The outcome failed at " + RelativeTime(analysis.failed_outcome->mono_ns) +
        (o->detail.empty() ? "" : " (" + o->detail + ")") +
        "; no handoff anomaly upstream explains it.";
  }
  ex.attribution = Attribute(trace, analysis, ex);
  if (ex.attribution) {
    p = "The failure began" +
        (ex.attribution->step ? " at step " + std::to_string(*ex.attribution->step) : "") + ": " +
        ex.attribution->agent + " (" + ex.attribution->reason + "). " + p;
  }
  ex.paragraph = p;
  for (const Finding& f : ex.chain)
    ex.evidence.insert(ex.evidence.end(), f.evidence.begin(), f.evidence.end());
  if (ex.attribution)
    ex.evidence.insert(ex.evidence.end(), ex.attribution->evidence.begin(),
                       ex.attribution->evidence.end());
  if (analysis.failed_outcome) ex.evidence.push_back(analysis.failed_outcome->seq);
  std::sort(ex.evidence.begin(), ex.evidence.end());
  ex.evidence.erase(std::unique(ex.evidence.begin(), ex.evidence.end()), ex.evidence.end());
  return ex;
}

std::string Explanation::ToJson(const Analysis& analysis) const {
  JsonWriter w;
  w.BeginObject();
  w.Key("verdict").String(passed ? "pass" : "fail");
  w.Key("root_cause");
  auto attribution_fields = [&] {
    if (!attribution) return;
    w.Key("agent").String(attribution->agent);
    w.Key("step");
    if (attribution->step)
      w.Int(*attribution->step);
    else
      w.Null();
    w.Key("attribution").String(attribution->reason);
  };
  if (root) {
    w.BeginObject();
    w.Key("kind").String(FindingKindName(root->kind));
    w.Key("from").String(root->from);
    w.Key("to").String(root->to);
    w.Key("sentence").String(root->sentence);
    attribution_fields();
    w.EndObject();
  } else if (attribution) {
    // No finding, but the failure is attributed: the outcome is the root cause's kind.
    w.BeginObject();
    w.Key("kind").String("failed_outcome");
    w.Key("from").String(attribution->agent);
    w.Key("to").String(attribution->agent);
    w.Key("sentence").String(paragraph);
    attribution_fields();
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("findings").BeginArray();
  for (const Finding& f : analysis.findings) {
    w.BeginObject();
    w.Key("kind").String(FindingKindName(f.kind));
    w.Key("from").String(f.from);
    w.Key("to").String(f.to);
    w.Key("at").Uint(f.at_seq);
    w.Key("value").Double(f.value);
    w.Key("limit").Double(f.limit);
    w.Key("evidence").BeginArray();
    for (uint64_t s : f.evidence) w.Uint(s);
    w.EndArray();
    w.Key("sentence").String(f.sentence);
    w.EndObject();
  }
  w.EndArray();
  w.Key("failed_outcome");
  if (analysis.failed_outcome) {
    w.Uint(analysis.failed_outcome->seq);
  } else {
    w.Null();
  }
  w.Key("paragraph").String(paragraph);
  w.Key("evidence").BeginArray();
  for (uint64_t s : evidence) w.Uint(s);
  w.EndArray();
  w.EndObject();
  return w.Take();
}

}  // namespace baton
