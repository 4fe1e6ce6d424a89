// SessionEvents: what the runtime's parts (Channel, ContextStore) need from the runtime that
// owns them, and nothing more: a place to record events and, during a replay, the session
// that holds deliveries and context reads to the recorded order. AgentRuntime implements it;
// a test can give the parts a fake.
#ifndef BATON_HARNESS_RUNTIME_SESSION_EVENTS_H_
#define BATON_HARNESS_RUNTIME_SESSION_EVENTS_H_

#include <cstdint>
#include <string>

#include "recorder/event.h"

namespace baton {

class ReplaySession;

class SessionEvents {
 public:
  virtual ~SessionEvents() = default;
  // Records an event stamped now; returns its seq, or 0 when nothing records.
  virtual uint64_t Record(const std::string& agent, EventBody body, uint64_t cause) = 0;
  // The replay in progress, or nullptr when the run is live.
  virtual ReplaySession* replay() = 0;
};

}  // namespace baton

#endif  // BATON_HARNESS_RUNTIME_SESSION_EVENTS_H_
