#include "harness/runtime/context_store.h"

#include "harness/runtime/session_events.h"
#include "replayer/replay_session.h"

namespace baton {

ContextValue ContextStore::Write(const std::string& agent, const std::string& key,
                                 const std::string& value, uint64_t cause) {
  ContextValue v;
  v.key = key;
  v.value = value;
  {
    // The version is fixed and the event recorded under the lock, so versions and seqs
    // agree on the order of writes.
    std::lock_guard<std::mutex> lock(mu_);
    auto& history = versions_[key];
    v.version = history.size() + 1;
    v.write_seq = runtime_.Record(agent, ContextWrite{key, v.version, Content(value)}, cause);
    history.push_back(v);
  }
  cv_.notify_all();
  return v;
}

Result<ContextValue> ContextStore::Read(const std::string& agent, const std::string& key,
                                        uint64_t cause) {
  return ReadVersion(agent, key, 0, cause);
}

Result<ContextValue> ContextStore::ReadVersion(const std::string& agent, const std::string& key,
                                               uint64_t version, uint64_t cause) {
  uint64_t wanted = version;  // 0: the latest.
  std::chrono::milliseconds wait{0};
  ReplaySession* replay = runtime_.replay();
  if (replay != nullptr) {
    auto v = replay->ExpectedReadVersion(agent, key);
    if (!v.ok()) return v.status();
    if (*v != 0) wanted = *v;
    wait = replay->options().wait_timeout;
  }
  std::unique_lock<std::mutex> lock(mu_);
  auto& history = versions_[key];
  if (replay == nullptr && wanted > 0 && history.size() < wanted)
    return Status::NotFound("context key '" + key + "' has no version " + std::to_string(wanted));
  if (wanted > 0 && !cv_.wait_for(lock, wait, [&] { return history.size() >= wanted; })) {
    return Status::NotFound(agent + " reads " + key + " v" + std::to_string(wanted) +
                            " as in the recording, and the live run never wrote it");
  }
  if (history.empty()) return Status::NotFound("context key '" + key + "' was never written");
  ContextValue v = wanted > 0 ? history[wanted - 1] : history.back();
  lock.unlock();
  runtime_.Record(agent, ContextRead{key, v.version}, cause);
  return v;
}

}  // namespace baton
