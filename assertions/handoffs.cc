#include "assertions/handoffs.h"

#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <unordered_map>

namespace baton {
namespace {

constexpr size_t kShingle = 6;
constexpr double kFlowThreshold = 0.5;
// How many of the receiver's model calls and messages after a delivery are searched for a
// use of it: an agent builds on its input in its next few steps, not a hundred steps later.
constexpr size_t kUseCandidates = 3;

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

// Word hashes of a text: lower-cased letters and digits (bytes of UTF-8 sequences count as
// letters). Streaming, no allocation per word. Bytes are packed eight to a register and mixed
// once per eight (and at the word's end, with its length): one multiply per eight bytes
// instead of one per byte, which is most of what the content-flow analysis costs.
// Per byte: 0 for a separator, else the byte lower-cased.
struct WordBytes {
  unsigned char map[256] = {};
  constexpr WordBytes() {
    for (int c = 0; c < 256; ++c) {
      bool alnum =
          (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
      map[c] = alnum ? static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c + 32 : c) : 0;
    }
  }
};
constexpr WordBytes kWordBytes;
constexpr uint64_t kWordMix = 0x9e3779b97f4a7c15ull;

// `each` returns false to stop early.
template <typename F>
void ForEachWordHash(std::string_view text, F&& each) {
  uint64_t h = 0, packed = 0;
  size_t length = 0;
  // The word just ended: its last bytes and its length mixed in, then passed on.
  auto finish_word = [&] {
    h = (h ^ packed ^ (uint64_t{length} << 56)) * kWordMix;
    const bool more = each(h ^ (h >> 32));
    h = packed = 0;
    length = 0;
    return more;
  };
  for (unsigned char raw : text) {
    unsigned char c = kWordBytes.map[raw];
    if (c != 0) {
      packed = (packed << 8) | c;
      if ((++length & 7) == 0) {
        h = (h ^ packed) * kWordMix;
        packed = 0;
      }
    } else if (length != 0 && !finish_word()) {
      return;
    }
  }
  if (length != 0) finish_word();
}

// The hash of kShingle consecutive word hashes: a polynomial in kShingleBase, so that a
// window sliding one word updates it in two multiplies (ForEachShingle) and a needle's
// windows hash to the same values (ShingleOf).
constexpr uint64_t kShingleBase = 0x100000001b3ull;
constexpr uint64_t kShingleBaseTop = [] {  // kShingleBase^(kShingle - 1), wrapping.
  uint64_t p = 1;
  for (size_t k = 1; k < kShingle; ++k) p *= kShingleBase;
  return p;
}();
inline uint64_t MixShingle(uint64_t h) { return h ^ (h >> 29); }

inline uint64_t ShingleOf(const uint64_t* words) {
  uint64_t h = 0;
  for (size_t k = 0; k < kShingle; ++k) h = h * kShingleBase + words[k];
  return MixShingle(h);
}

// Calls each(shingle hash) for every kShingle-word window of `text` until it returns false.
template <typename F>
void ForEachShingle(std::string_view text, F&& each) {
  uint64_t window[kShingle];  // Ring of the last kShingle words.
  size_t n = 0;
  uint64_t h = 0;
  ForEachWordHash(text, [&](uint64_t w) {
    const size_t at = n % kShingle;
    if (n >= kShingle) h -= window[at] * kShingleBaseTop;  // The oldest word leaves.
    h = h * kShingleBase + w;
    window[at] = w;
    return ++n < kShingle || each(MixShingle(h));
  });
}

// What is looked for: a payload as a set of its shingles (or, under kShingle words, its
// word sequence). Built once per handoff; haystacks are streamed past it. The set is an
// open-addressing table at most half full: a shingle of the haystack that is not in the
// needle (most are not) is rejected by one probe, usually into an empty slot.
struct Needle {
  static constexpr uint64_t kEmpty = 0;  // A shingle hashing to 0 is stored as 1.
  std::string_view text;                 // Borrowed from the message, which outlives the needle.
  std::vector<uint64_t> words;
  std::vector<uint64_t> slots;  // Size a power of two; kEmpty where free.
  size_t mask = 0;
  size_t unique = 0;  // Distinct shingles.

  explicit Needle(std::string_view payload) : text(payload) {
    ForEachWordHash(text, [&](uint64_t w) {
      words.push_back(w);
      return true;
    });
    if (words.size() < kShingle) return;
    size_t size = 16;
    while (size < 2 * (words.size() - kShingle + 1)) size *= 2;
    slots.assign(size, kEmpty);
    mask = size - 1;
    for (size_t i = 0; i + kShingle <= words.size(); ++i) {
      const uint64_t s = Key(ShingleOf(&words[i]));
      size_t at = s & mask;
      while (slots[at] != kEmpty && slots[at] != s) at = (at + 1) & mask;
      if (slots[at] == kEmpty) {
        slots[at] = s;
        ++unique;
      }
    }
  }
  static uint64_t Key(uint64_t shingle) { return shingle == kEmpty ? 1 : shingle; }
  bool empty() const { return words.empty(); }
  // The slot holding `shingle`, or -1.
  ptrdiff_t Find(uint64_t shingle) const {
    const uint64_t s = Key(shingle);
    for (size_t at = s & mask;; at = (at + 1) & mask) {
      if (slots[at] == s) return static_cast<ptrdiff_t>(at);
      if (slots[at] == kEmpty) return -1;
    }
  }
};

// Marks which of the needle's shingles occur in `haystack` (in `found`), adding the newly
// found to `count`, and stops as soon as `count` reaches `enough`. Short needles: found[0]
// when its word sequence occurs. Streams the text: most texts are searched once or twice,
// so caching their hashes would cost memory for little.
void MarkFound(const Needle& needle, std::string_view haystack, std::vector<bool>& found,
               size_t& count, size_t enough) {
  if (needle.words.size() < kShingle) {
    if (found.empty()) found.assign(1, false);
    if (found[0]) return;
    std::vector<uint64_t> hay;
    ForEachWordHash(haystack, [&](uint64_t w) {
      hay.push_back(w);
      return true;
    });
    if (std::search(hay.begin(), hay.end(), needle.words.begin(), needle.words.end()) == hay.end())
      return;
    found[0] = true;
    ++count;
    return;
  }
  if (found.empty()) found.assign(needle.slots.size(), false);
  ForEachShingle(haystack, [&](uint64_t s) {
    const ptrdiff_t i = needle.Find(s);
    if (i >= 0 && !found[i]) {
      found[i] = true;
      ++count;
    }
    return count < enough;
  });
}

size_t Total(const Needle& needle) { return needle.words.size() < kShingle ? 1 : needle.unique; }

// The fraction of `needle` found in the union of `parts` (no window spans two parts). The
// search stops once the fraction reaches `enough` (a caller asking "at least x?" needs no
// more): the result is then at least `enough`, not exact.
double FractionIn(const Needle& needle, const std::vector<std::string_view>& parts,
                  double enough = 1.0) {
  if (needle.empty()) return 0.0;
  // The text passed on as it is (a message resent, an answer handed over) is all found: a
  // byte search settles it without hashing a word. It must stand as whole words there.
  for (std::string_view p : parts) {
    for (size_t at = p.find(needle.text); at != std::string_view::npos;
         at = p.find(needle.text, at + 1)) {
      const size_t end = at + needle.text.size();
      const bool joins_before = at > 0 && kWordBytes.map[static_cast<unsigned char>(p[at - 1])] &&
                                kWordBytes.map[static_cast<unsigned char>(needle.text.front())];
      const bool joins_after = end < p.size() &&
                               kWordBytes.map[static_cast<unsigned char>(p[end])] &&
                               kWordBytes.map[static_cast<unsigned char>(needle.text.back())];
      if (!joins_before && !joins_after) return 1.0;
    }
  }
  const size_t total = Total(needle);
  const size_t target = std::max<size_t>(1, static_cast<size_t>(std::ceil(enough * total)));
  std::vector<bool> found;
  size_t count = 0;
  for (std::string_view p : parts) {
    if (count >= target) break;
    MarkFound(needle, p, found, count, target);
  }
  return static_cast<double>(count) / total;
}

// The texts an event sends onward: a model call's new messages (those not already in the
// agent's previous call) or a message's payload.
class OnwardText {
 public:
  // Must see every model call in seq order first: what is new depends on the previous call.
  void Index(const Event& e) {
    auto* call = e.As<ModelCall>();
    if (call == nullptr) return;
    const MessageList* prev = previous_[e.agent];
    // O(1) when the calls share their history (MessageList): a resent history is not compared.
    first_new_[e.seq] =
        prev == nullptr ? 0 : MessageList::CommonPrefix(*prev, call->request.messages);
    previous_[e.agent] = &call->request.messages;
  }

  std::vector<std::string_view> Of(const Event& e) const {
    std::vector<std::string_view> parts;
    if (auto* call = e.As<ModelCall>()) {
      auto it = first_new_.find(e.seq);
      size_t from = it == first_new_.end() ? 0 : it->second;
      for (size_t i = from; i < call->request.messages.size(); ++i)
        parts.push_back(call->request.messages[i].content.text);
    } else if (auto* send = e.As<MessageSend>()) {
      parts.push_back(send->payload.text);
    }
    return parts;
  }

 private:
  std::unordered_map<uint64_t, size_t> first_new_;
  std::unordered_map<std::string, const MessageList*> previous_;
};

}  // namespace

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
  const bool transcript = trace.source() == "transcript";
  OnwardText onward;
  // Each agent's model responses in order, to tell its outputs from the text it relays.
  std::unordered_map<std::string, std::vector<const Event*>> responses;
  for (const Event& e : trace.events())
    if (e.kind() == EventKind::kModelCall) responses[e.agent].push_back(&e);
  // Onward texts must be computed in order per agent (they depend on the previous call).
  for (const Event& e : trace.events()) onward.Index(e);
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
    h.checks_recorded = trace.checks();
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
    const Needle needle(payload);

    // The sender's last two answers before the send (an output is passed on promptly).
    const auto& answers = responses[h.from];
    auto after = std::upper_bound(answers.begin(), answers.end(), h.send->seq,
                                  [](uint64_t seq, const Event* r) { return seq < r->seq; });
    // An output is text the model wrote: the answer explains more of it than the prompt's
    // new messages did. A task quoted back by the model, or a message relayed, stays the sender's
    // input.
    for (int k = 0; k < 2 && after != answers.begin(); ++k) {
      --after;
      const ModelCall* call = (*after)->As<ModelCall>();
      // What the model wrote: its text and the arguments of the tools it called (a handoff
      // tool's arguments are the message it hands over).
      std::vector<std::string_view> written = {call->response.content.text};
      for (const ToolCallRequest& t : call->response.tool_calls)
        written.push_back(t.arguments_json.text);
      double in_answer = FractionIn(needle, written);
      if (in_answer < kFlowThreshold) continue;
      // Against what was new in that prompt (the history was compared when it was new).
      // Only whether the prompt explains as much matters: its search stops there.
      if (in_answer > FractionIn(needle, onward.Of(**after), in_answer)) h.is_output = true;
      break;
    }
    // A transcript shows what each agent said, not the model calls behind it: an agent's
    // message there is its own output (the user's task and a system prompt are not).
    if (!h.is_output && transcript && h.from != "user" && h.intent != "task" &&
        h.intent != "instructions" && h.intent != "execution result")
      h.is_output = true;
    // So is the reply of an agent whose model calls were not traced at all (spans of agents
    // and of their runtime's messages, without a model instrumentation): nothing it relays
    // could be told from what it wrote, and a reply is what it said.
    if (!h.is_output && h.intent == "reply" && answers.empty()) h.is_output = true;
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
    } else if (h.is_output && payload.empty() && send->payload.blob == 0) {
      // Spans imported without their content (capture is opt-in in most instrumentations):
      // an empty payload is not a poor one. No verdict rather than a wrong one.
      h.quality_rationale = "no content recorded";
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
      auto from =
          std::upper_bound(receiver_events.begin(), receiver_events.end(), h.delivery->seq,
                           [&](uint64_t seq, size_t idx) { return seq < trace.events()[idx].seq; });
      size_t candidates = 0;
      for (auto it = from; it != receiver_events.end() && candidates < kUseCandidates; ++it) {
        const Event& e = trace.events()[*it];
        // A new message from the same sender (a revision) starts another handoff.
        if (auto* d = e.As<MessageDelivery>(); d && d->from == h.from) break;
        if (e.kind() != EventKind::kModelCall && e.kind() != EventKind::kMessageSend) continue;
        ++candidates;
        if (payload.empty()) break;
        // Once the use is found, only whether a judge passed the text on still matters.
        if (h.use != nullptr && (!receiver_scored || e.kind() != EventKind::kMessageSend)) continue;
        if (FractionIn(needle, onward.Of(e), kFlowThreshold) < kFlowThreshold) continue;
        if (h.use == nullptr) h.use = &e;
        if (e.kind() == EventKind::kMessageSend) h.forwarded = true;
        if (h.forwarded || !receiver_scored) break;
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
    info.superseded_by = trace.SupersedingWrite(r->key, r->version, e.seq);
    if (info.superseded_by) info.staleness_ns = e.mono_ns - info.superseded_by->mono_ns;
    if (info.write) info.age_ns = e.mono_ns - info.write->mono_ns;
    info.incoming = IncomingDelivery(trace, e);
    out.push_back(info);
  }
  return out;
}

}  // namespace baton
