#include "assertions/root_cause.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

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

bool Touches(const Finding& f, const std::unordered_set<uint64_t>& events) {
  if (events.count(f.at_seq)) return true;
  for (uint64_t s : f.evidence)
    if (events.count(s)) return true;
  return false;
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
    if (Touches(f, upstream) || (worst && &f == worst)) ex.chain.push_back(f);
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
  ex.paragraph = p;
  for (const Finding& f : ex.chain)
    ex.evidence.insert(ex.evidence.end(), f.evidence.begin(), f.evidence.end());
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
  if (root) {
    w.BeginObject();
    w.Key("kind").String(FindingKindName(root->kind));
    w.Key("from").String(root->from);
    w.Key("to").String(root->to);
    w.Key("sentence").String(root->sentence);
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
