// ContextStore: keyed, versioned shared state. Every write and read is an event with the key
// and version, so staleness can be computed later rather than guessed. In replay a read
// returns the version the recording read, waiting for it to be written if need be.
#ifndef BATON_HARNESS_RUNTIME_CONTEXT_STORE_H_
#define BATON_HARNESS_RUNTIME_CONTEXT_STORE_H_

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "recorder/event.h"

namespace baton {

class SessionEvents;

struct ContextValue {
  std::string key;
  uint64_t version = 0;  // 1, 2, ... per key.
  std::string value;
  uint64_t write_seq = 0;
};

class ContextStore {
 public:
  explicit ContextStore(SessionEvents& runtime) : runtime_(runtime) {}

  // Stores a new version of key; returns it.
  ContextValue Write(const std::string& agent, const std::string& key, const std::string& value,
                     uint64_t cause = 0);
  // The latest version of key (in replay: the recorded version). NotFound for a key never
  // written.
  Result<ContextValue> Read(const std::string& agent, const std::string& key, uint64_t cause = 0);
  // A given version of key, as a lagging cache or replica serves it. NotFound when that
  // version was never written. (In replay, the recorded version, as for Read.)
  Result<ContextValue> ReadVersion(const std::string& agent, const std::string& key,
                                   uint64_t version, uint64_t cause = 0);

 private:
  SessionEvents& runtime_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::vector<ContextValue>> versions_;
};

}  // namespace baton

#endif  // BATON_HARNESS_RUNTIME_CONTEXT_STORE_H_
