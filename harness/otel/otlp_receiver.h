// `baton serve --otlp`: an OTLP/HTTP trace receiver that writes one baton session per trace
// (or conversation), for a fleet of agent services behind the OpenTelemetry Collector.
//
// POST /v1/traces with application/json or application/x-protobuf (OTLP/HTTP's default,
// otlp_protobuf.h), gzip or not; each is answered in its own encoding. POST /v1/logs the
// same, for the log records that carry the GenAI events of spans (the messages, with the
// OpenAI instrumentations): they join their spans' groups and are written with them. Spans
// are kept per group until none has arrived for `idle`, then the group is written to
// OUT/<trace or conversation id>.baton (a group that receives spans after it was written gets
// a second file, -2, -3, ...). Stop() writes every open group. A request whose spans would put
// more than `max_queued_spans` in the writer's queue is refused with 429 and Retry-After, so
// nothing accepted is dropped and an exporter that retries loses nothing either.
// POST /v1/metrics is answered with success and its metrics dropped (counted, and said once on
// stderr): an SDK pointed at the receiver for every signal (OTEL_EXPORTER_OTLP_ENDPOINT)
// exports metrics too, and would log a failure for each export refused.
#ifndef BATON_HARNESS_OTEL_OTLP_RECEIVER_H_
#define BATON_HARNESS_OTEL_OTLP_RECEIVER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/env.h"
#include "base/status.h"
#include "harness/otel/span_import.h"

namespace baton::otel {

struct OtlpReceiverOptions {
  std::string listen_host = "127.0.0.1";
  unsigned listen_port = 4318;  // 0: ephemeral (see port()).
  std::string out_dir;
  GroupBy group_by = GroupBy::kAuto;
  std::chrono::milliseconds idle{30'000};
  size_t max_body_bytes = 16u << 20;  // Also the limit after gunzip; larger gets 413.
  size_t max_queued_spans = 200'000;  // Beyond this, 429.
  Env* env = nullptr;                 // Borrowed; nullptr: the real file system.
};

struct OtlpReceiverStats {
  uint64_t requests = 0;
  uint64_t spans_accepted = 0;
  uint64_t log_records_accepted = 0;  // GenAI events of spans, sent to /v1/logs.
  uint64_t log_records_unjoined = 0;  // Of those, whose span was not in their group.
  uint64_t spans_rejected = 0;        // Reported in partial_success (with log records).
  uint64_t refused_busy = 0;          // 429
  uint64_t refused_large = 0;         // 413
  uint64_t refused_bad = 0;           // 400, 404, 405, 415, 501
  uint64_t refused_http2 = 0;         // Connections that spoke HTTP/2 (OTLP/gRPC): not answered.
  uint64_t metrics_ignored = 0;       // Metrics exports answered and dropped.
  uint64_t sessions_written = 0;
  uint64_t write_errors = 0;
};

class OtlpReceiver {
 public:
  static Result<std::unique_ptr<OtlpReceiver>> Start(OtlpReceiverOptions options);
  ~OtlpReceiver();  // Stops.
  OtlpReceiver(const OtlpReceiver&) = delete;
  OtlpReceiver& operator=(const OtlpReceiver&) = delete;

  unsigned port() const;
  OtlpReceiverStats stats() const;
  // The session files written so far.
  std::vector<std::string> files() const;
  // Stops listening, then writes every open group and waits for the files to be closed.
  void Stop();

  class Impl;

 private:
  explicit OtlpReceiver(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace baton::otel

#endif  // BATON_HARNESS_OTEL_OTLP_RECEIVER_H_
