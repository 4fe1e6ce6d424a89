// `baton replay --chaos N FILE -- PROGRAM`: N replays, each perturbed from its own seed by
// another order of the deliveries that were concurrent (any order the causal links allow,
// replayer/delivery_order.h), by failures the recording never saw (a 429 with Retry-After,
// a 503, a stream cut off mid-way, a timeout, a tool error) on calls chosen by the seed, and by
// every call's latency scaled (x0.25 to x4, so that calls end in other orders on a virtual clock);
// `--perturb` picks among the three. Every run is a recording, checked with the policy. Prints the
// distinct failures found, each with its seed, its perturbation, the `baton why` sentence and the
// command that replays exactly that run
// (`baton replay --chaos-seed S FILE -- PROGRAM`); or, when none, how many runs and faults
// were tried.
#ifndef BATON_HARNESS_CLI_CHAOS_REPLAY_H_
#define BATON_HARNESS_CLI_CHAOS_REPLAY_H_

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "harness/cli/commands.h"
#include "harness/cli/proxy_options.h"
#include "replayer/replay_overrides.h"
#include "replayer/trace.h"

namespace baton::cli {

// What a chaos run perturbs.
enum class Perturbation {
  kDeliveryOrder,  // "order": concurrent deliveries in another order.
  kLatency,        // "latency": every call's latency scaled.
  kFaults,         // "faults": one or two model calls fail first.
};
std::string_view PerturbationName(Perturbation p);
std::optional<Perturbation> PerturbationFromName(std::string_view name);

struct ChaosOptions {
  std::string file;
  std::vector<std::string> program;
  ProxyCliOptions proxy;
  uint64_t runs = 0;                 // --chaos N.
  std::optional<uint64_t> one_seed;  // --chaos-seed S: that run alone.
  uint64_t first_seed = 1;
  std::string keep_dir;  // Where the runs' recordings are kept ("": removed).
  std::string policy;
  std::vector<FaultKind> kinds = {FaultKind::kRateLimited, FaultKind::kServerError,
                                  FaultKind::kStreamCut, FaultKind::kTimeout,
                                  FaultKind::kToolError};
  std::vector<Perturbation> perturb = {Perturbation::kDeliveryOrder, Perturbation::kLatency,
                                       Perturbation::kFaults};
};

// The faults of run `seed` on `recording`: one or two of its recorded model calls, each
// with a kind from `kinds`, or (when `kinds` holds kToolError) tool calls, each failing.
// The same seed and recording give the same faults.
std::vector<ReplayFault> ChaosFaults(const Trace& recording, uint64_t seed,
                                     const std::vector<FaultKind>& kinds);

int RunChaosReplay(const ChaosOptions& options, CommandContext& ctx);

}  // namespace baton::cli

#endif  // BATON_HARNESS_CLI_CHAOS_REPLAY_H_
