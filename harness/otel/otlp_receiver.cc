#include "harness/otel/otlp_receiver.h"

#include <kj/async-io.h>
#include <kj/compat/gzip.h>
#include <kj/compat/http.h>
#include <kj/io.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

#include "base/ascii.h"
#include "base/clock.h"
#include "base/json_writer.h"
#include "harness/net/http_serving.h"
#include "harness/otel/otlp_protobuf.h"

namespace baton::otel {

// --- The receiver --------------------------------------------------------------------------

namespace {

// How a request's body is encoded; OTLP/HTTP answers in the same encoding.
enum class BodyEncoding { kJson, kProtobuf };

// What a request exports: OTLP/HTTP's /v1/traces or /v1/logs (whose records baton reads
// for the GenAI events of spans, otlp_spans.h).
enum class Signal { kTraces, kLogs, kMetrics };

// A request's answer: where it goes, in which encoding, and for which signal.
struct Reply {
  kj::HttpService::Response* response = nullptr;
  BodyEncoding encoding = BodyEncoding::kJson;
  Signal signal = Signal::kTraces;
};

// google.rpc.Status as OTLP/HTTP answers failures: {"code": N, "message": "..."} to JSON,
// the same message as protobuf to protobuf.
std::string ErrorBody(BodyEncoding encoding, int rpc_code, const std::string& message) {
  if (encoding == BodyEncoding::kProtobuf) return OtlpProtobufStatus(rpc_code, message);
  JsonWriter w;
  w.BeginObject().Key("code").Int(rpc_code).Key("message").String(message).EndObject();
  return w.Take();
}

Result<std::string> Gunzip(std::string_view body, size_t limit) {
  std::string out;
  auto error = kj::runCatchingExceptions([&] {
    kj::ArrayInputStream raw(
        kj::arrayPtr(reinterpret_cast<const kj::byte*>(body.data()), body.size()));
    kj::GzipInputStream gz(raw);
    char buf[65536];
    while (true) {
      size_t n = gz.tryRead(buf, 1, sizeof buf);
      if (n == 0) break;
      out.append(buf, n);
      if (out.size() > limit) break;
    }
  });
  KJ_IF_MAYBE (e, error) {
    return Status::Corruption(std::string("the gzip body does not decompress: ") +
                              e->getDescription().cStr());
  }
  return out;
}

}  // namespace

class OtlpReceiver::Impl final : public kj::HttpService, public kj::HttpServerErrorHandler {
 public:
  explicit Impl(OtlpReceiverOptions options)
      : options_(std::move(options)), groups_(options_.group_by), clock_(NewSystemClock()) {
    if (options_.env == nullptr) {
      owned_env_ = NewPosixEnv();
      options_.env = owned_env_.get();
    }
  }

  Status Run(std::promise<Status>& started) {
    auto io = kj::setupAsyncIo();
    timer_ = &io.provider->getTimer();
    table_ = kj::HttpHeaderTable::Builder().build();
    auto listening = net::ListenOn(io, options_.listen_host, options_.listen_port);
    if (!listening.ok()) {
      started.set_value(listening.status());
      return listening.status();
    }
    kj::Own<kj::ConnectionReceiver> listener = std::move(listening).value();
    port_ = listener->getPort();
    kj::HttpServerSettings settings;
    settings.errorHandler = *this;
    kj::HttpServer server(*timer_, *table_, *this, settings);
    auto stop = kj::newPromiseAndCrossThreadFulfiller<void>();
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = kj::mv(stop.fulfiller);
    }
    started.set_value(Status::Ok());
    stop.promise.exclusiveJoin(server.listenHttp(*listener)).wait(io.waitScope);
    return Status::Ok();
  }

  // The writer: takes queued batches into groups, writes the groups that went quiet.
  void WriterLoop() {
    const int64_t idle_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(options_.idle).count();
    // Checked often enough that a group is written within a quarter of `idle` of going quiet.
    const auto tick = std::clamp<std::chrono::milliseconds>(
        options_.idle / 4, std::chrono::milliseconds(5), std::chrono::milliseconds(1000));
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait_for(lock, tick, [&] { return !queue_.empty() || stopping_; });
      std::deque<std::vector<Span>> batches;
      batches.swap(queue_);
      for (const auto& b : batches) queued_spans_ -= b.size();
      const bool stopping = stopping_;
      lock.unlock();
      const int64_t now = clock_->MonoNanos();
      for (auto& b : batches) groups_.Add(std::move(b), now);
      auto ready = stopping ? groups_.TakeAll() : groups_.TakeIdle(now, idle_ns);
      for (auto& [key, spans] : ready) Write(key, std::move(spans));
      // Every group taken this turn is on disk before the writer waits again.
      while (!writing_.empty()) FinishOldest();
      lock.lock();
      if (stopping && queue_.empty()) break;
    }
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) stop_->fulfill();
    }
    if (http_thread_.joinable()) http_thread_.join();
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (writer_thread_.joinable()) writer_thread_.join();
  }

  unsigned port() const { return port_; }
  OtlpReceiverStats stats() const {
    std::lock_guard<std::mutex> lock(mu_);
    return stats_;
  }
  std::vector<std::string> files() const {
    std::lock_guard<std::mutex> lock(mu_);
    return files_;
  }

  kj::Promise<void> request(kj::HttpMethod method, kj::StringPtr url,
                            const kj::HttpHeaders& headers, kj::AsyncInputStream& body,
                            Response& response) override {
    Count(&OtlpReceiverStats::requests);
    std::string content_type, content_encoding;
    uint64_t declared_length = 0;
    headers.forEach([&](kj::StringPtr name, kj::StringPtr value) {
      std::string n = AsciiLower(name.cStr());
      if (n == "content-type") content_type = AsciiLower(value.cStr());
      if (n == "content-encoding") content_encoding = AsciiLower(value.cStr());
      if (n == "content-length") declared_length = std::strtoull(value.cStr(), nullptr, 10);
    });
    // application/x-protobuf (the spec's), application/protobuf: answered in protobuf too.
    std::string path = url.cStr();
    if (size_t q = path.find('?'); q != std::string::npos) path.resize(q);
    const Reply reply{&response,
                      content_type.find("protobuf") != std::string::npos ? BodyEncoding::kProtobuf
                                                                         : BodyEncoding::kJson,
                      path == "/v1/logs"      ? Signal::kLogs
                      : path == "/v1/metrics" ? Signal::kMetrics
                                              : Signal::kTraces};
    if (path != "/v1/traces" && path != "/v1/logs" && path != "/v1/metrics")
      return Refuse(reply, 404, 5,
                    "baton serve receives traces at POST /v1/traces and the GenAI events of "
                    "their spans at POST /v1/logs (OTLP/HTTP); not " +
                        path);
    if (method != kj::HttpMethod::POST)
      return Refuse(reply, 405, 12, "OTLP/HTTP takes an export as POST " + path);
    if (reply.encoding == BodyEncoding::kJson && !content_type.empty() &&
        content_type.find("json") == std::string::npos)
      return Refuse(
          reply, 415, 3,
          "expected Content-Type application/json or application/x-protobuf, got " + content_type);
    if (!content_encoding.empty() && content_encoding != "gzip" && content_encoding != "identity")
      return Refuse(reply, 415, 3,
                    "unsupported Content-Encoding " + content_encoding + " (gzip or none)");
    const bool gzip = content_encoding == "gzip";
    const size_t limit = options_.max_body_bytes;
    if (declared_length > limit) return TooLarge(reply);
    auto on_read_error = [this, reply](kj::Exception&& e) -> kj::Promise<void> {
      // A chunked body longer than the limit ends the read with "Reached limit".
      if (std::string(e.getDescription().cStr()).find("limit") != std::string::npos)
        return TooLarge(reply);
      return Refuse(
          reply, 400, 3,
          std::string("the request body could not be read: ") + e.getDescription().cStr());
    };
    if (reply.signal == Signal::kMetrics)
      return body.readAllText(limit + 1).then(
          [this, reply, limit](kj::String text) {
            return text.size() > limit ? TooLarge(reply) : IgnoreMetrics(reply);
          },
          kj::mv(on_read_error));
    if (declared_length > 0) {
      // A body of declared length (what exporters send) is read into one buffer, with room
      // for the JSON parser's padding after it, and parsed there: not gathered in pieces and
      // joined, nor copied again for the parser. Each request has its own: the bodies of
      // several connections are read at once.
      auto buffer = kj::heapArray<char>(declared_length + OtlpJsonReader::kPadding);
      char* at = buffer.begin();
      return body.read(at, declared_length)
          .then(
              [this, reply, gzip, limit, declared_length, buffer = kj::mv(buffer)]() mutable {
                const std::string_view bytes(buffer.begin(), declared_length);
                if (gzip) return Gunzipped(reply, limit, bytes);
                if (reply.encoding == BodyEncoding::kProtobuf)
                  return Accept(reply, ParseProtobuf(reply.signal, bytes));
                return Accept(reply,
                              reader_.ReadInPlace(buffer.begin(), declared_length, kBodyName));
              },
              kj::mv(on_read_error));
    }
    return body.readAllText(limit + 1).then(
        [this, reply, gzip, limit](kj::String text) {
          const std::string_view bytes(text.begin(), text.size());
          if (bytes.size() > limit) return TooLarge(reply);
          if (gzip) return Gunzipped(reply, limit, bytes);
          return Accept(reply, Parse(reply, bytes));
        },
        kj::mv(on_read_error));
  }

 private:
  static constexpr std::string_view kBodyName = "the request body";

  static Result<OtlpBatch> ParseProtobuf(Signal signal, std::string_view bytes) {
    return signal == Signal::kLogs ? ParseOtlpLogsProtobuf(bytes, kBodyName)
                                   : ParseOtlpProtobuf(bytes, kBodyName);
  }

  Result<OtlpBatch> Parse(const Reply& reply, std::string_view bytes) {
    if (reply.encoding == BodyEncoding::kProtobuf) return ParseProtobuf(reply.signal, bytes);
    return reader_.Read(bytes, kBodyName);
  }

  kj::Promise<void> Gunzipped(Reply reply, size_t limit, std::string_view bytes) {
    auto plain = Gunzip(bytes, limit);
    if (!plain.ok()) return Refuse(reply, 400, 3, plain.status().message());
    if (plain->size() > limit) return TooLarge(reply);
    return Accept(reply, Parse(reply, *plain));
  }

  kj::Promise<void> Accept(Reply reply, Result<OtlpBatch> batch) {
    if (!batch.ok()) return Refuse(reply, 400, 3, batch.status().message());
    const size_t n = batch->spans.size();
    const size_t rejected = batch->rejected.size();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (n > 0 && queued_spans_ + n > options_.max_queued_spans && queued_spans_ > 0) {
        ++stats_.refused_busy;
        return Send(
            reply, 429, {{"Retry-After", "1"}},
            ErrorBody(reply.encoding, 14,
                      "baton serve: the writer is behind (" + std::to_string(queued_spans_) +
                          " spans queued); retry after 1 s"));
      }
      queued_spans_ += n;
      stats_.spans_accepted += n - batch->log_records;
      stats_.log_records_accepted += batch->log_records;
      stats_.spans_rejected += rejected;
      if (n > 0) queue_.push_back(std::move(batch->spans));
    }
    cv_.notify_one();
    const bool logs = reply.signal == Signal::kLogs;
    std::string message;
    if (rejected > 0)
      message = std::to_string(rejected) + (logs ? " log records" : " spans") +
                " rejected; the first: " + batch->rejected.front().where + ": " +
                batch->rejected.front().reason;
    // ExportLogsServiceResponse has the trace response's layout: the same bytes.
    if (reply.encoding == BodyEncoding::kProtobuf)
      return Send(reply, 200, {}, OtlpProtobufResponse(static_cast<int64_t>(rejected), message));
    JsonWriter w;
    w.BeginObject();
    if (rejected > 0) {
      w.Key("partialSuccess").BeginObject();
      w.Key(logs ? "rejectedLogRecords" : "rejectedSpans").String(std::to_string(rejected));
      w.Key("errorMessage").String(message);
      w.EndObject();
    }
    w.EndObject();
    return Send(reply, 200, {}, w.Take());
  }

  // A request that is not HTTP/1.1 at all. An OTLP/gRPC exporter (the Python SDK's default, and
  // the Collector's otlp exporter) opens with HTTP/2's preface: it cannot read an HTTP/1.1
  // answer, so it gets none, and the operator is told once what to change. Anything else
  // gets kj's answer (400, or 501 for an unknown method) and is counted and said as a refusal.
  kj::Promise<void> handleClientProtocolError(kj::HttpHeaders::ProtocolError error,
                                              kj::HttpService::Response& response) override {
    constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0";
    if (std::string_view(error.rawContent.begin(), error.rawContent.size())
            .starts_with(kHttp2Preface)) {
      if (Count(&OtlpReceiverStats::refused_http2))
        std::fprintf(stderr,
                     "baton serve: a client spoke HTTP/2, as an OTLP/gRPC exporter does; baton "
                     "serve takes OTLP/HTTP: set the exporter's protocol to http/protobuf or "
                     "http/json (OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf) with this address "
                     "and port, or receive gRPC with the OpenTelemetry Collector in front "
                     "(deploy/otel-collector.yaml)\n");
      return kj::READY_NOW;  // No answer: the connection is closed.
    }
    Count(&OtlpReceiverStats::refused_bad);
    std::fprintf(stderr, "baton serve: %u: not an HTTP request: %s\n", error.statusCode,
                 error.description.cStr());
    return kj::HttpServerErrorHandler::handleClientProtocolError(kj::mv(error), response);
  }

  // Success, as the exporter expects, for metrics that no session holds.
  kj::Promise<void> IgnoreMetrics(Reply reply) {
    if (Count(&OtlpReceiverStats::metrics_ignored))
      std::fprintf(stderr,
                   "baton serve: metrics (POST /v1/metrics) are answered and dropped: sessions "
                   "are made of traces and their span events; OTEL_METRICS_EXPORTER=none stops "
                   "an SDK sending them\n");
    // An empty ExportMetricsServiceResponse: no bytes in protobuf, {} in JSON.
    return Send(reply, 200, {}, reply.encoding == BodyEncoding::kProtobuf ? "" : "{}");
  }

  kj::Promise<void> TooLarge(Reply reply) {
    Count(&OtlpReceiverStats::refused_large);
    return Send(reply, 413, {},
                ErrorBody(reply.encoding, 8,
                          "the request is over baton serve's limit of " +
                              std::to_string(options_.max_body_bytes) +
                              " bytes (--max-body-bytes); lower the exporter's batch size"));
  }

  kj::Promise<void> Refuse(Reply reply, unsigned status, int rpc_code, const std::string& message) {
    Count(&OtlpReceiverStats::refused_bad);
    std::fprintf(stderr, "baton serve: %u: %s\n", status, message.c_str());
    return Send(reply, status, {}, ErrorBody(reply.encoding, rpc_code, "baton serve: " + message));
  }

  kj::Promise<void> Send(Reply reply, unsigned status, std::vector<KeyValue> headers,
                         const std::string& body) {
    headers.insert(headers.begin(), {"Content-Type", reply.encoding == BodyEncoding::kProtobuf
                                                         ? "application/x-protobuf"
                                                         : "application/json"});
    return net::SendWholeBody(*reply.response, *table_, status, headers, body);
  }

  // Counts one more in `field`; whether it was the first (what is said once is said then).
  bool Count(uint64_t OtlpReceiverStats::*field) {
    std::lock_guard<std::mutex> lock(mu_);
    return (stats_.*field)++ == 0;
  }

  // Hands a group to a thread of its own that maps it to a session and writes its file, so
  // that mapping, creating files and compressing run on every core while this thread takes
  // in the next batches. At most kMaxSessionsInFlight run at once (memory stays bounded).
  void Write(const std::string& key, std::vector<Span> spans) {
    if (!HasSpan(spans)) {
      // Log records whose spans never came, or came and were written before them (the
      // exporter sent the logs later than `idle`): no session to add their events to.
      std::lock_guard<std::mutex> lock(mu_);
      stats_.log_records_unjoined += spans.size();
      return;
    }
    Env& env = *options_.env;
    const std::string base = options_.out_dir + "/" + SessionFileName(key);
    std::string path = base + ".baton";
    // A file still being written exists as PATH.incomplete, or not yet at all when its
    // thread has not created it: both are taken too.
    auto in_flight = [&](const std::string& p) {
      return std::any_of(writing_.begin(), writing_.end(),
                         [&](const SessionInFlight& w) { return w.path == p; });
    };
    for (int n = 2; in_flight(path) || env.FileExists(path) || env.FileExists(path + ".incomplete");
         ++n)
      path = base + "-" + std::to_string(n) + ".baton";
    // A receiver must keep up with a fleet: each session is written once, at the recorder's
    // level, not recompressed hard on close as a batch import's are. The spans are shared
    // with the thread, not moved into it: std::thread moves its arguments before it knows
    // whether a thread can be started.
    auto group = std::make_shared<std::vector<Span>>(std::move(spans));
    auto write = [this, key, path, group] {
      SpanSession session = SessionFromSpans(key, std::move(*group));
      const size_t unjoined = session.unjoined_log_records;
      Written(path,
              WriteSpanSession(std::move(session), path, *options_.env, CloseCompaction::kNone,
                               redaction_),
              unjoined);
    };
    std::thread thread;
    try {
      thread = std::thread(write);
    } catch (const std::system_error&) {
      // No thread to be had (a process or memory limit): the session is written here, late
      // but whole.
      write();
      return;
    }
    writing_.push_back({path, std::move(thread)});
    while (writing_.size() > kMaxSessionsInFlight) FinishOldest();
  }

  void FinishOldest() {
    SessionInFlight done = std::move(writing_.front());
    writing_.pop_front();
    done.thread.join();
  }

  void Written(const std::string& path, const Status& s, size_t unjoined_log_records) {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.log_records_unjoined += unjoined_log_records;
    if (!s.ok()) {
      ++stats_.write_errors;
      std::fprintf(stderr, "baton serve: writing %s: %s\n", path.c_str(), s.message().c_str());
      return;
    }
    ++stats_.sessions_written;
    files_.push_back(path);
  }

  struct SessionInFlight {
    std::string path;
    std::thread thread;  // Maps and writes the session; ends when its file is closed.
  };
  static constexpr size_t kMaxSessionsInFlight = 4;
  std::deque<SessionInFlight> writing_;  // The writer thread's, oldest first.

  OtlpReceiverOptions options_;
  std::unique_ptr<Env> owned_env_;
  SpanGroups groups_;  // The writer thread's.
  std::unique_ptr<Clock> clock_;
  kj::Timer* timer_ = nullptr;
  kj::Own<kj::HttpHeaderTable> table_;
  unsigned port_ = 0;
  OtlpJsonReader reader_;  // The HTTP thread's: every request body is read with it.
  // Every session's redaction: its key and the environment's secrets looked up once.
  const RedactionOptions redaction_ = ResolvedRedactionOptions({});

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::vector<Span>> queue_;
  size_t queued_spans_ = 0;
  bool stopping_ = false;
  OtlpReceiverStats stats_;
  std::vector<std::string> files_;
  kj::Own<kj::CrossThreadPromiseFulfiller<void>> stop_;

 public:
  std::thread http_thread_;
  std::thread writer_thread_;
};

Result<std::unique_ptr<OtlpReceiver>> OtlpReceiver::Start(OtlpReceiverOptions options) {
  if (options.out_dir.empty())
    return Status::InvalidArgument("baton serve needs an output directory");
  auto impl = std::make_unique<Impl>(std::move(options));
  std::promise<Status> started;
  auto ready = started.get_future();
  Impl* raw = impl.get();
  impl->http_thread_ = std::thread([raw, &started] { raw->Run(started).IgnoreError(); });
  Status s = ready.get();
  if (!s.ok()) {
    impl->http_thread_.join();
    return s;
  }
  impl->writer_thread_ = std::thread([raw] { raw->WriterLoop(); });
  return std::unique_ptr<OtlpReceiver>(new OtlpReceiver(std::move(impl)));
}

OtlpReceiver::OtlpReceiver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OtlpReceiver::~OtlpReceiver() { Stop(); }
void OtlpReceiver::Stop() {
  if (impl_ != nullptr) impl_->Stop();
}
unsigned OtlpReceiver::port() const { return impl_->port(); }
OtlpReceiverStats OtlpReceiver::stats() const { return impl_->stats(); }
std::vector<std::string> OtlpReceiver::files() const { return impl_->files(); }

}  // namespace baton::otel
