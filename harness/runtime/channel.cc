#include "harness/runtime/channel.h"

#include <algorithm>

#include "harness/runtime/session_events.h"
#include "replayer/replay_session.h"

namespace baton {

AgentMessage Channel::Send(const std::string& from, const std::string& to,
                           const std::string& intent, const std::string& payload,
                           std::vector<ContextRef> context_versions, uint64_t cause) {
  AgentMessage m;
  m.from = from;
  m.to = to;
  m.intent = intent;
  m.payload = payload;
  m.context_versions = std::move(context_versions);
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Per sender and receiver: stable however other agents' threads interleave.
    m.id = from + "->" + to + "#" + std::to_string(++sent_per_pair_[from + "\n" + to]);
  }
  if (ReplaySession* replay = runtime_.replay()) {
    const Trace::MessageEvents* recorded = replay->trace().Message(m.id);
    const MessageSend* rs =
        recorded && recorded->send ? recorded->send->As<MessageSend>() : nullptr;
    std::string recorded_payload;
    if (rs != nullptr) {
      auto text = replay->trace().Text(rs->payload);
      recorded_payload =
          text.ok() ? std::move(text).value() : "<unreadable: " + text.status().message() + ">";
    }
    if (rs == nullptr || rs->to != to || rs->intent != intent || recorded_payload != payload) {
      Divergence d;
      d.agent = from;
      d.kind = EventKind::kMessageSend;
      if (rs == nullptr) {
        d.summary = from + " sent " + m.id + ", which the recording does not have";
      } else {
        d.recorded_seq = recorded->send->seq;
        d.summary = from + "'s message " + m.id + " differs from the recording (#" +
                    std::to_string(recorded->send->seq) + ")";
        d.fields =
            DiffFields({{"to", rs->to}, {"intent", rs->intent}, {"payload", recorded_payload}},
                       {{"to", to}, {"intent", intent}, {"payload", payload}});
        for (uint64_t seq : replay->trace().CauseChain(recorded->send->seq))
          d.chain.push_back(DescribeEvent(*replay->trace().BySeq(seq)));
      }
      (void)replay->ReportDivergence(std::move(d));  // Strict mode stops the next call.
    }
  }
  m.send_seq = runtime_.Record(
      from, MessageSend{m.id, to, intent, Content(payload), m.context_versions}, cause);
  {
    std::lock_guard<std::mutex> lock(mu_);
    mailboxes_[to].push_back(m);
  }
  cv_.notify_all();
  return m;
}

Result<AgentMessage> Channel::Receive(const std::string& agent, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string expected;
  ReplaySession* replay = runtime_.replay();
  if (replay != nullptr) {
    auto turn = replay->AwaitDeliveryTurn(agent, timeout);
    if (!turn.ok()) return turn.status();
    expected = *turn;
  }
  std::unique_lock<std::mutex> lock(mu_);
  auto& box = mailboxes_[agent];
  auto find = [&] {
    if (expected.empty()) return box.begin();
    return std::find_if(box.begin(), box.end(),
                        [&](const AgentMessage& m) { return m.id == expected; });
  };
  // In replay it may be this agent's turn before the sender's thread has sent: wait for it.
  if (!cv_.wait_until(lock, deadline, [&] { return find() != box.end(); }))
    return Status::NotFound(agent + " received no message within " +
                            std::to_string(timeout.count()) + " ms");
  auto it = find();
  AgentMessage m = std::move(*it);
  box.erase(it);
  lock.unlock();
  m.delivery_seq = runtime_.Record(agent, MessageDelivery{m.id, m.from}, m.send_seq);
  if (replay != nullptr) replay->DeliveryDone(agent);
  return m;
}

bool Channel::HasMail(const std::string& agent) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = mailboxes_.find(agent);
  return it != mailboxes_.end() && !it->second.empty();
}

uint64_t Channel::Interpret(const std::string& agent, const AgentMessage& message,
                            const std::string& understood_intent, const std::string& summary) {
  return runtime_.Record(agent,
                         MessageInterpretation{message.id, understood_intent, Content(summary)},
                         message.delivery_seq);
}

uint64_t Channel::Processed(const std::string& agent, const AgentMessage& message) {
  return runtime_.Record(agent, MessageProcessed{message.id}, message.delivery_seq);
}

}  // namespace baton
