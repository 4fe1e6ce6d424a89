// AgentRuntime: what agent code runs on so that it can be recorded and replayed unchanged.
//
// An agent system built on the runtime calls the model, tools, the clock, the random source
// and the environment through it, talks to other agents through its Channel and shares
// state through its ContextStore. The same program then runs in any mode:
//
//   BATON_RECORD=run.baton ./my_agents          # live, recorded
//   BATON_REPLAY=run.baton ./my_agents          # served from run.baton; divergences reported
//   BATON_REPLAY=run.baton BATON_RECORD=re.baton ./my_agents   # ...and the replay recorded
//
// Other variables: BATON_REPLAY_MODE=replay|replay-or-record, BATON_ON_DIVERGENCE=stop|continue,
// BATON_REPLAY_REPORT=FILE (the replay report as JSON, written by Finish(); `baton replay`
// reads it). The explicit API (RuntimeOptions) does the same for tests.
//
// Thread-safe: agents may run on several threads.
#ifndef BATON_HARNESS_RUNTIME_AGENT_RUNTIME_H_
#define BATON_HARNESS_RUNTIME_AGENT_RUNTIME_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/clock.h"
#include "harness/runtime/channel.h"
#include "harness/runtime/context_store.h"
#include "harness/runtime/model_client.h"
#include "harness/runtime/session_events.h"
#include "recorder/recorder.h"
#include "replayer/replay_session.h"

namespace baton {

// Where time comes from.
enum class TimeSource {
  kSystem,   // Real time; sleeps sleep.
  kVirtual,  // A clock that moves only by sleeps and simulated latencies: fast, repeatable.
};

struct RetryPolicy {
  uint32_t max_attempts = 3;
  std::chrono::milliseconds initial_backoff{500};
  double multiplier = 2.0;
};

struct RuntimeOptions {
  ReplayMode mode = ReplayMode::kPassthrough;
  std::string record_path;         // Where the session (or the replayed session) is recorded.
  std::string replay_path;         // kReplay / kReplayOrRecord: the recording to serve.
  std::string replay_report_path;  // Optional: Finish() writes the ReplayReport JSON here.
  ReplayOptions replay;            // Normalizers, divergence policy, waits.
  TimeSource time = TimeSource::kSystem;
  uint64_t random_seed = 0;  // 0: seeded from std::random_device (as live systems are).
  RetryPolicy retry;
  SessionHeader header;
  RecorderOptions recorder;
};

// Reads BATON_RECORD, BATON_REPLAY, BATON_REPLAY_MODE, BATON_ON_DIVERGENCE,
// BATON_REPLAY_REPORT, BATON_REPLAY_OVERRIDES (a JSON file of patches and faults, see
// replayer/replay_overrides.h) and BATON_SESSION_METADATA ("key=value" lines added to the
// header) over `defaults`. Bad values are an error naming the variable.
Result<RuntimeOptions> RuntimeOptionsFromEnvironment(RuntimeOptions defaults);

class AgentRuntime final : public SessionEvents {
 public:
  // `model` and `tools` are the live clients (borrowed; either may be nullptr when the mode
  // never goes live or the program has none).
  static Result<std::unique_ptr<AgentRuntime>> Create(RuntimeOptions options, ModelClient* model,
                                                      ToolClient* tools);
  ~AgentRuntime();

  ReplayMode mode() const { return options_.mode; }
  Channel& channel() { return *channel_; }
  ContextStore& context() { return *context_; }

  // A model call with retries: each attempt is a model_call event (attempt 1, 2, ...), each
  // retry a retry event with its backoff; the result is the last attempt's.
  Result<ModelResponse> CallModel(const std::string& agent, ModelRequest request,
                                  uint64_t cause = 0);
  Result<std::string> CallTool(const std::string& agent, const std::string& tool,
                               const std::string& arguments, uint64_t cause = 0);
  // The wall clock, as the agent sees it (recorded; served in replay).
  Result<int64_t> NowNanos(const std::string& agent);
  // A random number from `stream` (recorded; served in replay).
  Result<uint64_t> RandomNumber(const std::string& agent, const std::string& stream);
  // An environment variable (recorded; served in replay). nullopt when unset.
  Result<std::optional<std::string>> Env(const std::string& agent, const std::string& name);
  // Sleeps on the runtime's clock (virtual time moves; system time sleeps; replay skips).
  void Sleep(std::chrono::nanoseconds duration);

  // Records an event the runtime does not produce itself (routing decisions, scores,
  // checks, spans, the outcome). Returns its seq, or 0 when nothing is recorded.
  uint64_t Record(const std::string& agent, EventBody body, uint64_t cause = 0) override;

  // The session's clock (monotonic since start, wall).
  const Clock& clock() const { return *clock_; }
  // The virtual clock (TimeSource::kVirtual), for simulated latencies; nullptr otherwise.
  ManualClock* virtual_clock() { return virtual_clock_.get(); }
  ReplaySession* replay() override { return replay_.get(); }

  // Closes the recording and writes the replay report. Returns Diverged when a replay did
  // not match, with the report's text as message.
  Status Finish();
  // The replay report so far (empty when not replaying).
  ReplayReport replay_report() const;

 private:
  AgentRuntime(RuntimeOptions options, ModelClient* model, ToolClient* tools);
  Status Start();
  std::string NextCallId(const std::string& agent, const char* kind);
  // Serves `live` from the recording; nullptr result = go live.
  Result<const Event*> ServeOrLive(const Event& live);
  bool Recording() const { return recorder_ != nullptr; }

  RuntimeOptions options_;
  ModelClient* model_ = nullptr;
  ToolClient* tools_ = nullptr;
  std::unique_ptr<Clock> system_clock_;
  std::unique_ptr<ManualClock> virtual_clock_;
  Clock* clock_ = nullptr;
  std::unique_ptr<Recorder> recorder_;
  std::unique_ptr<ReplaySession> replay_;
  std::unique_ptr<Channel> channel_;
  std::unique_ptr<ContextStore> context_;

  std::mutex mu_;
  std::map<std::string, uint64_t> call_counters_;
  std::map<std::string, uint64_t> random_state_;  // Per stream.
  uint64_t seed_ = 0;
  bool finished_ = false;
};

}  // namespace baton

#endif  // BATON_HARNESS_RUNTIME_AGENT_RUNTIME_H_
