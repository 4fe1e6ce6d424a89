// Size on disk and full read-back speed of .baton against the same events as JSON lines
// compressed with zstd -3 (what `baton cat FILE | zstd -3` produces), for the sessions of
// `baton synth --turns 50 --agents 4 --sessions 20`; and the size for long sessions
// (`--turns 200 --sessions 2`), where resent history outgrows zstd -3's 2 MiB window.
//
// Prints Google Benchmark's table, then:
//   figure format.size_bytes baton=X jsonl_zstd=Y ratio=Y/X      (ratio > 1: .baton smaller)
//   figure format.read_ms baton=X jsonl_zstd=Y ratio=Y/X         (ratio > 1: .baton faster)
//   figure format.long_sessions.size_bytes baton=X jsonl_zstd=Y ratio=Y/X
#include <benchmark/benchmark.h>
#include <capnp/compat/json.h>
#include <capnp/message.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "bench/bench_dir.h"
#include "bench/jsonl_zstd_baseline.h"
#include "bench/real_time_reporter.h"
#include "harness/synth/synthetic_session.h"
#include "replayer/event_json.h"
#include "replayer/log_reader.h"

namespace baton::bench {
namespace {

struct Corpus {
  std::vector<std::string> baton_files;
  std::vector<std::string> jsonl_zstd;  // One compressed frame per session, in memory.
  uint64_t baton_bytes = 0;
  uint64_t jsonl_zstd_bytes = 0;
  uint64_t jsonl_bytes = 0;
  uint64_t events = 0;
};

bool Build(const std::string& dir, int turns, int sessions, Corpus& corpus) {
  synth::SynthOptions options;
  options.turns = turns;
  options.agents = 4;
  for (int i = 0; i < sessions; ++i) {
    std::string path = dir + "/s" + std::to_string(turns) + "-" + std::to_string(i) + ".baton";
    Status s = synth::WriteSyntheticSession(path, options, i);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return false;
    }
    Result<LogContents> log = ReadLog(path);
    if (!log.ok()) return false;
    std::string jsonl;
    for (const Event& e : log->events) jsonl += EventToJson(e) + "\n";
    corpus.baton_files.push_back(path);
    corpus.baton_bytes += std::filesystem::file_size(path);
    corpus.jsonl_bytes += jsonl.size();
    corpus.jsonl_zstd.push_back(ZstdCompress(jsonl, 3));
    corpus.jsonl_zstd_bytes += corpus.jsonl_zstd.back().size();
    corpus.events += log->events.size();
  }
  return true;
}

}  // namespace
}  // namespace baton::bench

int main(int argc, char** argv) {
  using namespace baton;
  using namespace baton::bench;
  benchmark::Initialize(&argc, argv);
  BenchDir scratch("format_bench");
  const std::string& dir = scratch.path();
  Corpus corpus, long_sessions;
  if (!Build(dir, 50, 20, corpus) || !Build(dir, 200, 2, long_sessions)) return 1;

  benchmark::RegisterBenchmark("read/baton/full_scan_with_blobs",
                               [&](benchmark::State& s) {
                                 for (auto _ : s) {
                                   uint64_t events = 0;
                                   for (const auto& path : corpus.baton_files) {
                                     auto reader = LogReader::Open(path);
                                     Event e;
                                     while (*(*reader)->Next(&e)) ++events;
                                   }
                                   benchmark::DoNotOptimize(events);
                                 }
                                 s.SetItemsProcessed(s.iterations() * corpus.events);
                               })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark(
      "read/jsonl_zstd/decompress_and_parse",
      [&](benchmark::State& s) {
        capnp::JsonCodec codec;
        for (auto _ : s) {
          uint64_t events = 0;
          for (const auto& frame : corpus.jsonl_zstd) {
            std::string text = ZstdDecompress(frame);
            size_t start = 0;
            while (start < text.size()) {
              size_t end = text.find('\n', start);
              capnp::MallocMessageBuilder message;
              codec.decodeRaw(kj::ArrayPtr<const char>(text.data() + start, end - start),
                              message.initRoot<capnp::JsonValue>());
              ++events;
              start = end + 1;
            }
          }
          benchmark::DoNotOptimize(events);
        }
        s.SetItemsProcessed(s.iterations() * corpus.events);
      })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();

  RealTimeReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  const double baton_ms = reporter.Seconds("read/", "/baton/") * 1e3;
  const double jsonl_ms = reporter.Seconds("read/", "/jsonl_zstd/") * 1e3;

  std::printf("corpus sessions=20 events=%llu jsonl_raw_bytes=%llu\n",
              static_cast<unsigned long long>(corpus.events),
              static_cast<unsigned long long>(corpus.jsonl_bytes));
  std::printf("figure format.size_bytes baton=%llu jsonl_zstd=%llu ratio=%.2f\n",
              static_cast<unsigned long long>(corpus.baton_bytes),
              static_cast<unsigned long long>(corpus.jsonl_zstd_bytes),
              static_cast<double>(corpus.jsonl_zstd_bytes) / corpus.baton_bytes);
  std::printf("figure format.long_sessions.size_bytes baton=%llu jsonl_zstd=%llu ratio=%.2f\n",
              static_cast<unsigned long long>(long_sessions.baton_bytes),
              static_cast<unsigned long long>(long_sessions.jsonl_zstd_bytes),
              static_cast<double>(long_sessions.jsonl_zstd_bytes) / long_sessions.baton_bytes);
  std::printf("figure format.read_ms baton=%.2f jsonl_zstd=%.2f ratio=%.2f\n", baton_ms, jsonl_ms,
              baton_ms > 0 ? jsonl_ms / baton_ms : 0.0);
  return 0;
}
