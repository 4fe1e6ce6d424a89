// ProxyServer: baton between any agent program and an OpenAI- or Anthropic-compatible API.
//
// In record mode every call is forwarded to the upstream and recorded as a model-call event
// (structured request and response, the HTTP status, headers and body, a stream's frames with
// their arrival offsets), with the agents, handoffs and tool calls recovered from the traffic
// (agent_inference.h). In replay mode the same requests are answered from a recording with
// the same bytes, framed the same way, without the network; a request the recording does
// not have (a miss) is answered with HTTP 424 and an error body in the API's own shape naming
// the agent, the call and the field diff. replay-or-record forwards misses and records them.
//
// Runs its own event loop thread; listens on loopback unless told otherwise.
#ifndef BATON_HARNESS_PROXY_PROXY_SERVER_H_
#define BATON_HARNESS_PROXY_PROXY_SERVER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"
#include "harness/proxy/fault_plan.h"
#include "recorder/recorder.h"
#include "replayer/replay_session.h"

namespace baton::proxy {

// The status of a replay miss: 424 Failed Dependency, which no SDK retries.
inline constexpr unsigned kReplayMissStatus = 424;

enum class Pace {
  kFast,      // Replayed streams are sent as fast as the client reads.
  kRecorded,  // Each frame at its recorded offset (time to first byte and gaps).
};

struct ProxyOptions {
  std::string listen_host = "127.0.0.1";
  unsigned listen_port = 0;  // 0: an ephemeral port (see ProxyServer::port()).
  ReplayMode mode = ReplayMode::kRecord;
  std::string openai_upstream = "https://api.openai.com/v1";
  std::string anthropic_upstream = "https://api.anthropic.com";
  std::string gemini_upstream = "https://generativelanguage.googleapis.com";
  Recorder* recorder = nullptr;     // Borrowed: kRecord, kReplayOrRecord.
  ReplaySession* replay = nullptr;  // Borrowed: kReplay, kReplayOrRecord.
  Pace pace = Pace::kFast;
  size_t max_body_bytes = 32u << 20;                    // Larger request bodies get 413.
  std::chrono::milliseconds upstream_timeout{600'000};  // Until the response headers: 504.
  FaultPlan faults;  // Failures answered in place of the upstream or the recording.
};

struct ProxyStats {
  uint64_t requests = 0;
  uint64_t faults = 0;     // Answered with an injected failure (--faults).
  uint64_t recorded = 0;   // Calls written to the recorder.
  uint64_t served = 0;     // Answered from the recording.
  uint64_t forwarded = 0;  // Sent to an upstream.
  uint64_t misses = 0;     // Answered 424.
  uint64_t rejected = 0;   // Bad requests (413, 400) and upstream failures (502, 504).
};

class ProxyServer {
 public:
  static Result<std::unique_ptr<ProxyServer>> Start(ProxyOptions options);
  ~ProxyServer();  // Stops.
  ProxyServer(const ProxyServer&) = delete;
  ProxyServer& operator=(const ProxyServer&) = delete;

  unsigned port() const;
  std::string origin() const;  // "http://127.0.0.1:PORT"
  ProxyStats stats() const;
  // Stops listening and waits for the loop thread; calls in flight are cut.
  void Stop();

  class Impl;

 private:
  explicit ProxyServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace baton::proxy

#endif  // BATON_HARNESS_PROXY_PROXY_SERVER_H_
