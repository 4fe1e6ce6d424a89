// OpenTelemetry import and the OTLP/HTTP receiver.
//
// The document: synthetic multi-agent sessions (baton synth) exported as OTLP/JSON with
// message content, as an instrumented fleet with content capture on would send them.
//   - Import: spans/s from the OTLP/JSON text to sessions (parse + map), and as `baton import
//     otlp` does it with the sessions written (to an in-memory Env) by one worker and by one
//     per core, beside the floor: parsing the same text with simdjson walking every value
//     (one parser kept, and one made per parse), and with capnp-json.
//   - Receiver: sustained spans/s of `baton serve` with 8 exporters posting batches of 512
//     spans over keep-alive HTTP connections, four rounds of the document's traces each
//     (earlier traces go idle and are written while later ones arrive), until every
//     session is written to disk. The spans carry one convention's attributes, as an
//     instrumentation sends them (the GenAI conventions: /x/0), with content capture off
//     (0/x, most instrumentations' default) and on (1/x); and, for reference, both
//     conventions at once as `baton export` writes them (1/1), every message twice.
//   figure otlp.import_vs_parse_floor ratio=X (goal <= 2)
//   figure otlp.import_to_files workers_all_vs_one=X
//   figure otlp.receiver_spans_per_s exporters=8 content_off=N content_on=N (goal >= 50000),
//   each the median of five runs
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <simdjson.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "base/json_parse.h"
#include "base/mem_env.h"
#include "bench/bench_dir.h"
#include "bench/real_time_reporter.h"
#include "harness/otel/otlp_receiver.h"
#include "harness/otel/otlp_spans.h"
#include "harness/otel/otlp_trace.pb.h"
#include "harness/otel/span_export.h"
#include "harness/otel/span_import.h"
#include "harness/synth/synthetic_session.h"

namespace {

using namespace baton;
using namespace baton::otel;
using baton::synth::SynthOptions;
using baton::synth::WriteSyntheticSession;

std::vector<Span> SyntheticSpans(int sessions, int turns) {
  const std::string dir = std::filesystem::temp_directory_path() / "baton_otlp_bench";
  std::filesystem::create_directories(dir);
  std::vector<Span> all;
  for (int i = 0; i < sessions; ++i) {
    SynthOptions o;
    o.seed = 7;
    o.turns = turns;
    const std::string path = dir + "/s" + std::to_string(i) + ".baton";
    if (!WriteSyntheticSession(path, o, i).ok()) std::abort();
    auto trace = Trace::Load(path);
    if (!trace.ok()) std::abort();
    auto spans = SpansFromTrace(*trace, {});
    if (!spans.ok()) std::abort();
    for (Span& s : *spans) all.push_back(std::move(s));
  }
  std::filesystem::remove_all(dir);
  return all;
}

// The bench's spans (20 synthetic sessions of 20 turns, exported) and their OTLP/JSON: made
// once, for the import benches and every receiver run.
struct Document {
  std::vector<Span> span_list;
  std::string json;
  size_t spans = 0;
};

const Document& Doc() {
  static const Document doc = [] {
    Document d;
    d.span_list = SyntheticSpans(20, 20);
    d.spans = d.span_list.size();
    d.json = WriteOtlpJson(d.span_list);
    return d;
  }();
  return doc;
}

size_t Walk(simdjson::dom::element e) {
  size_t n = 1;
  if (e.is_array()) {
    for (auto v : e.get_array()) n += Walk(v);
  } else if (e.is_object()) {
    for (auto f : e.get_object()) n += Walk(f.value);
  }
  return n;
}

void SetRate(benchmark::State& state) {
  state.counters["spans/s"] = benchmark::Counter(
      static_cast<double>(Doc().spans * state.iterations()), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<int64_t>(Doc().json.size() * state.iterations()));
}

void BM_ParseFloor_Simdjson(benchmark::State& state) {
  simdjson::dom::parser parser;
  for (auto _ : state) {
    simdjson::dom::element doc;
    if (parser.parse(Doc().json).get(doc) != simdjson::SUCCESS) std::abort();
    benchmark::DoNotOptimize(Walk(doc));
  }
  SetRate(state);
}
BENCHMARK(BM_ParseFloor_Simdjson)->Unit(benchmark::kMillisecond);

// The same, with a parser made for each parse, as a one-shot `baton import otlp` has: its
// tape and string buffer are fresh memory, faulted in as they are written.
void BM_ParseFloor_FreshSimdjsonParser(benchmark::State& state) {
  for (auto _ : state) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(Doc().json).get(doc) != simdjson::SUCCESS) std::abort();
    benchmark::DoNotOptimize(Walk(doc));
  }
  SetRate(state);
}
BENCHMARK(BM_ParseFloor_FreshSimdjsonParser)->Unit(benchmark::kMillisecond);

void BM_ParseFloor_CapnpJson(benchmark::State& state) {
  for (auto _ : state) {
    auto doc = JsonDocument::Parse(Doc().json, "bench");
    if (!doc.ok()) std::abort();
    benchmark::DoNotOptimize(doc->root());
  }
  SetRate(state);
}
BENCHMARK(BM_ParseFloor_CapnpJson)->Unit(benchmark::kMillisecond);

// The reader alone (OTLP/JSON to spans), to tell reading from mapping.
void BM_ReadOtlpSpans(benchmark::State& state) {
  for (auto _ : state) {
    auto batch = ParseOtlpJson(Doc().json, "bench");
    if (!batch.ok()) std::abort();
    benchmark::DoNotOptimize(batch->spans.data());
  }
  SetRate(state);
}
BENCHMARK(BM_ReadOtlpSpans)->Unit(benchmark::kMillisecond);

void BM_ImportSessions(benchmark::State& state) {
  for (auto _ : state) {
    auto batch = ParseOtlpJson(Doc().json, "bench");
    if (!batch.ok()) std::abort();
    auto sessions = SessionsFromSpans(std::move(batch->spans), GroupBy::kAuto);
    benchmark::DoNotOptimize(sessions);
  }
  SetRate(state);
}
BENCHMARK(BM_ImportSessions)->Unit(benchmark::kMillisecond);

// `baton import otlp FILE -o DIR` as the CLI runs it (ImportOtlpFile, to an in-memory Env):
// read, map and write every session, with one worker (/1) and one per core (/0). Putting
// the file in the Env is not timed.
void BM_WriteImportedSessions(benchmark::State& state) {
  const auto workers = static_cast<unsigned>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    MemEnv env;
    env.SetContents("/in.json", Doc().json);
    env.MakeDirectory("/out");
    state.ResumeTiming();
    auto summary = ImportOtlpFile("/in.json", "/out", GroupBy::kAuto, env, workers);
    if (!summary.ok()) std::abort();
    benchmark::DoNotOptimize(summary->events);
  }
  SetRate(state);
}
BENCHMARK(BM_WriteImportedSessions)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

// One exporter: a keep-alive connection posting batches; a 429 waits and resends.
class Exporter {
 public:
  explicit Exporter(unsigned port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) std::abort();
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Exporter() { close(fd_); }

  // The HTTP status of posting `body`. The head and the body are sent from where they are
  // (the head with MSG_MORE, so they leave in the same segments), as an exporter writes the
  // request it serialized: copying each batch into a request string first cost the exporters
  // a few percent of the two cores the receiver is measured on.
  int Post(const std::string& body, std::string_view content_type) {
    const std::string head =
        "POST /v1/traces HTTP/1.1\r\nHost: bench\r\nContent-Type: " + std::string(content_type) +
        "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    SendAll(head, MSG_MORE);
    SendAll(body, 0);
    std::string resp;
    char buf[4096];
    size_t header_end;
    while ((header_end = resp.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) std::abort();
      resp.append(buf, static_cast<size_t>(n));
    }
    size_t cl = resp.find("Content-Length: ");
    size_t length = cl == std::string::npos ? 0 : std::strtoul(resp.c_str() + cl + 16, nullptr, 10);
    while (resp.size() < header_end + 4 + length) {
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) std::abort();
      resp.append(buf, static_cast<size_t>(n));
    }
    return std::atoi(resp.c_str() + 9);
  }

 private:
  void SendAll(std::string_view bytes, int flags) {
    for (size_t sent = 0; sent < bytes.size();) {
      ssize_t n = send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL | flags);
      if (n <= 0) std::abort();
      sent += static_cast<size_t>(n);
    }
  }
  int fd_ = -1;
};

enum class ContentCapture { kOff = 0, kOn = 1 };
enum class Conventions { kGenAiOnly = 0, kGenAiAndOpenInference = 1 };
enum class Encoding { kJson = 0, kProtobuf = 1 };

// `spans` as an exporter's protobuf request, the first byte of each trace id set to `tag`.
// Lists are sent as arrays of strings (the synthetic spans' lists are), key-value lists as
// their JSON text.
std::string ProtobufRequest(const std::vector<Span>& spans, uint8_t tag) {
  auto bytes = [](const std::string& hex) { return DecodeId(hex, hex.size() / 2).value_or(""); };
  auto set = [](otlp::AnyValue& out, const AttributeValue& v) {
    switch (v.type) {
      case ValueType::kString:
        out.set_string_value(v.text);
        break;
      case ValueType::kBytes:
        out.set_bytes_value(v.text);
        break;
      case ValueType::kBool:
        out.set_bool_value(v.bool_value);
        break;
      case ValueType::kInt:
        out.set_int_value(v.int_value);
        break;
      case ValueType::kDouble:
        out.set_double_value(v.double_value);
        break;
      case ValueType::kArray:
        for (const std::string& item : v.ToStringList())
          out.mutable_array_value()->add_values()->set_string_value(item);
        break;
      case ValueType::kKvList:
        out.set_string_value(v.text);
        break;
      case ValueType::kEmpty:
        break;
    }
  };
  auto attributes = [&](const Attributes& in, auto* out) {
    for (const Attribute& a : in) {
      otlp::KeyValue* kv = out->Add();
      kv->set_key(a.key.str());
      set(*kv->mutable_value(), a.value);
    }
  };
  otlp::ExportTraceServiceRequest request;
  otlp::ResourceSpans* rs = request.add_resource_spans();
  otlp::KeyValue* service = rs->mutable_resource()->add_attributes();
  service->set_key("service.name");
  service->mutable_value()->set_string_value(spans.empty() ? "" : spans[0].service_name);
  otlp::ScopeSpans* ss = rs->add_scope_spans();
  for (const Span& s : spans) {
    otlp::Span* out = ss->add_spans();
    std::string trace = bytes(s.trace_id);
    trace[0] = static_cast<char>(tag);
    out->set_trace_id(trace);
    out->set_span_id(bytes(s.span_id));
    if (!s.parent_span_id.empty()) out->set_parent_span_id(bytes(s.parent_span_id));
    out->set_name(s.name);
    out->set_kind(s.kind);
    out->set_start_time_unix_nano(static_cast<uint64_t>(s.start_ns));
    out->set_end_time_unix_nano(static_cast<uint64_t>(s.end_ns));
    attributes(s.attributes, out->mutable_attributes());
    for (const SpanEvent& e : s.events) {
      otlp::Span::Event* ev = out->add_events();
      ev->set_name(e.name);
      ev->set_time_unix_nano(static_cast<uint64_t>(e.time_ns));
      attributes(e.attributes, ev->mutable_attributes());
    }
    if (s.status != StatusCode::kUnset) {
      out->mutable_status()->set_code(static_cast<int32_t>(s.status));
      out->mutable_status()->set_message(s.status_message);
    }
  }
  return request.SerializeAsString();
}

// Each run's figures: one run of a few seconds swings by a fifth on this 2-core host, so the
// figure is the median of several.
struct ReceiverRuns {
  std::vector<double> spans_per_s;
  std::vector<double> cpu_us_per_span;
};
ReceiverRuns receiver_figures[2][2][2];  // By Encoding, Conventions, then ContentCapture.

ReceiverRuns& RunsOf(Conventions conventions, ContentCapture content,
                     Encoding encoding = Encoding::kJson) {
  return receiver_figures[static_cast<int>(encoding)][static_cast<int>(conventions)]
                         [static_cast<int>(content)];
}

// OpenInference's attributes, which `baton export` writes beside the GenAI ones so that a
// session opens in either kind of viewer: an instrumentation sends one convention or the
// other, not both.
bool IsOpenInferenceKey(std::string_view key) {
  for (std::string_view prefix :
       {"openinference.", "llm.", "input.", "output.", "tool.", "agent.", "graph.", "session."})
    if (key.starts_with(prefix)) return true;
  return false;
}

// User and system CPU of this process so far.
double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}
int receiver_runs = 0;

const bench::BenchDir& ReceiverScratch() {
  static const bench::BenchDir dir("otlp_receiver_bench");
  return dir;
}

void BM_Receiver8Exporters(benchmark::State& state) {
  constexpr int kExporters = 8;
  constexpr size_t kBatch = 512;
  // Sustained, not one burst: each exporter sends the document's traces kRounds times over
  // (new trace ids each round), so the traces of the first rounds go idle and are written
  // while later ones still arrive, as a fleet's traces end while others begin. With one
  // round, every trace ended at Stop and reading and writing never overlapped.
  constexpr int kRounds = 4;
  // Each exporter sends its own traces: the spans of the document, trace ids made distinct.
  std::vector<Span> spans = Doc().span_list;
  const auto content = static_cast<ContentCapture>(state.range(0));
  const auto conventions = static_cast<Conventions>(state.range(1));
  const auto encoding = static_cast<Encoding>(state.range(2));
  const std::string_view content_type =
      encoding == Encoding::kProtobuf ? "application/x-protobuf" : "application/json";
  if (conventions == Conventions::kGenAiOnly)
    for (Span& s : spans)
      std::erase_if(s.attributes, [](const Attribute& a) { return IsOpenInferenceKey(a.key); });
  if (content == ContentCapture::kOff) {
    // Content capture off, as most instrumentations default: the spans keep their names,
    // ids, models, usage and baton.* events, not the messages.
    for (Span& s : spans)
      std::erase_if(s.attributes, [](const Attribute& a) {
        const std::string_view key = a.key;
        return key.find("messages") != std::string::npos || key.starts_with("gen_ai.tool.call.") ||
               key == "input.value" || key == "output.value" || key == "gen_ai.tool.definitions";
      });
  }
  // The batches are written once as JSON and copied for each exporter and round with the
  // two digits of every trace id that tell them apart patched in the text.
  std::vector<std::string> templates;
  for (size_t i = 0; i < spans.size(); i += kBatch)
    templates.push_back(WriteOtlpJson(
        std::vector<Span>(spans.begin() + i, spans.begin() + std::min(spans.size(), i + kBatch))));
  constexpr std::string_view kTraceIdKey = "\"traceId\":\"";
  size_t bytes = 0;
  std::vector<std::vector<std::string>> batches(kExporters);
  const size_t total = spans.size() * kExporters * kRounds;
  for (int x = 0; x < kExporters; ++x)
    for (int round = 0; round < kRounds; ++round)
      for (size_t i = 0; encoding == Encoding::kProtobuf && i < spans.size(); i += kBatch) {
        // The same first byte of the trace ids as the JSON batches' two patched digits.
        batches[x].push_back(
            ProtobufRequest(std::vector<Span>(spans.begin() + i,
                                              spans.begin() + std::min(spans.size(), i + kBatch)),
                            static_cast<uint8_t>(x * 16 + round)));
        bytes += batches[x].back().size();
      }
  for (int x = 0; x < kExporters && encoding == Encoding::kJson; ++x)
    for (int round = 0; round < kRounds; ++round)
      for (const std::string& t : templates) {
        std::string& b = batches[x].emplace_back(t);
        for (size_t at = b.find(kTraceIdKey); at != std::string::npos;
             at = b.find(kTraceIdKey, at + kTraceIdKey.size())) {
          b[at + kTraceIdKey.size()] = "0123456789abcdef"[x];
          b[at + kTraceIdKey.size() + 1] = "0123456789abcdef"[round];
        }
        bytes += b.size();
      }
  for (auto _ : state) {
    // A new directory per run, all removed when the bench ends: on ext4 without a journal,
    // creating a file right after thousands were deleted scans past every recently deleted
    // inode (find_inode_bit, recently_deleted), and that was half of the writer thread's
    // time, a cost of this bench's deleting, not of the receiver's writing.
    const std::string dir = ReceiverScratch().path() + "/run" + std::to_string(receiver_runs++);
    std::filesystem::create_directories(dir);
    OtlpReceiverOptions o;
    o.listen_port = 0;
    o.out_dir = dir;
    o.idle = std::chrono::milliseconds(200);
    o.group_by = GroupBy::kTrace;  // Each exporter's copy of a session is its own trace.
    auto receiver = OtlpReceiver::Start(o);
    if (!receiver.ok()) std::abort();
    const unsigned port = (*receiver)->port();
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = ProcessCpuSeconds();
    std::vector<std::thread> threads;
    std::atomic<uint64_t> throttled{0};
    for (int x = 0; x < kExporters; ++x)
      threads.emplace_back([&, x] {
        Exporter e(port);
        for (const std::string& b : batches[x]) {
          int status;
          while ((status = e.Post(b, content_type)) == 429) {
            throttled.fetch_add(1);
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
          }
          if (status != 200) std::abort();
        }
      });
    for (std::thread& t : threads) t.join();
    (*receiver)->Stop();  // Every session written and closed.
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu_seconds = ProcessCpuSeconds() - cpu_start;
    if ((*receiver)->stats().spans_accepted != total) std::abort();
    state.SetIterationTime(seconds);
    ReceiverRuns& runs = RunsOf(conventions, content, encoding);
    runs.spans_per_s.push_back(static_cast<double>(total) / seconds);
    state.counters["spans/s"] = runs.spans_per_s.back();
    // The CPU the receiver (and the exporters' sends) took per span: steadier than the
    // wall-clock rate on a shared 2-core host, so the figure to compare changes by.
    runs.cpu_us_per_span.push_back(cpu_seconds * 1e6 / static_cast<double>(total));
    state.counters["cpu_us/span"] = runs.cpu_us_per_span.back();
    state.counters["MB/s"] = static_cast<double>(bytes) / seconds / 1e6;
    state.counters["bytes/span"] = static_cast<double>(bytes) / static_cast<double>(total);
    state.counters["sessions"] = static_cast<double>((*receiver)->stats().sessions_written);
    state.counters["429s"] = static_cast<double>(throttled.load());
  }
}
BENCHMARK(BM_Receiver8Exporters)
    ->Args({0, 0, 0})
    ->Args({1, 0, 0})
    ->Args({1, 1, 0})
    ->Args({1, 0, 1})
    ->Iterations(1)
    ->Repetitions(5)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  baton::bench::RealTimeReporter reporter;
  std::printf("document: %zu spans, %.1f MB of OTLP/JSON\n", Doc().spans, Doc().json.size() / 1e6);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  const double floor = reporter.Seconds("BM_ParseFloor_Simdjson", "");
  const double fresh_floor = reporter.Seconds("BM_ParseFloor_FreshSimdjsonParser", "");
  const double capnp_floor = reporter.Seconds("BM_ParseFloor_CapnpJson", "");
  const double import = reporter.Seconds("BM_ImportSessions", "");
  const double written_one = reporter.Seconds("BM_WriteImportedSessions", "/1");
  const double written = reporter.Seconds("BM_WriteImportedSessions", "/0");
  if (floor > 0 && import > 0)
    std::printf("\nfigure otlp.import_vs_parse_floor ratio=%.2f written=%.2f (goal <= 2)\n",
                import / floor, written / floor);
  // The CLI's import to files on every core against one worker, in the same run.
  if (written_one > 0 && written > 0)
    std::printf("figure otlp.import_to_files workers_all_vs_one=%.2f\n", written / written_one);
  // The same import beside the other floors the issue names: simdjson with a parser of its
  // own (as a one-shot import has), and capnp-json.
  if (fresh_floor > 0 && capnp_floor > 0 && import > 0)
    std::printf("figure otlp.import_vs_other_floors fresh_parser=%.2f capnp_json=%.2f\n",
                import / fresh_floor, import / capnp_floor);
  auto median = [](std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  auto range = [](const std::vector<double>& v) {
    if (v.empty()) return std::string("none");
    auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.0f-%.0f", *lo, *hi);
    return std::string(buf);
  };
  const ReceiverRuns& off = RunsOf(Conventions::kGenAiOnly, ContentCapture::kOff);
  const ReceiverRuns& on = RunsOf(Conventions::kGenAiOnly, ContentCapture::kOn);
  const ReceiverRuns& both = RunsOf(Conventions::kGenAiAndOpenInference, ContentCapture::kOn);
  std::printf(
      "figure otlp.receiver_spans_per_s exporters=8 content_off=%.0f content_on=%.0f (goal >= "
      "50000; GenAI conventions; medians of %zu runs; off %s, on %s)\n",
      median(off.spans_per_s), median(on.spans_per_s),
      std::max(off.spans_per_s.size(), on.spans_per_s.size()), range(off.spans_per_s).c_str(),
      range(on.spans_per_s).c_str());
  std::printf("figure otlp.receiver_cpu_us_per_span content_off=%.1f content_on=%.1f (medians)\n",
              median(off.cpu_us_per_span), median(on.cpu_us_per_span));
  std::printf(
      "figure otlp.receiver_both_conventions content_on=%.0f spans/s (%s) cpu_us_per_span=%.1f "
      "(baton export's document: GenAI and OpenInference attributes, every message twice)\n",
      median(both.spans_per_s), range(both.spans_per_s).c_str(), median(both.cpu_us_per_span));
  const ReceiverRuns& protobuf =
      RunsOf(Conventions::kGenAiOnly, ContentCapture::kOn, Encoding::kProtobuf);
  std::printf(
      "figure otlp.receiver_protobuf content_on=%.0f spans/s (%s) cpu_us_per_span=%.1f (the "
      "same spans as content_on, sent as application/x-protobuf)\n",
      median(protobuf.spans_per_s), range(protobuf.spans_per_s).c_str(),
      median(protobuf.cpu_us_per_span));
  benchmark::Shutdown();
  return 0;
}
