#include "assertions/handoffs.h"

#include <xxhash.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace baton {
namespace {

constexpr size_t kShingle = 6;
constexpr double kFlowThreshold = 0.5;
// How many of the receiver's events after a delivery are searched for a use of it.
constexpr size_t kUseWindow = 200;

std::vector<uint64_t> Shingles(const std::vector<std::string>& words) {
  std::vector<uint64_t> out;
  if (words.size() < kShingle) return out;
  std::string joined;
  for (size_t i = 0; i + kShingle <= words.size(); ++i) {
    joined.clear();
    for (size_t k = 0; k < kShingle; ++k) {
      joined += words[i + k];
      joined += ' ';
    }
    out.push_back(XXH3_64bits(joined.data(), joined.size()));
  }
  return out;
}

// Newlines become "; " and long text is cut: rationales go into one-line sentences.
std::string OneLine(const std::string& text, size_t max) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      if (!out.empty() && out.back() != ' ') out += "; ";
    } else if (c != '\r') {
      out += c;
    }
    if (out.size() >= max) return out + "...";
  }
  return out;
}

std::string JoinWords(const std::vector<std::string>& words) {
  std::string s;
  for (const auto& w : words) s += w + " ";
  return s;
}

// The texts an event sends onward: a model call's new messages (those not already in the
// agent's previous call) or a message's payload.
class OnwardText {
 public:
  explicit OnwardText(const Trace& trace) : trace_(trace) {}

  const std::string& Of(const Event& e) {
    auto it = cache_.find(e.seq);
    if (it != cache_.end()) return it->second;
    std::string text;
    if (auto* call = e.As<ModelCall>()) {
      const std::vector<ChatMessage>* prev = previous_[e.agent];
      size_t shared = 0;
      if (prev != nullptr)
        while (shared < prev->size() && shared < call->request.messages.size() &&
               (*prev)[shared] == call->request.messages[shared])
          ++shared;
      for (size_t i = shared; i < call->request.messages.size(); ++i)
        text += call->request.messages[i].content.text + "\n";
      previous_[e.agent] = &call->request.messages;
    } else if (auto* send = e.As<MessageSend>()) {
      text = send->payload.text;
    }
    return cache_.emplace(e.seq, std::move(text)).first->second;
  }

 private:
  const Trace& trace_;
  std::unordered_map<uint64_t, std::string> cache_;
  std::unordered_map<std::string, const std::vector<ChatMessage>*> previous_;
};

}  // namespace

double ContainedFraction(const std::string& needle, const std::string& haystack) {
  std::vector<std::string> nw = Words(needle);
  if (nw.empty()) return 0.0;
  std::vector<std::string> hw = Words(haystack);
  if (nw.size() < kShingle) return JoinWords(hw).find(JoinWords(nw)) != std::string::npos ? 1.0 : 0.0;
  std::vector<uint64_t> ns = Shingles(nw), hs = Shingles(hw);
  std::unordered_set<uint64_t> have(hs.begin(), hs.end());
  size_t found = 0;
  for (uint64_t s : ns) found += have.count(s);
  return static_cast<double>(found) / ns.size();
}

const Event* IncomingDelivery(const Trace& trace, const Event& event) {
  const Event* e = &event;
  for (int hops = 0; e != nullptr && hops < 64; ++hops) {
    if (e->kind() == EventKind::kMessageDelivery && e->agent == event.agent) return e;
    if (e->cause == 0 || e->cause >= e->seq) return nullptr;
    e = trace.BySeq(e->cause);
  }
  return nullptr;
}

std::vector<Handoff> BuildHandoffs(const Trace& trace, const Policy& policy,
                                   const ScorerSet& scorers) {
  std::vector<Handoff> out;
  OnwardText onward(trace);
  // Each agent's model responses in order, to tell its outputs from the text it relays.
  std::unordered_map<std::string, std::vector<const Event*>> responses;
  for (const Event& e : trace.events())
    if (e.kind() == EventKind::kModelCall) responses[e.agent].push_back(&e);
  // Onward texts must be computed in order per agent (they depend on the previous call).
  for (const Event& e : trace.events())
    if (e.kind() == EventKind::kModelCall) onward.Of(e);
  // Scores and checks by the message they judge (named by id, or by its send or delivery).
  std::unordered_map<uint64_t, std::string> message_of_seq;
  for (const std::string& id : trace.message_ids()) {
    const Trace::MessageEvents* m = trace.Message(id);
    if (m->send) message_of_seq[m->send->seq] = id;
    if (m->delivery) message_of_seq[m->delivery->seq] = id;
  }
  std::unordered_map<std::string, std::vector<const Event*>> judgements;
  for (const Event& e : trace.events()) {
    std::string target_id;
    uint64_t target = 0;
    if (auto* s = e.As<Score>()) {
      target_id = s->target_message_id;
      target = s->target_seq;
    } else if (auto* c = e.As<Check>()) {
      target_id = c->target_message_id;
      target = c->target_seq;
    } else {
      continue;
    }
    if (target_id.empty()) {
      auto it = message_of_seq.find(target);
      if (it == message_of_seq.end()) continue;
      target_id = it->second;
    }
    judgements[target_id].push_back(&e);
  }

  for (const std::string& id : trace.message_ids()) {
    const Trace::MessageEvents* m = trace.Message(id);
    if (m == nullptr || m->send == nullptr) continue;
    const MessageSend* send = m->send->As<MessageSend>();
    Handoff h;
    h.message_id = id;
    h.from = m->send->agent;
    h.to = send->to;
    h.intent = send->intent;
    h.send = m->send;
    h.delivery = m->delivery;
    h.interpretation = m->interpretation;
    h.processed = m->processed;
    h.threshold = policy.MinQuality(h.from, h.to);
    const std::string& payload = send->payload.text;

    // The sender's last few answers before the send (an output is passed on promptly).
    const auto& answers = responses[h.from];
    auto after = std::upper_bound(answers.begin(), answers.end(), h.send->seq,
                                  [](uint64_t seq, const Event* r) { return seq < r->seq; });
    // An output is text the model wrote: the answer explains more of it than the prompt
    // did. A task quoted back by the model, or a message relayed, stays the sender's input.
    for (int k = 0; k < 3 && after != answers.begin(); ++k) {
      --after;
      const ModelCall* call = (*after)->As<ModelCall>();
      double in_answer = ContainedFraction(payload, call->response.content.text);
      if (in_answer < kFlowThreshold) continue;
      std::string prompt;
      for (const ChatMessage& m : call->request.messages) prompt += m.content.text + "\n";
      if (in_answer > ContainedFraction(payload, prompt)) h.is_output = true;
      break;
    }
    if (h.interpretation != nullptr) {
      std::string a = h.interpretation->As<MessageInterpretation>()->understood_intent;
      std::string b = h.intent;
      std::transform(a.begin(), a.end(), a.begin(), ::tolower);
      std::transform(b.begin(), b.end(), b.begin(), ::tolower);
      h.understood = a == b;
    }

    // Recorded scores of this message (the last one counts), checks and uses, in order.
    const Event* first_check = nullptr;
    bool receiver_scored = false;
    const std::vector<size_t>& receiver_events = trace.EventsOf(h.to);
    const std::vector<const Event*>& judged = judgements[id];
    for (const Event* e : judged) {
      if (e->kind() == EventKind::kScore) {
        h.score = e;
        if (e->agent == h.to) receiver_scored = true;
      }
    }
    if (h.score != nullptr) {
      const Score* s = h.score->As<Score>();
      h.quality = s->value;
      h.quality_by = s->scorer;
      h.quality_rationale = OneLine(s->rationale.text, 160);
    } else if (h.is_output) {
      ScoringInput in{payload, ""};
      if (const Event* d = IncomingDelivery(trace, *h.send)) {
        const Trace::MessageEvents* task = trace.Message(d->As<MessageDelivery>()->message_id);
        if (task && task->send) in.task = task->send->As<MessageSend>()->payload.text;
      }
      for (const std::string& name : policy.scorers) {
        const Scorer* scorer = scorers.Find(name);
        if (scorer == nullptr) continue;
        auto r = scorer->Score(in);
        if (!r.ok()) continue;
        if (!h.quality || r->value < *h.quality) {
          h.quality = r->value;
          h.quality_by = name;
          h.quality_rationale = OneLine(r->rationale, 160);
        }
      }
    }

    for (const Event* e : judged) {
      if (first_check != nullptr || h.delivery == nullptr || e->seq <= h.delivery->seq) continue;
      bool passes = e->kind() == EventKind::kCheck ? e->As<Check>()->passed
                                                   : e->As<Score>()->value >= h.threshold;
      if (passes) first_check = e;
    }
    if (h.delivery != nullptr) {
      // The receiver's next events (a bounded window: a use comes within its handling).
      auto from = std::upper_bound(receiver_events.begin(), receiver_events.end(), h.delivery->seq,
                                   [&](uint64_t seq, size_t idx) { return seq < trace.events()[idx].seq; });
      size_t scanned = 0;
      for (auto it = from; it != receiver_events.end() && scanned < kUseWindow; ++it, ++scanned) {
        const Event& e = trace.events()[*it];
        // A new message from the same sender (a revision) starts another handoff.
        if (auto* d = e.As<MessageDelivery>(); d && d->from == h.from) break;
        if (e.kind() != EventKind::kModelCall && e.kind() != EventKind::kMessageSend) continue;
        if (payload.empty()) continue;
        if (ContainedFraction(payload, onward.Of(e)) < kFlowThreshold) continue;
        if (h.use == nullptr) h.use = &e;
        if (e.kind() == EventKind::kMessageSend) h.forwarded = true;
      }
    }
    if (h.use != nullptr) {
      if (first_check != nullptr && first_check->seq < h.use->seq) h.check = first_check;
      // The receiver judged the message itself: its use of the text was the judging.
      if (h.check == nullptr && receiver_scored) h.check = h.score;
    }
    out.push_back(std::move(h));
  }
  return out;
}

std::vector<ContextReadInfo> BuildReads(const Trace& trace) {
  std::vector<ContextReadInfo> out;
  for (const Event& e : trace.events()) {
    const ContextRead* r = e.As<ContextRead>();
    if (r == nullptr) continue;
    ContextReadInfo info;
    info.read = &e;
    info.key = r->key;
    info.version = r->version;
    info.write = trace.ContextWriteOf(r->key, r->version);
    for (size_t i : trace.WritesOf(r->key)) {
      const Event& w = trace.events()[i];
      if (w.seq >= e.seq) break;
      if (w.As<ContextWrite>()->version > r->version) {
        info.superseded_by = &w;
        break;
      }
    }
    if (info.superseded_by) info.staleness_ns = e.mono_ns - info.superseded_by->mono_ns;
    if (info.write) info.age_ns = e.mono_ns - info.write->mono_ns;
    info.incoming = IncomingDelivery(trace, e);
    out.push_back(info);
  }
  return out;
}

}  // namespace baton
