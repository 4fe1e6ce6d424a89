#include "replayer/session_diff.h"

#include <cstdlib>
#include <limits>
#include <unordered_map>

namespace baton {
namespace {

bool IsTimingField(const std::string& path) {
  auto ends_with = [&](std::string_view s) {
    return path.size() >= s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0;
  };
  return ends_with("latency_ns") || ends_with(".offset_ns") || ends_with("reported_duration_ns");
}

// "request.messages[I]..." -> the same path with I + offset.
void ShiftMessageIndex(std::string& path, size_t offset) {
  static constexpr std::string_view kMessages = "request.messages[";
  if (path.compare(0, kMessages.size(), kMessages) != 0) return;
  size_t end = path.find(']', kMessages.size());
  if (end == std::string::npos) return;
  size_t index = std::strtoull(path.c_str() + kMessages.size(), nullptr, 10);
  path.replace(kMessages.size(), end - kMessages.size(), std::to_string(index + offset));
}

// The fields of an event that two runs of the same code share. `cause` becomes the
// cause's position ("planner #3") since seq numbers depend on thread interleaving. The
// first `known_equal_messages` request messages are left out (the caller compared them
// already); the others keep their paths.
std::vector<EventField> ComparableFields(const Trace& t, const Event& e,
                                         const std::unordered_map<uint64_t, size_t>& position,
                                         const RequestNormalizer& normalizer, CompareTiming timing,
                                         size_t known_equal_messages) {
  Event tail;
  const Event* flattened = &e;
  if (known_equal_messages > 0) {
    tail = e;
    MessageList& messages = std::get<ModelCall>(tail.body).request.messages;
    messages = MessageList(
        std::vector<ChatMessage>(messages.begin() + known_equal_messages, messages.end()));
    flattened = &tail;
  }
  std::vector<EventField> fields;
  auto relative = [&](uint64_t seq) -> std::string {
    if (seq == 0) return "none";
    const Event* c = t.BySeq(seq);
    auto it = position.find(seq);
    return c == nullptr || it == position.end()
               ? "#" + std::to_string(seq) + " (not in the log)"
               : c->agent + "'s event " + std::to_string(it->second + 1);
  };
  fields.push_back({"kind", std::string(KindName(e.kind()))});
  fields.push_back({"cause", relative(e.cause)});
  for (EventField& f : FlattenEvent(*flattened, EventHeaderFields::kBodyOnly)) {
    if (timing == CompareTiming::kIgnore && IsTimingField(f.path)) continue;
    if (known_equal_messages > 0) ShiftMessageIndex(f.path, known_equal_messages);
    // Fields that name another event by seq compare by that event's place, like cause.
    if (f.path == "target_seq") f.value = relative(std::strtoull(f.value.c_str(), nullptr, 10));
    fields.push_back(std::move(f));
  }
  return normalizer.Normalize(std::move(fields));
}

std::unordered_map<uint64_t, size_t> PositionsInAgent(const Trace& t) {
  std::unordered_map<uint64_t, size_t> pos;
  for (const std::string& agent : t.agents()) {
    const auto& idx = t.EventsOf(agent);
    for (size_t k = 0; k < idx.size(); ++k) pos[t.events()[idx[k]].seq] = k;
  }
  return pos;
}

}  // namespace

std::string SessionDifference::Render() const {
  if (equivalent) return "equivalent\n";
  std::string out = summary + "\n";
  out += IndentLines(RenderFieldDifferences(fields), "  ");
  return out;
}

Result<SessionDifference> DiffSessions(const Trace& a, const Trace& b,
                                       const SessionDiffOptions& options) {
  auto normalizer = RequestNormalizer::Create(options.normalizers);
  if (!normalizer.ok()) return normalizer.status();
  auto pos_a = PositionsInAgent(a), pos_b = PositionsInAgent(b);

  SessionDifference best;
  uint64_t best_key = std::numeric_limits<uint64_t>::max();
  auto consider = [&](SessionDifference d, uint64_t key) {
    if (key < best_key) {
      best_key = key;
      best = std::move(d);
    }
  };

  std::vector<std::string> agents = a.agents();
  for (const std::string& agent : b.agents())
    if (a.EventsOf(agent).empty()) agents.push_back(agent);
  for (const std::string& agent : agents) {
    const auto& ea = a.EventsOf(agent);
    const auto& eb = b.EventsOf(agent);
    size_t n = std::min(ea.size(), eb.size());
    // The messages of this agent's last model calls that compared equal: a later call that
    // continues them on both sides is compared on its new messages only (linear in the
    // session, not in the square of its history).
    MatchedMessages equal;
    for (size_t k = 0; k <= n; ++k) {
      SessionDifference d;
      d.equivalent = false;
      d.agent = agent;
      if (k == n) {
        if (ea.size() == eb.size()) break;
        const Event* extra = ea.size() > n ? &a.events()[ea[n]] : &b.events()[eb[n]];
        (ea.size() > n ? d.seq_a : d.seq_b) = extra->seq;
        d.summary = agent + " has " + std::to_string(ea.size()) + " events in A and " +
                    std::to_string(eb.size()) + " in B; the first extra one is " +
                    DescribeEvent(*extra) + " in " + (ea.size() > n ? "A" : "B");
        // Past A's end the position is "after everything A has for this agent".
        consider(std::move(d), ea.size() > n        ? extra->seq
                               : a.events().empty() ? 0
                                                    : a.events().back().seq + 1);
        break;
      }
      const Event& x = a.events()[ea[k]];
      const Event& y = b.events()[eb[k]];
      const ModelCall* cx = x.As<ModelCall>();
      const ModelCall* cy = y.As<ModelCall>();
      const size_t known = cx != nullptr && cy != nullptr
                               ? equal.KnownEqual(cx->request.messages, cy->request.messages)
                               : 0;
      auto fx = ComparableFields(a, x, pos_a, *normalizer, options.timing, known);
      auto fy = ComparableFields(b, y, pos_b, *normalizer, options.timing, known);
      if (fx == fy) {
        if (cx != nullptr && cy != nullptr) equal = {cx->request.messages, cy->request.messages};
        continue;
      }
      d.seq_a = x.seq;
      d.seq_b = y.seq;
      d.fields = DiffFields(fx, fy);
      d.summary = agent + "'s event " + std::to_string(k + 1) + " differs: " + DescribeEvent(x) +
                  " in A, " + DescribeEvent(y) + " in B";
      consider(std::move(d), x.seq);
      break;
    }
  }

  // The global order of deliveries: what makes a concurrent run the same run.
  std::vector<const Event*> da, db;
  for (const Event& e : a.events())
    if (e.kind() == EventKind::kMessageDelivery) da.push_back(&e);
  for (const Event& e : b.events())
    if (e.kind() == EventKind::kMessageDelivery) db.push_back(&e);
  for (size_t k = 0; k < std::min(da.size(), db.size()); ++k) {
    const auto* ma = da[k]->As<MessageDelivery>();
    const auto* mb = db[k]->As<MessageDelivery>();
    if (da[k]->agent == db[k]->agent && ma->message_id == mb->message_id) continue;
    SessionDifference d;
    d.equivalent = false;
    d.agent = da[k]->agent;
    d.seq_a = da[k]->seq;
    d.seq_b = db[k]->seq;
    d.summary = "delivery " + std::to_string(k + 1) + " differs: " + ma->message_id + " to " +
                da[k]->agent + " in A, " + mb->message_id + " to " + db[k]->agent + " in B";
    d.fields = {{FieldDifference::Change::kChanged, "delivery",
                 ma->message_id + " -> " + da[k]->agent, mb->message_id + " -> " + db[k]->agent}};
    consider(std::move(d), da[k]->seq);
    break;
  }
  return best;
}

}  // namespace baton
