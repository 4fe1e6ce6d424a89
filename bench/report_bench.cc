// `baton report`'s page against `baton cat`'s JSON of the same session (the baseline a user
// would otherwise open), and that JSON compressed with zstd -3 (the JSON lines + zstd
// baseline): bytes and time to produce, on a synthetic session of 1,000 turns (baton synth:
// 4 agents, about 10,000 events, each model call resending its conversation).
//
// Prints Google Benchmark's table, then:
//   figure report.bytes page=P cat_json=C cat_json_zstd3=Z page_over_cat=P/C page_over_zstd=P/Z
//   figure report.seconds page=S cat_json=T ratio=S/T
#include <benchmark/benchmark.h>

#include <cstdio>

#include "assertions/root_cause.h"
#include "bench/bench_dir.h"
#include "bench/jsonl_zstd_baseline.h"
#include "harness/report/html_report.h"
#include "harness/synth/synthetic_session.h"
#include "replayer/event_json.h"

int main(int argc, char** argv) {
  using namespace baton;
  benchmark::Initialize(&argc, argv);
  bench::BenchDir scratch("report_bench");
  const std::string file = scratch.path() + "/s.baton";
  synth::SynthOptions options;
  options.agents = 4;
  options.turns = 1000;
  options.seed = 7;
  if (Status s = synth::WriteSyntheticSession(file, options, 0); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  auto trace = Trace::Load(file);
  if (!trace.ok()) {
    std::fprintf(stderr, "%s\n", trace.status().ToString().c_str());
    return 1;
  }
  size_t page_bytes = 0, cat_bytes = 0, zstd_bytes = 0;
  double page_s = 0, cat_s = 0;

  benchmark::RegisterBenchmark("report/page", [&](benchmark::State& state) {
    for (auto _ : state) {
      ScorerSet scorers = ScorerSet::Defaults();
      Analysis analysis = Analyze(*trace, Policy(), scorers);
      Explanation explanation = Explain(*trace, analysis);
      report::HtmlReportBuilder builder("bench");
      builder.AddSession({file, &*trace, &analysis, &explanation, {}, ""});
      std::string page = builder.Finish();
      page_bytes = page.size();
      benchmark::DoNotOptimize(page.data());
    }
    state.counters["bytes"] = static_cast<double>(page_bytes);
  })->Unit(benchmark::kMillisecond);

  benchmark::RegisterBenchmark("baseline/cat_json", [&](benchmark::State& state) {
    for (auto _ : state) {
      std::string out;
      for (const Event& e : trace->events()) {
        JsonWriter w;
        WriteEventJson(e, w);
        out += w.str();
        out += '\n';
      }
      cat_bytes = out.size();
      state.PauseTiming();
      zstd_bytes = bench::ZstdCompress(out, 3).size();
      state.ResumeTiming();
    }
    state.counters["bytes"] = static_cast<double>(cat_bytes);
    state.counters["zstd3_bytes"] = static_cast<double>(zstd_bytes);
  })->Unit(benchmark::kMillisecond);

  struct Collect : benchmark::ConsoleReporter {
    double* page;
    double* cat;
    Collect(double* p, double* c) : page(p), cat(c) {}
    void ReportRuns(const std::vector<Run>& runs) override {
      for (const Run& r : runs) {
        double s = r.GetAdjustedRealTime() / 1e3;  // kMillisecond.
        if (r.benchmark_name() == "report/page") *page = s;
        if (r.benchmark_name() == "baseline/cat_json") *cat = s;
      }
      ConsoleReporter::ReportRuns(runs);
    }
  } reporter(&page_s, &cat_s);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf(
      "figure report.bytes page=%zu cat_json=%zu cat_json_zstd3=%zu page_over_cat=%.4f "
      "page_over_zstd=%.2f\n",
      page_bytes, cat_bytes, zstd_bytes, static_cast<double>(page_bytes) / cat_bytes,
      static_cast<double>(page_bytes) / zstd_bytes);
  std::printf("figure report.seconds page=%.3f cat_json=%.3f ratio=%.2f\n", page_s, cat_s,
              cat_s > 0 ? page_s / cat_s : 0.0);
  return 0;
}
