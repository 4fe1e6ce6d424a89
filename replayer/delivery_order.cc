#include "replayer/delivery_order.h"

#include <random>
#include <unordered_map>

#include "base/status.h"

namespace baton {
namespace {

const std::string& MessageIdOf(const Event& delivery) {
  const MessageDelivery* d = delivery.As<MessageDelivery>();
  BATON_CHECK(d != nullptr);  // Callers pass message_delivery events only.
  return d->message_id;
}

}  // namespace

std::vector<const Event*> RecordedDeliveries(const Trace& trace) {
  std::vector<const Event*> out;
  for (const Event& e : trace.events())
    if (e.kind() == EventKind::kMessageDelivery) out.push_back(&e);
  return out;
}

std::vector<const Event*> PerturbDeliveryOrder(const Trace& trace,
                                               const std::vector<const Event*>& recorded,
                                               uint64_t seed) {
  // Agents by index; for each message, its sender and how many receives the sender had
  // done when it sent it.
  std::unordered_map<std::string, size_t> agent_index;
  auto index_of = [&](const std::string& agent) {
    return agent_index.emplace(agent, agent_index.size()).first->second;
  };
  struct Sent {
    size_t sender = 0;
    uint64_t after_receives = 0;
  };
  std::unordered_map<std::string, Sent> sent;
  {
    std::unordered_map<size_t, uint64_t> receives;
    for (const Event& e : trace.events()) {
      if (e.kind() == EventKind::kMessageDelivery) {
        ++receives[index_of(e.agent)];
      } else if (const MessageSend* s = e.As<MessageSend>()) {
        const size_t sender = index_of(e.agent);
        sent.emplace(s->message_id, Sent{sender, receives[sender]});  // The first send.
      }
    }
  }
  struct Delivery {
    size_t receiver = 0;
    bool has_send = false;  // A delivery whose send the log lacks is sendable from the start.
    Sent send;
  };
  std::vector<Delivery> deliveries(recorded.size());
  std::vector<std::vector<size_t>> remaining;  // Per receiver, in recorded order.
  for (size_t i = 0; i < recorded.size(); ++i) {
    Delivery& d = deliveries[i];
    d.receiver = index_of(recorded[i]->agent);
    if (auto it = sent.find(MessageIdOf(*recorded[i])); it != sent.end()) {
      d.has_send = true;
      d.send = it->second;
    }
    if (remaining.size() < agent_index.size()) remaining.resize(agent_index.size());
    remaining[d.receiver].push_back(i);
  }
  remaining.resize(agent_index.size());
  // Consumed from the front: a cursor instead of erasing at the front of long lists.
  std::vector<size_t> front(remaining.size(), 0);
  std::vector<uint64_t> receives_done(agent_index.size(), 0);

  // mt19937_64's sequence is fixed by the standard: a seed names the same order everywhere.
  std::mt19937_64 rng(seed * 0xD1B54A32D192ED03ull + 3);
  std::vector<const Event*> out;
  out.reserve(recorded.size());
  std::vector<size_t> ready_agents, available;
  auto sendable = [&](size_t i) {
    const Delivery& d = deliveries[i];
    return !d.has_send || receives_done[d.send.sender] >= d.send.after_receives;
  };
  while (out.size() < recorded.size()) {
    ready_agents.clear();
    for (size_t a = 0; a < remaining.size(); ++a) {
      std::vector<size_t>& mine = remaining[a];
      for (size_t k = front[a], seen = 0; k < mine.size() && seen < kMaxOvertaken; ++k) {
        if (mine[k] == SIZE_MAX) continue;
        ++seen;
        if (sendable(mine[k])) {
          ready_agents.push_back(a);
          break;
        }
      }
    }
    if (ready_agents.empty()) {
      // Only a log whose receives contradict its sends gets here: keep the recorded order
      // for what is left.
      std::vector<bool> left(recorded.size(), false);
      for (size_t r = 0; r < remaining.size(); ++r)
        for (size_t k = front[r]; k < remaining[r].size(); ++k)
          if (remaining[r][k] != SIZE_MAX) left[remaining[r][k]] = true;
      for (size_t i = 0; i < recorded.size(); ++i)
        if (left[i]) out.push_back(recorded[i]);
      break;
    }
    const size_t a = ready_agents[rng() % ready_agents.size()];
    std::vector<size_t>& mine = remaining[a];
    available.clear();
    for (size_t k = front[a], seen = 0; k < mine.size() && seen < kMaxOvertaken; ++k) {
      if (mine[k] == SIZE_MAX) continue;
      ++seen;
      if (sendable(mine[k])) available.push_back(k);
    }
    const size_t k = available[rng() % available.size()];
    out.push_back(recorded[mine[k]]);
    mine[k] = SIZE_MAX;  // Taken.
    while (front[a] < mine.size() && mine[front[a]] == SIZE_MAX) ++front[a];
    ++receives_done[a];
  }
  return out;
}

std::vector<std::string> DescribeReordering(const std::vector<const Event*>& recorded,
                                            const std::vector<const Event*>& perturbed,
                                            size_t max_lines) {
  // Each receiver's recorded receives, and where each delivery stands among them.
  std::unordered_map<std::string, std::vector<const Event*>> order_of;
  std::unordered_map<const Event*, size_t> position;
  for (const Event* e : recorded) {
    std::vector<const Event*>& mine = order_of[e->agent];
    position[e] = mine.size();
    mine.push_back(e);
  }
  std::unordered_map<std::string, std::vector<bool>> taken;
  std::unordered_map<std::string, size_t> lowest_untaken;
  std::vector<std::string> lines;
  for (const Event* e : perturbed) {
    auto at = position.find(e);
    if (at == position.end()) continue;
    const std::vector<const Event*>& mine = order_of[e->agent];
    std::vector<bool>& done = taken[e->agent];
    done.resize(mine.size(), false);
    size_t& low = lowest_untaken[e->agent];
    if (at->second > low && lines.size() < max_lines)
      lines.push_back(e->agent + " received " + MessageIdOf(*e) + " before " +
                      MessageIdOf(*mine[low]));
    done[at->second] = true;
    while (low < done.size() && done[low]) ++low;
  }
  return lines;
}

}  // namespace baton
