// The cost of `baton check`'s analyses against the cost of reading the same sessions, over a
// 1,000-session synthetic corpus (baton synth: 4 agents, 20 turns each).
//   read  = open, decompress and decode every session into a Trace;
//   check = the same, then every analysis and the root-cause explanation.
// Both on one thread; the CLI spreads sessions over every core on top of this.
//
// Prints Google Benchmark's table, then:
//   figure check.events_per_s read=X check=Y ratio=Y/X
//   figure check.analysis_cost_over_read value=(check - read) / read   (goal: <= 1)
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "bench/bench_dir.h"
#include "bench/check_session.h"
#include "bench/real_time_reporter.h"
#include "harness/synth/synthetic_session.h"

int main(int argc, char** argv) {
  using namespace baton;
  benchmark::Initialize(&argc, argv);
  bench::BenchDir scratch("check_bench");
  const std::string& dir = scratch.path();
  synth::SynthOptions options;
  options.agents = 4;
  options.turns = 20;
  constexpr int kSessions = 1000;
  std::vector<std::string> files;
  for (int i = 0; i < kSessions; ++i) {
    options.seed = 1000 + i;
    char name[64];
    std::snprintf(name, sizeof name, "/s%04d.baton", i);
    files.push_back(dir + name);
    Status s = synth::WriteSyntheticSession(files.back(), options, 0);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
  }
  uint64_t events = 0;
  size_t failing = 0;

  benchmark::RegisterBenchmark("read/1000_sessions",
                               [&](benchmark::State& state) {
                                 for (auto _ : state) {
                                   events = 0;
                                   for (const std::string& f : files) {
                                     auto t = Trace::Load(f);
                                     if (!t.ok()) {
                                       state.SkipWithError(t.status().ToString().c_str());
                                       return;
                                     }
                                     events += t->events().size();
                                   }
                                 }
                                 state.counters["events_per_s"] = benchmark::Counter(
                                     static_cast<double>(events),
                                     benchmark::Counter::kIsIterationInvariantRate);
                               })
      ->Unit(benchmark::kMillisecond)
      ->MinTime(4.0)  // Several passes: one pass varies by +-20% on a busy 2-core machine.
      ->UseRealTime();

  benchmark::RegisterBenchmark("check/1000_sessions",
                               [&](benchmark::State& state) {
                                 const Policy policy;
                                 const ScorerSet scorers = ScorerSet::Defaults();
                                 for (auto _ : state) {
                                   failing = 0;
                                   for (const std::string& f : files) {
                                     auto ex = bench::CheckSession(f, policy, scorers);
                                     if (!ex.ok()) {
                                       state.SkipWithError(ex.status().ToString().c_str());
                                       return;
                                     }
                                     failing += ex->passed ? 0 : 1;
                                     benchmark::DoNotOptimize(ex->paragraph.data());
                                   }
                                 }
                                 state.counters["events_per_s"] = benchmark::Counter(
                                     static_cast<double>(events),
                                     benchmark::Counter::kIsIterationInvariantRate);
                                 state.counters["failing"] = static_cast<double>(failing);
                               })
      ->Unit(benchmark::kMillisecond)
      ->MinTime(4.0)  // Several passes: one pass varies by +-20% on a busy 2-core machine.
      ->UseRealTime();

  bench::RealTimeReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  const double read_s = reporter.Seconds("read/"), check_s = reporter.Seconds("check/");
  if (read_s > 0 && check_s > 0) {
    std::printf("\nfigure check.sessions value=%d events=%llu\n", kSessions,
                static_cast<unsigned long long>(events));
    std::printf("figure check.events_per_s read=%.0f check=%.0f ratio=%.2f\n", events / read_s,
                events / check_s, read_s / check_s);
    std::printf("figure check.analysis_cost_over_read value=%.2f\n", (check_s - read_s) / read_s);
  }
  return 0;
}
