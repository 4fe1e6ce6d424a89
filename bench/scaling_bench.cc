// How baton scales with the length of a session (baton synth: 4 agents; every model call
// resends its agent's whole history). For 50, 500 and 5,000 turns:
//   record  = synthesize and record the session (the generator is part of it);
//   read    = open, decompress and decode it into a Trace;
//   check   = read, then every analysis and the root-cause explanation (baton check/why);
//   diff    = `baton diff` of the session against itself: both read, every event compared;
//   match   = replay matching: every recorded model call served to a live copy of itself,
//             whose requests continue one list per conversation as a program's do (the
//             recording opened as replay opens it; opening and freeing it are not timed,
//             only the calls to Serve are);
// each as time per event, and the peak memory of the CLI verbs (`baton check`, `why`,
// `inspect`, `cat --no-blobs`, measured on the child process) beside the session's unique
// content. Then the size of a 20-, 200- and 5,000-turn session beside its JSON lines (what
// `baton cat` prints) through zstd -3 and zstd -19, compressed in the same run.
//
//   figure scaling.<verb>_ns_per_event t50=.. t500=.. t5000=.. ratio_5000_over_50=..
//   figure scaling.peak_mb turns=N check=.. why=.. inspect=.. cat=.. unique_content=..
//   figure scaling.size turns=N baton=.. zstd3=.. zstd19=.. baton_over_zstd3=.. ...
//
// zstd -19 runs at a few MB/s: beyond BATON_SCALING_ZSTD19_MAX_BYTES (default 2 GB) of JSON
// it is reported as not run. BATON_SCALING_TURNS=50,500 limits the turn counts.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>

#include "bench/bench_dir.h"
#include "bench/check_session.h"
#include "bench/real_time_reporter.h"
#include "harness/synth/synthetic_session.h"
#include "replayer/event_json.h"
#include "replayer/replay_session.h"
#include "replayer/session_diff.h"

namespace baton {
namespace {

std::vector<int> TurnCounts(const char* env, std::vector<int> defaults) {
  const char* v = std::getenv(env);
  if (v == nullptr || *v == '\0') return defaults;
  std::vector<int> out;
  std::stringstream in(v);
  for (std::string item; std::getline(in, item, ',');) out.push_back(std::stoi(item));
  return out;
}

// Reads every byte of a request except its first `resent` messages; returns a sum so the
// reads are not optimised away.
size_t TouchFreshPart(const ModelRequest& r, size_t resent) {
  size_t sum = 0;
  auto touch = [&sum](std::string_view s) {
    for (char c : s) sum += static_cast<unsigned char>(c);
  };
  touch(r.model);
  for (const auto* kvs : {&r.parameters, &r.headers})
    for (const KeyValue& kv : *kvs) {
      touch(kv.key);
      touch(kv.value);
    }
  for (const ToolSpec& t : r.tools) {
    touch(t.name);
    touch(t.description);
    touch(t.parameters_json.text);
  }
  for (size_t i = resent; i < r.messages.size(); ++i) {
    const ChatMessage& m = r.messages[i];
    for (std::string_view s :
         {std::string_view(m.role), std::string_view(m.name), std::string_view(m.tool_call_id),
          std::string_view(m.extra), std::string_view(m.content.text)})
      touch(s);
  }
  return sum;
}

synth::SynthOptions Options(int turns) {
  synth::SynthOptions o;
  o.agents = 4;
  o.turns = turns;
  return o;
}

// Peak resident memory of `argv` run to completion, in MB (output to /dev/null). Linux
// carries a process's peak across exec, so this runs while the bench itself is still small.
double PeakMegabytes(const std::vector<std::string>& argv) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int spawned = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return -1;
  int status = 0;
  struct rusage usage {};
  if (pid < 0 || wait4(pid, &status, 0, &usage) != pid) return -1;
  if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) return -1;  // 1: the session fails check.
  return usage.ru_maxrss / 1024.0;
}

// JSON lines of every event (blobs resolved) through one zstd stream at `level`: the
// compressed size, streaming, so a 10 GB expansion never sits in memory.
size_t JsonLinesZstdSize(const std::string& path, int level, size_t* json_bytes) {
  auto reader = LogReader::Open(path);
  if (!reader.ok()) return 0;
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  std::string out(ZSTD_CStreamOutSize(), '\0');
  size_t compressed = 0;
  *json_bytes = 0;
  auto feed = [&](std::string_view data, ZSTD_EndDirective mode) {
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    while (true) {
      ZSTD_outBuffer o{out.data(), out.size(), 0};
      size_t left = ZSTD_compressStream2(cctx, &o, &in, mode);
      compressed += o.pos;
      if (ZSTD_isError(left)) return;
      if (mode == ZSTD_e_end ? left == 0 : in.pos == in.size) return;
    }
  };
  Event e;
  std::string line;
  while (true) {
    Result<bool> more = (*reader)->Next(&e);
    if (!more.ok() || !*more) break;
    line = EventToJson(e);
    line += '\n';
    *json_bytes += line.size();
    feed(line, ZSTD_e_continue);
  }
  feed({}, ZSTD_e_end);
  ZSTD_freeCCtx(cctx);
  return compressed;
}

// Between runs of this bench the figures of one session size moved by up to 40% (allocator
// and page-cache state, the host): a verb's figure is the median of 5 repetitions.
void MedianOf5(benchmark::internal::Benchmark* b) {
  b->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(5)->ReportAggregatesOnly(true);
}

std::string SelfDirectory() {
  return std::filesystem::canonical("/proc/self/exe").parent_path().string();
}

}  // namespace
}  // namespace baton

int main(int argc, char** argv) {
  using namespace baton;
  benchmark::Initialize(&argc, argv);
  bench::BenchDir scratch("scaling_bench");
  const std::vector<int> turns = TurnCounts("BATON_SCALING_TURNS", {50, 500, 5000});
  std::map<int, std::string> files;
  for (int n : turns) files[n] = scratch.path() + "/t" + std::to_string(n) + ".baton";
  // The sessions are written by a child, so that this process stays small while the CLI's
  // peak memory is measured (see PeakMegabytes).
  std::fflush(stdout);
  if (pid_t writer = fork(); writer == 0) {
    for (int n : turns) {
      Status s = synth::WriteSyntheticSession(files[n], Options(n), 0);
      if (!s.ok()) {
        std::fprintf(stderr, "%s\n", s.ToString().c_str());
        _exit(1);
      }
    }
    _exit(0);
  } else {
    int status = 0;
    if (writer < 0 || waitpid(writer, &status, 0) != writer || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0)
      return 1;
  }
  const std::string baton = SelfDirectory() + "/baton";
  std::vector<std::string> memory_figures;
  for (int n : turns) {
    char line[256];
    std::snprintf(line, sizeof line,
                  "figure scaling.peak_mb turns=%d check=%.0f why=%.0f inspect=%.0f cat=%.0f", n,
                  PeakMegabytes({baton, "check", files[n]}),
                  PeakMegabytes({baton, "why", files[n]}),
                  PeakMegabytes({baton, "inspect", files[n]}),
                  PeakMegabytes({baton, "cat", "--no-blobs", files[n]}));
    memory_figures.push_back(line);
  }
  std::map<int, uint64_t> events;
  for (int n : turns) {
    auto t = Trace::Load(files[n]);
    if (!t.ok()) {
      std::fprintf(stderr, "%s\n", t.status().ToString().c_str());
      return 1;
    }
    events[n] = t->events().size();
  }

  for (int n : turns) {
    const std::string file = files[n];
    const std::string suffix = "/" + std::to_string(n) + "_turns";
    benchmark::RegisterBenchmark(("record" + suffix).c_str(),
                                 [=](benchmark::State& state) {
                                   const std::string out = file + ".rec";
                                   for (auto _ : state) {
                                     Status s = synth::WriteSyntheticSession(out, Options(n), 0);
                                     if (!s.ok()) state.SkipWithError(s.ToString().c_str());
                                   }
                                   std::filesystem::remove(out);
                                 })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("read" + suffix).c_str(), [=](benchmark::State& state) {
      for (auto _ : state) {
        auto t = Trace::Load(file);
        if (!t.ok()) state.SkipWithError(t.status().message().c_str());
        benchmark::DoNotOptimize(t);
      }
    })->Apply(MedianOf5);
    benchmark::RegisterBenchmark(("check" + suffix).c_str(), [=](benchmark::State& state) {
      const Policy policy;
      const ScorerSet scorers = ScorerSet::Defaults();
      for (auto _ : state) {
        auto ex = bench::CheckSession(file, policy, scorers);
        if (!ex.ok()) {
          state.SkipWithError(ex.status().message().c_str());
          return;
        }
        benchmark::DoNotOptimize(ex->paragraph.data());
      }
    })->Apply(MedianOf5);
    benchmark::RegisterBenchmark(("diff" + suffix).c_str(), [=](benchmark::State& state) {
      for (auto _ : state) {
        // As `baton diff A B` runs: both read, then compared. The session against itself
        // is the costliest case, every event compared with no difference to stop at.
        auto a = Trace::Load(file);
        auto b = Trace::Load(file);
        if (!a.ok() || !b.ok()) return state.SkipWithError("the session did not read");
        auto d = DiffSessions(*a, *b);
        if (!d.ok() || !d->equivalent) return state.SkipWithError("a session differed from itself");
      }
    })->Apply(MedianOf5);
    benchmark::RegisterBenchmark(
        ("match" + suffix).c_str(),
        [=](benchmark::State& state) {
          // The live side: the same session read again, so its requests are other objects
          // that continue one list per conversation, as a live program's do.
          auto live = Trace::Load(file);
          if (!live.ok()) return state.SkipWithError(live.status().message().c_str());
          size_t calls = 0;
          // Cost per call in the last tenth of the session over the first tenth: history
          // length, apart from the cache effects of a larger session.
          double early_ns = 0, late_ns = 0;
          size_t total_calls = 0;
          for (const Event& e : live->events()) total_calls += e.kind() == EventKind::kModelCall;
          // Opening the recording (its events) and freeing the session are not matching:
          // both happen with the clock paused.
          std::unique_ptr<ReplaySession> session;
          for (auto _ : state) {
            state.PauseTiming();
            session.reset();
            // Opened as `baton replay` and the proxy open a recording: blobs are read (and
            // hashed) when a call first needs them, so that part of reading is timed too.
            auto opened = ReplaySession::Open(file, {});
            if (!opened.ok()) return state.SkipWithError(opened.status().message().c_str());
            session = std::move(opened).value();
            state.ResumeTiming();
            calls = 0;
            double served_ns = 0;
            std::map<std::string, const MessageList*> last_sent;
            for (const Event& e : live->events()) {
              if (e.kind() != EventKind::kModelCall) continue;
              {
                // A live program builds its request just before the call: the model,
                // parameters, tools and headers, and its newest messages (the answer it
                // received, the tool result it computed) are in its cache. Here they were
                // loaded long before; reading them untimed puts them where a live program
                // has them. The resent history is not touched: a program does not reread it.
                const ModelRequest& r = e.As<ModelCall>()->request;
                const MessageList*& prev = last_sent[e.agent];
                benchmark::DoNotOptimize(
                    TouchFreshPart(r, prev ? MessageList::SharedPrefix(r.messages, *prev) : 0));
                prev = &r.messages;
              }
              auto start = std::chrono::steady_clock::now();
              auto served = session->Serve(e);
              double ns =
                  std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
                      .count();
              if (!served.ok() || *served == nullptr)
                return state.SkipWithError("a recorded call did not match itself");
              served_ns += ns;
              if (calls < total_calls / 10) early_ns += ns;
              if (calls >= total_calls - total_calls / 10) late_ns += ns;
              ++calls;
            }
            state.SetIterationTime(served_ns / 1e9);
          }
          state.counters["calls"] = static_cast<double>(calls);
          if (early_ns > 0) state.counters["late_over_early"] = late_ns / early_ns;
        })
        ->Unit(benchmark::kMillisecond)
        ->UseManualTime()
        // A run of the 50-turn case is well under a millisecond, and how warm the allocator
        // and caches happen to be moves it by a third: the figure is the median of 5.
        ->Repetitions(5)
        ->ReportAggregatesOnly(false);
  }

  bench::RealTimeReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);

  std::printf("\n");
  for (const char* verb : {"record", "read", "check", "diff", "match"}) {
    std::printf("figure scaling.%s_ns_per_event", verb);
    double first = 0, last = 0;
    for (int n : turns) {
      double s = reporter.Seconds(std::string(verb) + "/" + std::to_string(n) + "_turns");
      double per_event = s * 1e9 / static_cast<double>(events[n]);
      std::printf(" t%d=%.0f", n, per_event);
      if (first == 0) first = per_event;
      last = per_event;
    }
    if (first > 0 && turns.size() > 1)
      std::printf(" ratio_%d_over_%d=%.2f", turns.back(), turns.front(), last / first);
    std::printf("\n");
  }

  for (size_t i = 0; i < turns.size(); ++i) {
    auto reader = LogReader::Open(files[turns[i]]);
    double unique_mb = reader.ok() ? (*reader)->footer().blob_bytes_stored / 1048576.0 : 0.0;
    std::printf("%s events=%llu unique_content=%.1f\n", memory_figures[i].c_str(),
                static_cast<unsigned long long>(events[turns[i]]), unique_mb);
  }
  for (int n : turns) {
    std::printf("figure scaling.match_late_over_early turns=%d value=%.2f\n", n,
                reporter.Counter("match/" + std::to_string(n) + "_turns", "late_over_early"));
  }

  const char* max_env = std::getenv("BATON_SCALING_ZSTD19_MAX_BYTES");
  const size_t zstd19_max = max_env ? std::strtoull(max_env, nullptr, 10) : (size_t{2} << 30);
  for (int n : TurnCounts("BATON_SCALING_SIZE_TURNS", {20, 200, 5000})) {
    const std::string file = scratch.path() + "/size" + std::to_string(n) + ".baton";
    if (!synth::WriteSyntheticSession(file, Options(n), 0).ok()) return 1;
    const double baton_bytes = static_cast<double>(std::filesystem::file_size(file));
    size_t json = 0;
    const double z3 = static_cast<double>(JsonLinesZstdSize(file, 3, &json));
    std::printf("figure scaling.size turns=%d json=%zu baton=%.0f zstd3=%.0f baton_over_zstd3=%.3g",
                n, json, baton_bytes, z3, baton_bytes / z3);
    if (json <= zstd19_max) {
      const double z19 = static_cast<double>(JsonLinesZstdSize(file, 19, &json));
      std::printf(" zstd19=%.0f baton_over_zstd19=%.3g\n", z19, baton_bytes / z19);
    } else {
      std::printf(" zstd19=not_run (%.1f GB of JSON at a few MB/s)\n", json / 1e9);
    }
  }
  return 0;
}
