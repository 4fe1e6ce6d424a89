// `baton serve --otlp ADDR -o DIR`: an OTLP/HTTP trace receiver writing one session per trace
// (or conversation) into DIR, until SIGINT or SIGTERM, when every open session is written.
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "harness/cli/commands.h"
#include "harness/cli/group_by_option.h"
#include "harness/otel/otlp_receiver.h"

namespace baton::cli {
namespace {

struct ServeOptions {
  std::string otlp = "127.0.0.1:4318";
  std::string out_dir;
  otel::GroupBy group_by = otel::GroupBy::kAuto;
  double idle_s = 30;
  size_t max_body_bytes = 16u << 20;
  size_t max_queued_spans = 200'000;
};

int RunServe(const ServeOptions& opts, CommandContext& ctx) {
  otel::OtlpReceiverOptions o;
  size_t colon = opts.otlp.rfind(':');
  if (colon == std::string::npos) {
    ctx.err << "baton serve: --otlp takes HOST:PORT, got " << opts.otlp << "\n";
    return kExitBadInput;
  }
  o.listen_host = opts.otlp.substr(0, colon);
  if (o.listen_host.size() > 2 && o.listen_host.front() == '[')
    o.listen_host = o.listen_host.substr(1, o.listen_host.size() - 2);
  o.listen_port = static_cast<unsigned>(std::strtoul(opts.otlp.c_str() + colon + 1, nullptr, 10));
  o.out_dir = opts.out_dir;
  o.group_by = opts.group_by;
  o.idle = std::chrono::milliseconds(static_cast<int64_t>(opts.idle_s * 1000));
  o.max_body_bytes = opts.max_body_bytes;
  o.max_queued_spans = opts.max_queued_spans;
  std::error_code ec;
  std::filesystem::create_directories(opts.out_dir, ec);
  if (ec) {
    ctx.err << "baton serve: cannot create " << opts.out_dir << ": " << ec.message() << "\n";
    return kExitBadInput;
  }
  // The receiver's threads inherit a mask that leaves SIGINT and SIGTERM to sigwait below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  auto receiver = otel::OtlpReceiver::Start(o);
  if (!receiver.ok()) {
    ctx.err << "baton serve: " << receiver.status().message() << "\n";
    return kExitBadInput;
  }
  ctx.err << "baton serve: OTLP/HTTP on http://" << opts.otlp.substr(0, colon) << ":"
          << (*receiver)->port() << "/v1/traces and /v1/logs (json or protobuf), sessions into "
          << opts.out_dir << " after " << opts.idle_s << " s without spans\n";
  ctx.err.flush();
  int sig = 0;
  sigwait(&stop_signals, &sig);
  (*receiver)->Stop();
  const otel::OtlpReceiverStats s = (*receiver)->stats();
  ctx.err << "baton serve: stopped: " << s.requests << " requests, " << s.spans_accepted
          << " spans, " << s.sessions_written << " sessions written";
  if (s.log_records_accepted)
    ctx.err << ", " << s.log_records_accepted << " log records of span events";
  if (s.log_records_unjoined)
    ctx.err << " (" << s.log_records_unjoined << " whose span never arrived, left out)";
  if (s.spans_rejected) ctx.err << ", " << s.spans_rejected << " spans or log records rejected";
  if (s.refused_busy) ctx.err << ", " << s.refused_busy << " requests refused while busy (429)";
  if (s.metrics_ignored)
    ctx.err << ", " << s.metrics_ignored << " metrics exports answered and dropped";
  if (s.refused_large) ctx.err << ", " << s.refused_large << " requests refused as too large (413)";
  if (s.refused_bad)
    ctx.err << ", " << s.refused_bad
            << " requests refused as malformed (400, 404, 405, 415 or 501)";
  if (s.refused_http2)
    ctx.err << ", " << s.refused_http2 << " connections refused for speaking HTTP/2 (OTLP/gRPC)";
  if (s.write_errors) ctx.err << ", " << s.write_errors << " sessions NOT written";
  ctx.err << "\n";
  return s.write_errors == 0 ? kExitOk : kExitBadInput;
}

}  // namespace

void AddServeCommand(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<ServeOptions>();
  CLI::App* sub = app.add_subcommand(
      "serve",
      "Receive OpenTelemetry traces (OTLP/HTTP JSON, POST /v1/traces) and write one session "
      "per trace or conversation, until SIGINT/SIGTERM");
  sub->add_option("--otlp", opts->otlp, "HOST:PORT to listen on (loopback unless told otherwise)")
      ->capture_default_str();
  sub->add_option("-o,--output", opts->out_dir, "The directory to write sessions into")->required();
  AddGroupByOption(sub, opts->group_by);
  sub->add_option("--idle", opts->idle_s,
                  "Seconds without a span after which a trace's session is written")
      ->capture_default_str();
  sub->add_option("--max-body-bytes", opts->max_body_bytes,
                  "Larger requests (also after gunzip) are refused with 413")
      ->capture_default_str();
  sub->add_option("--max-queued-spans", opts->max_queued_spans,
                  "Spans waiting for the writer beyond which requests get 429 and Retry-After")
      ->capture_default_str();
  sub->callback([opts, &ctx] { ctx.exit_code = RunServe(*opts, ctx); });
}

}  // namespace baton::cli
