// What the proxy adds: latency per request through `baton proxy` (recording) against calling
// the fake upstream directly, in the same run; time to the first SSE byte; and requests/s
// sustained with 32 concurrent clients while recording (2 cores, everything on loopback).
//
//   figure proxy.added_latency_us p50=X p99=Y (goals: p99 < 1000)
//   figure proxy.ttfb_us direct=X proxied=Y
//   figure proxy.requests_per_s recording=X direct=Y clients=32 (goal: > 2000)
//
// And the size of what it records: a 200-turn, 4-agent conversation (research_conversation.h)
// recorded through the proxy, against the same session's events as JSON lines through zstd -3
// (`baton cat FILE | zstd -3`). The recorder is flushed after every call, as it is when each
// call takes longer than its flush interval (real models do); the figure recorded at full
// speed (chunks as full as they get) is printed beside it.
//
//   figure proxy.size_bytes baton=X jsonl_zstd=Y ratio=X/Y (goal: <= 0.5)
#include <benchmark/benchmark.h>
#include <kj/async-io.h>
#include <kj/compat/http.h>
#include <kj/debug.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "bench/bench_dir.h"
#include "bench/jsonl_zstd_baseline.h"
#include "bench/real_time_reporter.h"
#include "bench/research_conversation.h"
#include "harness/proxy/proxy_server.h"
#include "replayer/event_json.h"
#include "replayer/log_reader.h"
#include "tests/testing/fake_openai_server.h"

namespace {

using baton::testing::FakeOpenAiServer;
using baton::testing::FakeReply;
using Clock = std::chrono::steady_clock;

const std::string kBody = [] {
  std::string content(4096 - 120, 'x');
  return R"({"model":"gpt-4o","messages":[{"role":"system","content":"You are the planner."},)"
         R"({"role":"user","content":")" +
         content + R"("}]})";
}();

struct Client {
  kj::AsyncIoContext io = kj::setupAsyncIo();
  kj::HttpHeaderTable table;
  kj::Own<kj::HttpClient> http =
      kj::newHttpClient(io.provider->getTimer(), table, io.provider->getNetwork(), nullptr);

  // One POST; returns microseconds to the whole body (or to its first byte when `first_byte`).
  double Post(const std::string& url, bool first_byte = false) {
    kj::HttpHeaders headers(table);
    headers.add("Content-Type", "application/json");
    auto t0 = Clock::now();
    auto req = http->request(kj::HttpMethod::POST, url, headers, uint64_t{kBody.size()});
    req.body->write(kBody.data(), kBody.size()).wait(io.waitScope);
    req.body = nullptr;
    auto resp = req.response.wait(io.waitScope);
    double us = 0;
    if (first_byte) {
      char c;
      resp.body->tryRead(&c, 1, 1).wait(io.waitScope);
      us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
      resp.body->readAllText().wait(io.waitScope);
    } else {
      resp.body->readAllText().wait(io.waitScope);
      us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
    }
    return us;
  }

  // `clients` requests kept in flight for `seconds`; returns requests/s.
  double Sustain(const std::string& url, int clients, double seconds) {
    auto end = Clock::now() +
               std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    uint64_t done = 0;
    auto loops = kj::heapArrayBuilder<kj::Promise<void>>(clients);
    for (int c = 0; c < clients; ++c) loops.add(Loop(url, end, done));
    kj::joinPromises(loops.finish()).wait(io.waitScope);
    return done / seconds;
  }

 private:
  kj::Promise<void> Loop(const std::string& url, Clock::time_point end, uint64_t& done) {
    if (Clock::now() >= end) return kj::READY_NOW;
    auto headers = kj::heap<kj::HttpHeaders>(table);
    headers->add("Content-Type", "application/json");
    auto req = http->request(kj::HttpMethod::POST, url, *headers, uint64_t{kBody.size()});
    auto written = req.body->write(kBody.data(), kBody.size()).attach(kj::mv(req.body));
    return written.then([resp = kj::mv(req.response)]() mutable { return kj::mv(resp); })
        .then([](kj::HttpClient::Response&& r) {
          return r.body->readAllText().attach(kj::mv(r.body));
        })
        .then([this, url, end, &done](kj::String) {
          ++done;
          return Loop(url, end, done);
        })
        .attach(kj::mv(headers));
  }
};

// A fake upstream that answers every request (the queue is refilled well ahead).
void Fill(FakeOpenAiServer& upstream, int n, bool stream) {
  for (int i = 0; i < n; ++i) {
    if (stream) {
      upstream.Enqueue({200,
                        "",
                        {R"({"choices":[{"index":0,"delta":{"content":"hi"}}]})", "[DONE]"},
                        std::chrono::milliseconds(0)});
    } else {
      upstream.Enqueue(
          {200, FakeOpenAiServer::CompletionBody("fine"), {}, std::chrono::milliseconds(0)});
    }
  }
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * (v.size() - 1))];
}

struct Figures {
  double p50 = 0, p99 = 0, ttfb_direct = 0, ttfb_proxied = 0, rps_proxied = 0, rps_direct = 0;
} figures;

void BM_ProxyAddedLatency(benchmark::State& state) {
  std::string dir = std::filesystem::temp_directory_path() / "baton_proxy_bench";
  std::filesystem::create_directories(dir);
  for (auto _ : state) {
    FakeOpenAiServer upstream;
    baton::SessionHeader header;
    header.session_id = "bench";
    auto rec = baton::Recorder::Create(dir + "/bench.baton", header);
    baton::proxy::ProxyOptions o;
    o.recorder = rec->get();
    o.openai_upstream = upstream.base_url();
    auto proxy = baton::proxy::ProxyServer::Start(o);
    Client client;
    const int n = 2000;
    Fill(upstream, 2 * n + 400, /*stream=*/false);
    std::vector<double> direct, proxied, added;
    for (int i = 0; i < 100; ++i) client.Post(upstream.base_url() + "/chat/completions");  // Warm.
    for (int i = 0; i < n; ++i) {
      // Interleaved, so both see the same machine state.
      direct.push_back(client.Post(upstream.base_url() + "/chat/completions"));
      proxied.push_back(client.Post((*proxy)->origin() + "/v1/chat/completions"));
    }
    std::sort(direct.begin(), direct.end());
    std::sort(proxied.begin(), proxied.end());
    figures.p50 = Percentile(proxied, 0.5) - Percentile(direct, 0.5);
    figures.p99 = Percentile(proxied, 0.99) - Percentile(direct, 0.99);
    Fill(upstream, 400, /*stream=*/true);
    std::vector<double> td, tp;
    for (int i = 0; i < 100; ++i) {
      td.push_back(client.Post(upstream.base_url() + "/chat/completions", /*first_byte=*/true));
      tp.push_back(client.Post((*proxy)->origin() + "/v1/chat/completions", /*first_byte=*/true));
    }
    figures.ttfb_direct = Percentile(td, 0.5);
    figures.ttfb_proxied = Percentile(tp, 0.5);
    Fill(upstream, 200000, /*stream=*/false);
    figures.rps_direct = client.Sustain(upstream.base_url() + "/chat/completions", 32, 2.0);
    figures.rps_proxied = client.Sustain((*proxy)->origin() + "/v1/chat/completions", 32, 2.0);
    (*proxy)->Stop();
    (*rec)->Close().IgnoreError();
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_ProxyAddedLatency)->Iterations(1)->Unit(benchmark::kMillisecond);

struct SizeFigures {
  uint64_t baton = 0, jsonl = 0, jsonl_zstd = 0, events = 0;
  int calls = 0;
};

// Records the research conversation through the proxy; `flush_per_call`: as a slow upstream
// makes the recorder write a chunk per call.
SizeFigures MeasureProxiedSize(bool flush_per_call) {
  baton::bench::BenchDir dir("proxy_size");
  const std::string path = dir.path() + "/research.baton";
  FakeOpenAiServer upstream;
  auto rec = baton::Recorder::Create(path, baton::SessionHeader{});
  KJ_REQUIRE(rec.ok());
  baton::proxy::ProxyOptions o;
  o.recorder = rec->get();
  o.openai_upstream = upstream.base_url();
  auto proxy = baton::proxy::ProxyServer::Start(o);
  KJ_REQUIRE(proxy.ok());
  SizeFigures f;
  f.calls = baton::bench::PlayResearchConversation(upstream, (*proxy)->origin() + "/v1",
                                                   baton::bench::ConversationOptions{}, [&] {
                                                     if (flush_per_call)
                                                       (*rec)->Flush().IgnoreError();
                                                   });
  (*proxy)->Stop();
  KJ_REQUIRE((*rec)->Close().ok());
  f.baton = std::filesystem::file_size(path);
  auto log = baton::ReadLog(path);
  KJ_REQUIRE(log.ok());
  std::string jsonl;
  for (const baton::Event& e : log->events) jsonl += baton::EventToJson(e) + "\n";
  f.events = log->events.size();
  f.jsonl = jsonl.size();
  f.jsonl_zstd = baton::bench::ZstdCompress(jsonl, 3).size();
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const SizeFigures slow = MeasureProxiedSize(/*flush_per_call=*/true);
  const SizeFigures fast = MeasureProxiedSize(/*flush_per_call=*/false);
  baton::bench::RealTimeReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf("\nfigure proxy.added_latency_us p50=%.0f p99=%.0f (4 KiB request, recording)\n",
              figures.p50, figures.p99);
  std::printf("figure proxy.ttfb_us direct=%.0f proxied=%.0f (SSE, p50)\n", figures.ttfb_direct,
              figures.ttfb_proxied);
  std::printf("figure proxy.requests_per_s recording=%.0f direct=%.0f clients=32\n",
              figures.rps_proxied, figures.rps_direct);
  std::printf(
      "figure proxy.size_bytes baton=%llu jsonl_zstd=%llu ratio=%.2f (200 turns, %d calls, "
      "%llu events, %llu bytes of JSON lines; goal <= 0.5)\n",
      static_cast<unsigned long long>(slow.baton), static_cast<unsigned long long>(slow.jsonl_zstd),
      static_cast<double>(slow.baton) / static_cast<double>(slow.jsonl_zstd), slow.calls,
      static_cast<unsigned long long>(slow.events), static_cast<unsigned long long>(slow.jsonl));
  std::printf("figure proxy.size_bytes.full_speed baton=%llu jsonl_zstd=%llu ratio=%.2f\n",
              static_cast<unsigned long long>(fast.baton),
              static_cast<unsigned long long>(fast.jsonl_zstd),
              static_cast<double>(fast.baton) / static_cast<double>(fast.jsonl_zstd));
  benchmark::Shutdown();
  return 0;
}
