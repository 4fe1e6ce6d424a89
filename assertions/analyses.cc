#include "assertions/analyses.h"

#include <algorithm>
#include <map>
#include <set>

namespace baton {
namespace {

std::string Quoted(const std::string& s, size_t max = 60) {
  std::string flat;
  for (char c : s.substr(0, max)) flat += (c == '\n' || c == '\r') ? ' ' : c;
  return "\"" + flat + (s.size() > max ? "..." : "") + "\"";
}

}  // namespace

std::vector<Finding> FindStaleContext(const Trace& trace, const std::vector<ContextReadInfo>& reads,
                                      const Policy& policy) {
  std::vector<Finding> out;
  const int64_t max_stale = policy.max_staleness_ms * 1'000'000;
  std::set<std::pair<std::string, std::string>> reported;  // (agent, key) read stale.
  for (const ContextReadInfo& r : reads) {
    const std::string& agent = r.read->agent;
    std::string from = r.incoming ? r.incoming->As<MessageDelivery>()->from : agent;
    if (r.superseded_by != nullptr && r.staleness_ns > max_stale) {
      Finding f;
      f.kind = FindingKind::kStaleContext;
      f.from = from;
      f.to = agent;
      f.at_seq = r.read->seq;
      if (r.incoming) f.evidence.push_back(r.incoming->seq);
      if (r.write) f.evidence.push_back(r.write->seq);
      f.evidence.push_back(r.superseded_by->seq);
      f.evidence.push_back(r.read->seq);
      std::sort(f.evidence.begin(), f.evidence.end());
      f.value = r.staleness_ns / 1e9;
      f.limit = policy.max_staleness_ms / 1e3;
      uint64_t newer = r.superseded_by->As<ContextWrite>()->version;
      f.sentence = (r.incoming ? agent + " received " + from + "'s message at " +
                                     RelativeTime(r.incoming->mono_ns) + " but used "
                               : agent + " used ") +
                   r.key + " v" + std::to_string(r.version) + ", superseded by v" +
                   std::to_string(newer) + " " + Duration(r.staleness_ns) + " earlier.";
      out.push_back(std::move(f));
      reported.insert({agent, r.key});
    }
    auto age = policy.max_age_ms_by_key.find(r.key);
    if (age != policy.max_age_ms_by_key.end() && r.write && r.age_ns > age->second * 1'000'000) {
      Finding f;
      f.kind = FindingKind::kContextTooOld;
      f.from = from;
      f.to = agent;
      f.at_seq = r.read->seq;
      f.evidence = {r.write->seq, r.read->seq};
      f.value = r.age_ns / 1e9;
      f.limit = age->second / 1e3;
      f.sentence = agent + " used " + r.key + " v" + std::to_string(r.version) + " written " +
                   Duration(r.age_ns) + " before, older than the " +
                   Duration(age->second * 1'000'000) + " allowed.";
      out.push_back(std::move(f));
    }
  }
  // Messages carry the context they were built on: check it where the receiver takes it.
  for (const std::string& id : trace.message_ids()) {
    const Trace::MessageEvents* m = trace.Message(id);
    if (!m->send || !m->delivery) continue;
    const MessageSend* send = m->send->As<MessageSend>();
    for (const ContextRef& ref : send->context_versions) {
      if (reported.count({m->delivery->agent, ref.key})) continue;
      const Event* built = trace.ContextWriteOf(ref.key, ref.version);
      const Event* newer = trace.SupersedingWrite(ref.key, ref.version, m->delivery->seq);
      if (newer == nullptr) continue;
      int64_t staleness = m->delivery->mono_ns - newer->mono_ns;
      if (staleness <= max_stale) continue;
      Finding f;
      f.kind = FindingKind::kStaleContext;
      f.from = m->send->agent;
      f.to = m->delivery->agent;
      f.at_seq = m->delivery->seq;
      if (built) f.evidence.push_back(built->seq);
      f.evidence.push_back(newer->seq);
      f.evidence.push_back(m->send->seq);
      f.evidence.push_back(m->delivery->seq);
      std::sort(f.evidence.begin(), f.evidence.end());
      f.value = staleness / 1e9;
      f.limit = policy.max_staleness_ms / 1e3;
      f.sentence = f.to + " processed " + f.from + "'s message at " +
                   RelativeTime(m->delivery->mono_ns) + " built on " + ref.key + " v" +
                   std::to_string(ref.version) +
                   (built ? " from " + RelativeTime(built->mono_ns) : std::string()) +
                   ", superseded by v" + std::to_string(newer->As<ContextWrite>()->version) + " " +
                   Duration(staleness) + " earlier.";
      out.push_back(std::move(f));
    }
  }
  return out;
}

std::vector<Finding> FindLowQuality(const std::vector<Handoff>& handoffs) {
  std::vector<Finding> out;
  for (const Handoff& h : handoffs) {
    if (!h.quality || *h.quality >= h.threshold) continue;
    // An output its receiver judged and did not pass on was rejected, not consumed.
    bool rejected = h.score != nullptr && h.score->agent == h.to && !h.forwarded;
    if (rejected) continue;
    Finding f;
    f.kind = FindingKind::kLowQuality;
    f.from = h.from;
    f.to = h.to;
    f.at_seq = h.score ? h.score->seq : h.send->seq;
    f.evidence = {h.send->seq};
    if (h.score) f.evidence.push_back(h.score->seq);
    if (h.use) f.evidence.push_back(h.use->seq);
    std::sort(f.evidence.begin(), f.evidence.end());
    f.value = *h.quality;
    f.limit = h.threshold;
    f.sentence = h.from + "'s output to " + h.to + " scored " + Fixed2(*h.quality) +
                 " (threshold " + Fixed2(h.threshold) + ", by " + h.quality_by + ")" +
                 (h.quality_rationale.empty() ? "" : ": " + h.quality_rationale) + ".";
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> FindMisunderstood(const std::vector<Handoff>& handoffs, const Policy& policy) {
  std::vector<Finding> out;
  if (policy.understanding == Requirement::kOff) return out;
  for (const Handoff& h : handoffs) {
    if (!h.understood.has_value() || *h.understood) continue;
    const auto* in = h.interpretation->As<MessageInterpretation>();
    Finding f;
    f.kind = FindingKind::kMisunderstood;
    f.from = h.from;
    f.to = h.to;
    f.at_seq = h.interpretation->seq;
    f.evidence = {h.send->seq, h.interpretation->seq};
    if (h.delivery) f.evidence.insert(f.evidence.begin() + 1, h.delivery->seq);
    f.sentence =
        h.to + " understood " + h.from + "'s message " + h.message_id + " as " +
        Quoted(in->understood_intent) + " but it asked for " + Quoted(h.intent) +
        (in->summary.text.empty() ? "" : " (" + h.to + ": " + Quoted(in->summary.text, 80) + ")") +
        ".";
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> FindUncheckedConsumption(const std::vector<Handoff>& handoffs,
                                              const Policy& policy) {
  std::vector<Finding> out;
  if (policy.checks == Requirement::kOff) return out;
  for (const Handoff& h : handoffs) {
    if (!h.is_output || h.use == nullptr || h.checked() ||
        h.checks_recorded == Trace::Checks::kNotRecorded)
      continue;
    Finding f;
    f.kind = FindingKind::kUncheckedConsumption;
    f.from = h.from;
    f.to = h.to;
    f.at_seq = h.use->seq;
    f.evidence = {h.send->seq, h.delivery->seq, h.use->seq};
    f.sentence = h.to + " used " + h.from + "'s output (" + h.message_id + ") in its next " +
                 (h.use->kind() == EventKind::kModelCall ? "model call" : "message") + " at " +
                 RelativeTime(h.use->mono_ns) + " without a check.";
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> FindLoops(const std::vector<Handoff>& handoffs, const Policy& policy) {
  // Per unordered pair: the messages each way, in order.
  std::map<std::pair<std::string, std::string>, std::vector<const Handoff*>> ab;
  for (const Handoff& h : handoffs) {
    if (h.from == h.to) continue;
    auto key = h.from < h.to ? std::make_pair(h.from, h.to) : std::make_pair(h.to, h.from);
    ab[key].push_back(&h);
  }
  std::vector<Finding> out;
  for (const auto& [pair, msgs] : ab) {
    // A round trip: a message one way answered by one back.
    int trips = 0;
    std::string last_from;
    for (const Handoff* h : msgs) {
      if (!last_from.empty() && h->from != last_from) ++trips;
      last_from = h->from;
    }
    trips = (trips + 1) / 2;
    int bound = policy.MaxLoops(pair.first, pair.second);
    if (trips <= bound) continue;
    Finding f;
    f.kind = FindingKind::kLoop;
    f.from = msgs.front()->from;
    f.to = msgs.front()->to;
    for (const Handoff* h : msgs) f.evidence.push_back(h->send->seq);
    f.at_seq = f.evidence.back();
    f.value = trips;
    f.limit = bound;
    f.sentence = f.from + " and " + f.to + " handed the work back and forth " +
                 std::to_string(trips) + " times (bound " + std::to_string(bound) + "), over " +
                 Duration(msgs.back()->send->mono_ns - msgs.front()->send->mono_ns) + ".";
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> FindHiddenLatency(const Trace& trace, const Policy& policy) {
  std::vector<Finding> out;
  // Model calls retried under one call id.
  std::map<std::pair<std::string, std::string>, std::vector<const Event*>> attempts;
  std::map<std::pair<std::string, std::string>, std::vector<const Event*>> retries;
  for (const Event& e : trace.events()) {
    if (auto* c = e.As<ModelCall>()) attempts[{e.agent, c->call_id}].push_back(&e);
    if (auto* r = e.As<Retry>()) retries[{e.agent, r->call_id}].push_back(&e);
  }
  for (const auto& [key, calls] : attempts) {
    if (calls.size() < 2) continue;
    const ModelCall* first = calls.front()->As<ModelCall>();
    const ModelCall* last = calls.back()->As<ModelCall>();
    int64_t start = calls.front()->mono_ns - first->latency_ns;
    int64_t waited = calls.back()->mono_ns - start;
    int64_t reported = std::max<int64_t>(last->latency_ns, 1);
    double ratio = static_cast<double>(waited) / reported;
    if (ratio <= policy.max_hidden_latency_ratio) continue;
    int64_t backoff = 0;
    for (const Event* r : retries[key]) backoff += r->As<Retry>()->backoff_ns;
    Finding f;
    f.kind = FindingKind::kHiddenLatency;
    f.from = f.to = key.first;
    f.at_seq = calls.back()->seq;
    for (const Event* c : calls) f.evidence.push_back(c->seq);
    for (const Event* r : retries[key]) f.evidence.push_back(r->seq);
    std::sort(f.evidence.begin(), f.evidence.end());
    f.value = ratio;
    f.limit = policy.max_hidden_latency_ratio;
    f.sentence = key.first + "'s model call " + key.second + " reported " + Duration(reported) +
                 " but took " + Duration(waited) + ": " + std::to_string(calls.size()) +
                 " attempts (" +
                 (first->error.empty() ? "retried" : "first error: " + first->error.substr(0, 60)) +
                 ") and " + Duration(backoff) + " of backoff.";
    out.push_back(std::move(f));
  }
  // Spans whose reported duration hides the time they really took.
  std::map<std::string, const Event*> starts;
  for (const Event& e : trace.events()) {
    if (auto* s = e.As<SpanStart>()) starts[s->span_id] = &e;
    auto* end = e.As<SpanEnd>();
    if (end == nullptr || end->reported_duration_ns <= 0) continue;
    auto it = starts.find(end->span_id);
    if (it == starts.end()) continue;
    int64_t real = e.mono_ns - it->second->mono_ns;
    double ratio = static_cast<double>(real) / end->reported_duration_ns;
    if (ratio <= policy.max_hidden_latency_ratio) continue;
    Finding f;
    f.kind = FindingKind::kHiddenLatency;
    f.from = f.to = e.agent;
    f.at_seq = e.seq;
    f.evidence = {it->second->seq, e.seq};
    f.value = ratio;
    f.limit = policy.max_hidden_latency_ratio;
    f.sentence = "span " + it->second->As<SpanStart>()->name + " of " + e.agent + " reported " +
                 Duration(end->reported_duration_ns) + " but lasted " + Duration(real) + ".";
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> FindDeliveryGaps(const std::vector<Handoff>& handoffs) {
  std::vector<Finding> out;
  for (const Handoff& h : handoffs) {
    if (h.delivery != nullptr && h.processed != nullptr) continue;
    Finding f;
    f.from = h.from;
    f.to = h.to;
    if (h.delivery == nullptr) {
      f.kind = FindingKind::kUndelivered;
      f.at_seq = h.send->seq;
      f.evidence = {h.send->seq};
      f.sentence = h.from + " sent " + h.message_id + " to " + h.to + " at " +
                   RelativeTime(h.send->mono_ns) + "; it was never delivered.";
    } else {
      f.kind = FindingKind::kUnprocessed;
      f.at_seq = h.delivery->seq;
      f.evidence = {h.send->seq, h.delivery->seq};
      f.sentence = h.to + " received " + h.message_id + " from " + h.from + " at " +
                   RelativeTime(h.delivery->mono_ns) + " and never processed it.";
    }
    out.push_back(std::move(f));
  }
  return out;
}

Analysis Analyze(const Trace& trace, const Policy& policy, const ScorerSet& scorers) {
  Analysis a;
  a.handoffs = BuildHandoffs(trace, policy, scorers);
  a.reads = BuildReads(trace);
  auto add = [&](std::vector<Finding> f) {
    for (auto& x : f) a.findings.push_back(std::move(x));
  };
  add(FindStaleContext(trace, a.reads, policy));
  add(FindLowQuality(a.handoffs));
  add(FindMisunderstood(a.handoffs, policy));
  add(FindUncheckedConsumption(a.handoffs, policy));
  add(FindLoops(a.handoffs, policy));
  add(FindHiddenLatency(trace, policy));
  add(FindDeliveryGaps(a.handoffs));
  std::stable_sort(a.findings.begin(), a.findings.end(),
                   [](const Finding& x, const Finding& y) { return x.at_seq < y.at_seq; });
  for (const Event& e : trace.events())
    if (auto* o = e.As<Outcome>(); o && o->verdict == Verdict::kFailure) a.failed_outcome = &e;
  return a;
}

}  // namespace baton
