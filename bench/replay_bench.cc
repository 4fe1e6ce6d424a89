// Replay cost against recording cost, for the same 10,000-event session (synthetic: growing
// multi-turn conversations, tool calls, handoffs). Replay = open the log, build the
// ReplaySession, then serve every recorded call, delivery and context read in order, the
// way the agents' code would ask for them (with full prompt texts, which the session
// hashes). Record = the Recorder writing the same events, Close included.
//
// Prints Google Benchmark's table, then:
//   figure replay.ns_per_event record=X replay=Y ratio=X/Y   (ratio > 1: replay is faster)
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "bench/bench_dir.h"
#include "bench/real_time_reporter.h"
#include "harness/synth/synthetic_session.h"
#include "recorder/recorder.h"
#include "replayer/replay_session.h"
#include "replayer/trace.h"

namespace baton::bench {
using synth::SynthOptions;
namespace {

SynthOptions TenThousandEvents() {
  SynthOptions o;
  o.seed = 11;
  o.agents = 4;
  o.turns = 960;  // About 10,000 events.
  o.payload_bytes = 300;
  return o;
}

bool IsServed(EventKind k) {
  return k == EventKind::kModelCall || k == EventKind::kToolCall || k == EventKind::kClockRead ||
         k == EventKind::kRandomDraw || k == EventKind::kEnvRead;
}

}  // namespace
}  // namespace baton::bench

int main(int argc, char** argv) {
  using namespace baton;
  using namespace baton::bench;
  using namespace baton::synth;
  benchmark::Initialize(&argc, argv);
  BenchDir scratch("replay_bench");
  const std::string& dir = scratch.path();
  const std::string recording = dir + "/session.baton";
  const SynthOptions options = TenThousandEvents();
  Status s = WriteSyntheticSession(recording, options, 0);
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  uint64_t events = 0;
  // What the agents' code asks, built outside the timing: the recorded requests with their
  // full texts, as live code produces them (a replay hashes every live prompt in full).
  auto resolved = Trace::Load(recording);
  if (!resolved.ok()) {
    std::fprintf(stderr, "%s\n", resolved.status().ToString().c_str());
    return 1;
  }
  const std::vector<Event>& live = resolved->events();

  benchmark::RegisterBenchmark(
      "record/10k_event_session",
      [&](benchmark::State& state) {
        for (auto _ : state) {
          auto rec = Recorder::Create(dir + "/rerecorded.baton", SyntheticHeader(options, 0));
          events = RecordSyntheticEvents(options, 0, **rec);
          benchmark::DoNotOptimize((*rec)->Close());
        }
        state.counters["ns_per_event"] = benchmark::Counter(
            static_cast<double>(events),
            benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
      })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();

  // The part of a replay that is reading: open the log and index it.
  benchmark::RegisterBenchmark("open/10k_event_session",
                               [&](benchmark::State& state) {
                                 for (auto _ : state) {
                                   auto session = ReplaySession::Open(recording, ReplayOptions{});
                                   benchmark::DoNotOptimize(session.ok());
                                 }
                               })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();

  benchmark::RegisterBenchmark(
      "replay/10k_event_session",
      [&](benchmark::State& state) {
        uint64_t served = 0;
        for (auto _ : state) {
          auto session = ReplaySession::Open(recording, ReplayOptions{});
          if (!session.ok()) {
            state.SkipWithError(session.status().ToString().c_str());
            return;
          }
          ReplaySession& r = **session;
          served = 0;
          for (const Event& e : live) {
            if (IsServed(e.kind())) {
              auto got = r.Serve(e);  // The live request equals the recorded one.
              if (!got.ok()) {
                state.SkipWithError(got.status().ToString().c_str());
                return;
              }
              ++served;
            } else if (e.kind() == EventKind::kMessageDelivery) {
              (void)r.AwaitDeliveryTurn(e.agent, std::chrono::milliseconds(0));
              r.DeliveryDone(e.agent);
            } else if (auto* read = e.As<ContextRead>()) {
              (void)r.ExpectedReadVersion(e.agent, read->key);
            }
          }
          if (!r.Report().matched) state.SkipWithError("the replay did not match");
        }
        state.counters["served"] = static_cast<double>(served);
      })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();

  RealTimeReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  const double record_s = reporter.Seconds("record/"), replay_s = reporter.Seconds("replay/");
  if (events > 0 && record_s > 0 && replay_s > 0) {
    double rec = record_s * 1e9 / events, rep = replay_s * 1e9 / events;
    std::printf("\nfigure replay.events value=%llu\n", static_cast<unsigned long long>(events));
    std::printf("figure replay.ns_per_event record=%.1f replay=%.1f ratio=%.2f\n", rec, rep,
                rec / rep);
  }
  return 0;
}
