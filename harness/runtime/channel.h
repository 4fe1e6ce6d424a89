// Channel: agents send each other messages through it. Each send, delivery, interpretation
// and processing is an event; in replay, deliveries happen in the recorded order whatever
// the threads' timing, which is what makes a concurrent session replay the same way.
#ifndef BATON_HARNESS_RUNTIME_CHANNEL_H_
#define BATON_HARNESS_RUNTIME_CHANNEL_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "recorder/event.h"

namespace baton {

class SessionEvents;

struct AgentMessage {
  std::string id;  // "planner->writer#2": stable across runs of the same code.
  std::string from;
  std::string to;
  std::string intent;
  std::string payload;
  std::vector<ContextRef> context_versions;  // What the sender built the message on.
  uint64_t send_seq = 0;                     // The message_send event (0 when not recorded).
  uint64_t delivery_seq = 0;                 // The message_delivery event.
};

class Channel {
 public:
  explicit Channel(SessionEvents& runtime) : runtime_(runtime) {}

  // Records the send and queues the message for `to`. Returns the message (with its id).
  AgentMessage Send(const std::string& from, const std::string& to, const std::string& intent,
                    const std::string& payload, std::vector<ContextRef> context_versions = {},
                    uint64_t cause = 0);

  // The next message for `agent`, waiting up to `timeout`. Records the delivery. In replay,
  // waits for the recorded turn and takes the recorded message. NotFound on timeout (poll
  // again); Diverged once a strict replay has stopped.
  Result<AgentMessage> Receive(const std::string& agent,
                               std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Whether a message waits for `agent` (records nothing).
  bool HasMail(const std::string& agent);

  // What the receiver understood the message to ask for.
  uint64_t Interpret(const std::string& agent, const AgentMessage& message,
                     const std::string& understood_intent, const std::string& summary);
  // The receiver is done with the message.
  uint64_t Processed(const std::string& agent, const AgentMessage& message);

 private:
  SessionEvents& runtime_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::deque<AgentMessage>> mailboxes_;
  std::map<std::string, uint64_t> sent_per_pair_;
};

}  // namespace baton

#endif  // BATON_HARNESS_RUNTIME_CHANNEL_H_
