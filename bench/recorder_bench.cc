// The cost of recording on the calling thread, and sustained throughput to a file:
// baton's Recorder beside a JSON-lines + zstd tracer (jsonl_zstd_baseline.h), same events,
// same run. Per-call latencies are sampled individually so the median is a real median.
//
// Prints Google Benchmark's table, then one line per figure:
//   figure NAME baton=X jsonl_zstd=Y ratio=Y/X   (times: ratio > 1 means baton is faster)
// and the writer thread's scan for secrets beside its other per-byte cost, zstd -3 of the
// same text (the baseline tracer compresses but never redacts):
//   figure recorder.redact_mb_per_s baton=X zstd3=Y ratio=X/Y
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>

#include "bench/bench_dir.h"
#include "bench/jsonl_zstd_baseline.h"
#include "bench/real_time_reporter.h"
#include "recorder/recorder.h"
#include "recorder/redactor.h"

namespace baton::bench {
namespace {

std::string Prose(size_t n, uint64_t seed) {
  static const char* kWords[] = {"market",  "data",   "risk",     "the",     "of",
                                 "report",  "agent",  "plan",     "summary", "quarter",
                                 "revenue", "growth", "and",      "to",      "analysis",
                                 "source",  "claim",  "evidence", "draft"};
  std::string out;
  while (out.size() < n) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    out += kWords[(seed >> 33) % std::size(kWords)];
    out += ' ';
  }
  out.resize(n);
  return out;
}

Event SmallEvent() {
  Event e;
  e.agent = "researcher";
  e.body = MessageDelivery{"m-000123", "planner"};
  return e;
}

Event ModelCallEvent() {
  ModelCall call;
  call.call_id = "c-42";
  call.request.model = "gpt-4o-mini";
  call.request.parameters = {{"temperature", "0.2"}};
  call.request.messages = {{"system", Prose(4096, 1), "", ""}, {"user", Prose(200, 2), "", ""}};
  call.response.content = Prose(300, 3);
  call.response.finish_reason = "stop";
  call.latency_ns = 1'200'000'000;
  Event e;
  e.agent = "writer";
  e.body = std::move(call);
  return e;
}

// A model request's messages as their JSON text: prose with escaped newlines and quotes,
// a list, a URL with a query, numbers, as an agent's prompt and tool output carry them; the
// text every event's redaction scans.
std::string MessagesJson(size_t n) {
  std::string out = "[";
  uint64_t seed = 11;
  for (int m = 0; out.size() < n; ++m) {
    out += m == 0 ? "{\"role\": \"system\", \"content\": \""
                  : (m % 2 ? "}, {\"role\": \"user\", \"content\": \""
                           : "}, {\"role\": \"assistant\", \"content\": \"");
    for (int line = 0; line < 12; ++line) {
      out += Prose(70, ++seed);
      out += line % 4 == 1 ? " (see https://example.test/q?id=" + std::to_string(seed % 9973) +
                                 "&page=2), \\\"quoted\\\" 12.5%"
                           : "";
      out += "\\n";
      if (line % 5 == 3) out += "- step " + std::to_string(line) + ": status: done\\n";
    }
    out += "\"";
  }
  return out + "}]";
}

// Figures collected for the summary lines, by name and side.
class Figures {
 public:
  void Set(const std::string& name, const std::string& side, double value) {
    std::lock_guard<std::mutex> l(mu_);
    values_[name][side] = value;
  }
  void Print() const {
    for (const auto& [name, sides] : values_) {
      auto b = sides.find("baton"), j = sides.find("jsonl_zstd");
      if (b == sides.end() || j == sides.end()) continue;
      std::printf("figure %s baton=%.1f jsonl_zstd=%.1f ratio=%.2f\n", name.c_str(), b->second,
                  j->second, b->second > 0 ? j->second / b->second : 0.0);
    }
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, double>> values_;
};

// The median cost of the two steady_clock reads that TimeCalls puts around every call. It is
// inside both sides' samples; printed so that a reader can take it out of both.
double TimerOverheadNs() {
  std::vector<double> samples(1 << 18);
  for (double& sample : samples) {
    auto t0 = std::chrono::steady_clock::now();
    auto t1 = std::chrono::steady_clock::now();
    sample = std::chrono::duration<double, std::nano>(t1 - t0).count();
  }
  std::nth_element(samples.begin(), samples.begin() + samples.size() / 2, samples.end());
  return samples[samples.size() / 2];
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(p * (v.size() - 1));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

// Runs `record` once per iteration, timing each call.
template <typename F>
void TimeCalls(benchmark::State& state, Figures& figures, const std::string& name,
               const std::string& side, F&& record) {
  std::vector<double> samples;
  samples.reserve(1 << 20);
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    record();
    auto t1 = std::chrono::steady_clock::now();
    if (samples.size() < samples.capacity())
      samples.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
  }
  double p50 = Percentile(samples, 0.5), p99 = Percentile(samples, 0.99);
  state.counters["p50_ns"] = benchmark::Counter(p50, benchmark::Counter::kAvgThreads);
  state.counters["p99_ns"] = benchmark::Counter(p99, benchmark::Counter::kAvgThreads);
  if (state.thread_index() == 0) figures.Set(name + ".p50_ns", side, p50);
}

}  // namespace
}  // namespace baton::bench

int main(int argc, char** argv) {
  using namespace baton;
  using namespace baton::bench;
  benchmark::Initialize(&argc, argv);
  BenchDir scratch("recorder_bench");
  const std::string& dir = scratch.path();
  Figures figures;
  const Event small = SmallEvent(), model = ModelCallEvent();

  // One recorder and one tracer per case, shared by the case's threads and iterations.
  std::vector<std::unique_ptr<Recorder>> recorders;
  std::vector<std::unique_ptr<JsonlZstdTracer>> tracers;
  struct Case {
    std::string name;
    const Event* event;
    int threads;
  };
  for (const Case& c :
       {Case{"small_event.1_thread", &small, 1}, Case{"small_event.2_threads", &small, 2},
        Case{"model_call_4k.1_thread", &model, 1}, Case{"model_call_4k.2_threads", &model, 2}}) {
    auto rec = Recorder::Create(dir + "/" + c.name + ".baton", SessionHeader{});
    if (!rec.ok()) {
      std::fprintf(stderr, "%s\n", rec.status().ToString().c_str());
      return 1;
    }
    Recorder* r = rec->get();
    recorders.push_back(std::move(rec).value());
    auto tracer = std::make_unique<JsonlZstdTracer>(dir + "/" + c.name + ".jsonl.zst", 3);
    JsonlZstdTracer* t = tracer.get();
    tracers.push_back(std::move(tracer));
    const Event* event = c.event;
    std::string name = c.name;
    benchmark::RegisterBenchmark(("record/baton/" + name).c_str(),
                                 [=, &figures](benchmark::State& s) {
                                   TimeCalls(s, figures, "recorder." + name, "baton", [&] {
                                     r->Record(event->agent, event->body, event->cause);
                                   });
                                 })
        ->Threads(c.threads)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("record/jsonl_zstd/" + name).c_str(),
                                 [=, &figures](benchmark::State& s) {
                                   TimeCalls(s, figures, "recorder." + name, "jsonl_zstd",
                                             [&] { t->Record(*event); });
                                 })
        ->Threads(c.threads)
        ->UseRealTime();
  }

  // Sustained: N small events to a file, closed, per second.
  constexpr int kSustained = 200'000;
  benchmark::RegisterBenchmark("sustained/baton/small_events",
                               [&](benchmark::State& s) {
                                 for (auto _ : s) {
                                   auto rec =
                                       Recorder::Create(dir + "/sustained.baton", SessionHeader{});
                                   for (int i = 0; i < kSustained; ++i)
                                     (*rec)->Record(small.agent, small.body);
                                   benchmark::DoNotOptimize((*rec)->Close());
                                 }
                                 s.SetItemsProcessed(s.iterations() * kSustained);
                               })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->Iterations(3);
  benchmark::RegisterBenchmark("sustained/jsonl_zstd/small_events",
                               [&](benchmark::State& s) {
                                 for (auto _ : s) {
                                   JsonlZstdTracer t(dir + "/sustained.jsonl.zst", 3);
                                   for (int i = 0; i < kSustained; ++i) t.Record(small);
                                   t.Close();
                                 }
                                 s.SetItemsProcessed(s.iterations() * kSustained);
                               })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->Iterations(3);

  // The writer thread's scan for secrets, beside zstd -3 of the same text.
  const std::string messages = MessagesJson(64 << 10);
  auto redactor = Redactor::Create({});
  if (!redactor.ok()) return 1;
  benchmark::RegisterBenchmark("redact/baton/messages_json", [&](benchmark::State& s) {
    std::string out;
    for (auto _ : s) benchmark::DoNotOptimize(redactor->RedactText(messages, out));
    s.SetBytesProcessed(static_cast<int64_t>(s.iterations() * messages.size()));
  });
  benchmark::RegisterBenchmark("redact/zstd3/messages_json", [&](benchmark::State& s) {
    for (auto _ : s) benchmark::DoNotOptimize(ZstdCompress(messages, 3));
    s.SetBytesProcessed(static_cast<int64_t>(s.iterations() * messages.size()));
  });

  RealTimeReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  // Times, so that ratio = baseline time / baton time as for the other figures.
  figures.Set("recorder.sustained.ms_per_200k_events", "baton",
              reporter.Seconds("sustained/", "/baton/") * 1e3);
  figures.Set("recorder.sustained.ms_per_200k_events", "jsonl_zstd",
              reporter.Seconds("sustained/", "/jsonl_zstd/") * 1e3);

  for (auto& r : recorders) (void)r->Close();
  for (auto& t : tracers) t->Close();
  std::printf("\n");  // The console reporter leaves a colour reset pending; figures start clean.
  figures.Print();
  std::printf("figure recorder.timer_overhead_ns value=%.1f\n", TimerOverheadNs());
  const double redact_s = reporter.Seconds("redact/baton/", ""),
               zstd_s = reporter.Seconds("redact/zstd3/", "");
  if (redact_s > 0 && zstd_s > 0)
    std::printf("figure recorder.redact_mb_per_s baton=%.0f zstd3=%.0f ratio=%.2f\n",
                messages.size() / redact_s / 1e6, messages.size() / zstd_s / 1e6,
                zstd_s / redact_s);
  return 0;
}
