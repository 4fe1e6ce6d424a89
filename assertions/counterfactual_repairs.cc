#include "assertions/counterfactual_repairs.h"

#include <algorithm>
#include <map>

namespace baton {
namespace {

std::string Seq(uint64_t seq) { return "#" + std::to_string(seq); }

// The answer `call` got, with its texts loaded (a patch is served whole).
ModelResponse ResolvedResponse(const Trace& trace, const Event& call) {
  Event copy = call;
  (void)trace.Resolve(copy);  // An unreadable blob leaves its text empty.
  return copy.As<ModelCall>()->response;
}

// The last model call of `agent` before `before_seq` that got an answer: what produced
// the agent's next message.
const Event* ProducingCall(const Trace& trace, const std::string& agent, uint64_t before_seq) {
  const Event* found = nullptr;
  for (size_t i : trace.EventsOf(agent)) {
    const Event& e = trace.events()[i];
    if (e.seq >= before_seq) break;
    if (const auto* call = e.As<ModelCall>(); call != nullptr && call->error.empty()) found = &e;
  }
  return found;
}

void RepairStale(const Trace& trace, Repair& r) {
  const Finding& f = r.finding;
  const Event* read = nullptr;
  for (uint64_t seq : f.evidence)
    if (const Event* e = trace.BySeq(seq); e != nullptr && e->As<ContextRead>()) read = e;
  // A message built on a stale version: the sender's read of that version.
  for (auto it = f.evidence.begin(); read == nullptr && it != f.evidence.end(); ++it) {
    const Event* e = trace.BySeq(*it);
    const MessageSend* send = e != nullptr ? e->As<MessageSend>() : nullptr;
    if (send == nullptr) continue;
    for (const ContextRef& ref : send->context_versions)
      for (size_t i : trace.EventsOf(e->agent)) {
        const Event& c = trace.events()[i];
        if (c.seq >= e->seq) break;
        if (const auto* cr = c.As<ContextRead>();
            cr && cr->key == ref.key && cr->version == ref.version)
          read = &c;
      }
  }
  if (read == nullptr) {
    r.why_not = "the evidence names no context read to refresh";
    return;
  }
  const ContextRead* cr = read->As<ContextRead>();
  uint64_t freshest = 0;
  for (size_t i : trace.WritesOf(cr->key)) {
    const Event& w = trace.events()[i];
    if (w.seq < read->seq) freshest = std::max(freshest, w.As<ContextWrite>()->version);
  }
  if (freshest <= cr->version) {
    r.why_not = cr->key + " v" + std::to_string(cr->version) + " was the freshest version when " +
                read->agent + " read it (" + Seq(read->seq) + ")";
    return;
  }
  ReplayPatch p;
  p.recorded_seq = read->seq;
  p.context_version = freshest;
  r.patch = p;
  r.what = read->agent + " reads " + cr->key + " v" + std::to_string(freshest) +
           " (the freshest then) instead of v" + std::to_string(cr->version) + " at " +
           Seq(read->seq);
}

void RepairLowQuality(const Trace& trace, Repair& r) {
  const Finding& f = r.finding;
  const Event* send = nullptr;
  for (uint64_t seq : f.evidence)
    if (const Event* e = trace.BySeq(seq); e && e->agent == f.from && e->As<MessageSend>()) {
      send = e;
      break;
    }
  if (send == nullptr) {
    r.why_not = "the evidence names no message from " + f.from;
    return;
  }
  const MessageSend* ms = send->As<MessageSend>();
  std::map<uint64_t, double> best_score;  // By the scored message's send seq.
  for (const Event& e : trace.events())
    if (const Score* s = e.As<Score>()) {
      auto [it, fresh] = best_score.emplace(s->target_seq, s->value);
      if (!fresh) it->second = std::max(it->second, s->value);
    }
  const Event* healthy = nullptr;
  double healthy_score = 0;
  for (size_t i : trace.EventsOf(f.from)) {
    const Event& e = trace.events()[i];
    const MessageSend* other = e.As<MessageSend>();
    if (other == nullptr || e.seq == send->seq || other->to != ms->to ||
        other->intent != ms->intent)
      continue;
    auto score = best_score.find(e.seq);
    if (score != best_score.end() && score->second >= f.limit) {
      healthy = &e;
      healthy_score = score->second;
      break;
    }
  }
  if (healthy == nullptr) {
    r.why_not = "no other " + f.from + " -> " + ms->to + " handoff (" + ms->intent + ") passed " +
                Fixed2(f.limit) + " in the recording";
    return;
  }
  const Event* bad_call = ProducingCall(trace, f.from, send->seq);
  const Event* good_call = ProducingCall(trace, f.from, healthy->seq);
  if (bad_call == nullptr || good_call == nullptr || bad_call == good_call) {
    r.why_not = "no model call of " + f.from + " produced the handoff";
    return;
  }
  ReplayPatch p;
  p.recorded_seq = bad_call->seq;
  p.model_response = ResolvedResponse(trace, *good_call);
  r.patch = p;
  r.what = f.from + "'s answer at " + Seq(bad_call->seq) + " replaced by its answer at " +
           Seq(good_call->seq) + " (behind " + healthy->As<MessageSend>()->message_id +
           ", scored " + Fixed2(healthy_score) + ")";
}

void RepairHiddenLatency(const Trace& trace, Repair& r) {
  const Event* first = nullptr;
  const Event* answered = nullptr;
  for (uint64_t seq : r.finding.evidence) {
    const Event* e = trace.BySeq(seq);
    const ModelCall* call = e != nullptr ? e->As<ModelCall>() : nullptr;
    if (call == nullptr) continue;
    if (first == nullptr) first = e;
    if (call->error.empty()) answered = e;
  }
  if (first == nullptr) {
    r.why_not = "the evidence names no model call";
    return;
  }
  if (answered == nullptr || answered == first) {
    r.why_not = answered == nullptr ? "every attempt failed: no reply to serve at the first"
                                    : "the first attempt was answered";
    return;
  }
  ReplayPatch p;
  p.recorded_seq = first->seq;
  p.model_response = ResolvedResponse(trace, *answered);
  r.patch = p;
  r.what = first->agent + "'s call " + first->As<ModelCall>()->call_id +
           " answered at its first attempt (" + Seq(first->seq) + ") with the reply attempt " +
           std::to_string(answered->As<ModelCall>()->attempt) + " got (" + Seq(answered->seq) + ")";
}

void RepairLoop(const Trace& trace, Repair& r) {
  const Finding& f = r.finding;
  // The sends that handed the work back from the loop's receiver to its sender.
  std::vector<const Event*> back;
  for (uint64_t seq : f.evidence)
    if (const Event* e = trace.BySeq(seq); e && e->agent == f.to)
      if (const auto* s = e->As<MessageSend>(); s && s->to == f.from) back.push_back(e);
  if (back.empty()) {
    r.why_not = "the evidence names no message from " + f.to + " back to " + f.from;
    return;
  }
  const size_t bound = f.limit >= 1 ? static_cast<size_t>(f.limit) : 1;
  const Event* past_bound = back[std::min(bound, back.size()) - 1];
  const Event* exit = nullptr;
  for (size_t i : trace.EventsOf(f.to)) {
    const Event& e = trace.events()[i];
    if (const auto* s = e.As<MessageSend>(); s && s->to != f.from && e.seq > back.front()->seq) {
      exit = &e;
      break;
    }
  }
  if (exit == nullptr) {
    r.why_not = f.to + " never led out of the loop in the recording";
    return;
  }
  const Event* bad_call = ProducingCall(trace, f.to, past_bound->seq);
  const Event* good_call = ProducingCall(trace, f.to, exit->seq);
  if (bad_call == nullptr || good_call == nullptr || bad_call == good_call) {
    r.why_not = "no model call of " + f.to + " produced the replies";
    return;
  }
  ReplayPatch p;
  p.recorded_seq = bad_call->seq;
  p.model_response = ResolvedResponse(trace, *good_call);
  r.patch = p;
  r.what = f.to + "'s reply at " + Seq(bad_call->seq) +
           " (which sent the work back at the bound) replaced by its reply at " +
           Seq(good_call->seq) + " (which led out of the loop, to " + exit->As<MessageSend>()->to +
           ")";
}

}  // namespace

std::vector<Repair> PlanRepairs(const Trace& trace, const Analysis& analysis) {
  std::vector<Repair> out;
  for (const Finding& f : analysis.findings) {
    Repair r;
    r.finding = f;
    switch (f.kind) {
      case FindingKind::kStaleContext:
      case FindingKind::kContextTooOld:
        RepairStale(trace, r);
        break;
      case FindingKind::kLowQuality:
        RepairLowQuality(trace, r);
        break;
      case FindingKind::kHiddenLatency:
        RepairHiddenLatency(trace, r);
        break;
      case FindingKind::kLoop:
        RepairLoop(trace, r);
        break;
      case FindingKind::kMisunderstood:
        r.why_not = "the misreading is " + f.to + "'s own, not a served answer";
        break;
      case FindingKind::kUncheckedConsumption:
        r.why_not = "the missing check is " + f.to + "'s own, not a served answer";
        break;
      case FindingKind::kUndelivered:
      case FindingKind::kUnprocessed:
        r.why_not = "the lost message is the program's own handling, not a served answer";
        break;
    }
    for (size_t i = 0; r.patch && i < out.size(); ++i)
      if (out[i].patch == r.patch && !out[i].same_as) r.same_as = i;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace baton
