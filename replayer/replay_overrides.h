// What a fork or a chaos run changes in a replay: recorded answers replaced by the user's
// (baton fork: "what if the researcher had answered correctly?"), and failures injected
// before recorded answers (baton replay --chaos, baton proxy --faults: a 429, a 5xx, a
// stream cut off, a timeout that the recording never saw).
//
// A program on baton's runtime receives them through BATON_REPLAY_OVERRIDES, a JSON file:
//   {"patches": [{"seq": 26, "response": {"content": "...", "tool_calls": [{"id": "c1",
//                  "name": "search", "arguments_json": "{}"}], "finish_reason": "stop"}},
//                {"seq": 31, "result": "tool output"},
//                {"seq": 12, "version": 7}],
//    "delivery_order": {"seed": 3},
//    "after_patch": "mode" | "live",
//    "faults": [{"agent": "writer", "call": 1, "kind": "server_error"}],
//    "latency": {"min": 0.5, "max": 3.0, "seed": 7}}
// Field names are those of `baton cat`; unknown fields are errors (a misspelt key must not
// silently fork nothing).
#ifndef BATON_REPLAYER_REPLAY_OVERRIDES_H_
#define BATON_REPLAYER_REPLAY_OVERRIDES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "recorder/event.h"

namespace baton {

// A recorded call's answer replaced: the live call is matched against the recording as
// usual and answered with this instead. A context read can be patched too: the read gets
// another version of its key than the recorded one (`baton why --counterfactual`: "had the
// researcher read the fresh market data").
struct ReplayPatch {
  uint64_t recorded_seq = 0;  // A model_call, tool_call or context_read of the recording.
  std::optional<ModelResponse> model_response;  // For a model call.
  std::optional<std::string> tool_result;       // For a tool call.
  std::optional<uint64_t> context_version;      // For a context read.
  friend bool operator==(const ReplayPatch&, const ReplayPatch&) = default;
};

// What happens to the calls after a patched one.
enum class AfterPatch {
  kAsMode,  // The replay mode decides: replay-or-record serves the calls that still match.
  kLive,    // Every later call goes to the live model or upstream (baton fork --then record).
};

enum class FaultKind {
  kRateLimited,  // HTTP 429 with Retry-After.
  kServerError,  // HTTP 503.
  kStreamCut,    // A streamed answer stops half-way (a plain one: the connection drops).
  kTimeout,      // No answer in time.
  kToolError,    // A tool call fails: its error is served in place of its result.
};
std::string_view FaultKindName(FaultKind kind);  // "rate_limited", "server_error", ...
std::optional<FaultKind> FaultKindFromName(std::string_view name);

// A failure served once in place of an agent's nth model call (the retry gets the answer),
// or, for kToolError, of its nth tool call.
struct ReplayFault {
  std::string agent;
  uint32_t call = 1;  // 1 = the agent's first model call (first tool call for kToolError).
  FaultKind kind = FaultKind::kServerError;
  friend bool operator==(const ReplayFault&, const ReplayFault&) = default;
};

// Every served call's recorded latency scaled by its own factor in [min, max], drawn from
// the seed and the call: a virtual-clock program then sees the calls end in another order
// and its reads meet other context versions. seed 0: recorded latencies.
struct LatencyJitter {
  double min = 1.0;
  double max = 1.0;
  uint64_t seed = 0;
  bool active() const { return seed != 0; }
  // The factor of the call recorded as `seq`.
  double FactorOf(uint64_t seq) const;
  friend bool operator==(const LatencyJitter&, const LatencyJitter&) = default;
};

// Messages delivered in another order than the recorded one, drawn from the seed among the
// orders the session's causal links allow (replayer/delivery_order.h). seed 0: recorded.
struct DeliveryOrder {
  uint64_t seed = 0;
  bool active() const { return seed != 0; }
  friend bool operator==(const DeliveryOrder&, const DeliveryOrder&) = default;
};

struct ReplayOverrides {
  std::vector<ReplayPatch> patches;
  AfterPatch after_patch = AfterPatch::kAsMode;
  std::vector<ReplayFault> faults;
  LatencyJitter latency;
  DeliveryOrder delivery_order;
  bool empty() const {
    return patches.empty() && faults.empty() && !latency.active() && !delivery_order.active();
  }
  friend bool operator==(const ReplayOverrides&, const ReplayOverrides&) = default;
};

std::string ReplayOverridesToJson(const ReplayOverrides& overrides);
// `what` names the source in errors ("fork.json", "BATON_REPLAY_OVERRIDES").
Result<ReplayOverrides> ParseReplayOverrides(std::string_view json, std::string_view what);
// A model response as `baton cat` writes one ({"content", "tool_calls", "finish_reason",
// ...}); unknown fields are errors, missing ones keep their defaults. `baton fork --patch`.
Result<ModelResponse> ParseModelResponse(std::string_view json, std::string_view what);

// The failed model call a fault stands for: its error and code as the runtime reports them,
// and the HTTP answer the proxy sends (status, headers, body or cut stream), in the shape of
// `recorded` (a streamed call gets half its frames, then the cut).
ModelCall FaultAnswer(const ReplayFault& fault, const ModelCall& recorded);
// The failed tool call kToolError stands for, in the shape of `recorded`.
ToolCall ToolFaultAnswer(const ToolCall& recorded);

}  // namespace baton

#endif  // BATON_REPLAYER_REPLAY_OVERRIDES_H_
