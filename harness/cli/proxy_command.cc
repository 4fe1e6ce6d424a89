// `baton proxy --listen ADDR (--record FILE | --replay FILE)`: the model-API proxy as a
// long-running service, for agent services that are not started by baton. Runs until
// SIGINT or SIGTERM, then closes the recording cleanly (or prints the replay's report).
#include <signal.h>

#include <memory>
#include <string>

#include "harness/cli/commands.h"
#include "harness/cli/normalizer_options.h"
#include "harness/cli/program_replay.h"
#include "harness/cli/proxy_options.h"

namespace baton::cli {
namespace {

struct ProxyVerbOptions {
  std::string listen = "127.0.0.1:8787";
  std::string record;
  std::string replay;
  std::string mode;
  ProxyCliOptions proxy;
  Normalizers normalizers;
};

bool IsLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]" ||
         host.rfind("127.", 0) == 0;
}

int RunProxy(ProxyVerbOptions& opts, CommandContext& ctx) {
  proxy::ProxyOptions po;
  Status applied = ApplyProxyOptions(opts.proxy, po);
  if (!applied.ok()) {
    ctx.err << "baton proxy: " << applied.message() << "\n";
    return kExitBadInput;
  }
  size_t colon = opts.listen.rfind(':');
  if (colon == std::string::npos) {
    ctx.err << "baton proxy: --listen '" << opts.listen << "': expected HOST:PORT\n";
    return kExitBadInput;
  }
  po.listen_host = opts.listen.substr(0, colon);
  po.listen_port =
      static_cast<unsigned>(std::strtoul(opts.listen.c_str() + colon + 1, nullptr, 10));
  if (!IsLoopback(po.listen_host))
    ctx.err << "baton proxy: listening on " << po.listen_host
            << ", which is not loopback: other machines can reach the proxy and the upstream "
               "through it\n";
  std::string mode = opts.mode;
  if (mode.empty()) mode = opts.replay.empty() ? "record" : "replay";
  auto parsed_mode = ReplayModeFromName(mode);
  if (!parsed_mode) {
    ctx.err << "baton proxy: --mode " << mode << ": expected replay, replay-or-record, record or "
            << "passthrough\n";
    return kExitBadInput;
  }
  po.mode = *parsed_mode;
  const bool replays = po.mode == ReplayMode::kReplay || po.mode == ReplayMode::kReplayOrRecord;
  const bool records = po.mode == ReplayMode::kRecord || po.mode == ReplayMode::kReplayOrRecord;
  if (replays && opts.replay.empty()) {
    ctx.err << "baton proxy: --mode " << mode << " needs --replay FILE\n";
    return kExitBadInput;
  }
  if (records && opts.record.empty()) {
    ctx.err << "baton proxy: --mode " << mode << " needs --record FILE\n";
    return kExitBadInput;
  }
  std::unique_ptr<ReplaySession> session;
  if (replays) {
    ReplayOptions ro;
    ro.mode = po.mode;
    ro.normalizers = opts.normalizers;
    // Lazy, as ReplaySession::Open reads it: request texts are hashed, and read in full only
    // to show a divergence.
    ReaderOptions lazy;
    lazy.blobs = BlobLoading::kLazy;
    auto recording = Trace::Load(opts.replay, lazy);
    if (!recording.ok()) {
      ctx.err << "baton proxy: " << recording.status().message() << "\n";
      return kExitBadInput;
    }
    std::vector<std::string> notes;
    PrepareReplayOptions(*recording, ro, notes);
    for (const std::string& note : notes)
      ctx.err << "baton proxy: " << opts.replay << " " << note << "\n";
    auto opened = ReplaySession::FromTrace(std::move(*recording), ro);
    if (!opened.ok()) {
      ctx.err << "baton proxy: " << opened.status().message() << "\n";
      return kExitBadInput;
    }
    session = std::move(opened).value();
    po.replay = session.get();
  }
  std::unique_ptr<Recorder> recorder;
  if (records) {
    auto created = Recorder::Create(opts.record, SessionHeader{});
    if (!created.ok()) {
      ctx.err << "baton proxy: " << created.status().message() << "\n";
      return kExitBadInput;
    }
    recorder = std::move(created).value();
    po.recorder = recorder.get();
    if (!recorder->preserved_leftover().empty()) {
      ctx.err << "baton proxy: " << opts.record
              << ".incomplete was left by an earlier recording; kept as "
              << recorder->preserved_leftover() << "\n";
    }
  }
  // The proxy's thread inherits a mask that leaves SIGINT and SIGTERM to sigwait below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  auto server = proxy::ProxyServer::Start(po);
  if (!server.ok()) {
    ctx.err << "baton proxy: " << server.status().message() << "\n";
    return kExitBadInput;
  }
  ctx.err << "baton proxy: " << mode << " on http://" << po.listen_host << ":" << (*server)->port()
          << " (OPENAI_BASE_URL=http://" << po.listen_host << ":" << (*server)->port()
          << "/v1, ANTHROPIC_BASE_URL=http://" << po.listen_host << ":" << (*server)->port()
          << ", GOOGLE_GEMINI_BASE_URL=http://" << po.listen_host << ":" << (*server)->port()
          << ")\n";
  ctx.err.flush();
  int sig = 0;
  sigwait(&stop_signals, &sig);
  (*server)->Stop();
  const proxy::ProxyStats stats = (*server)->stats();
  ctx.err << "baton proxy: stopping (" << stats.requests << " requests, " << stats.recorded
          << " recorded, " << stats.served << " served, " << stats.misses << " misses)\n";
  int exit_code = kExitOk;
  if (recorder) {
    Status closed = recorder->Close();
    if (!closed.ok()) {
      ctx.err << "baton proxy: " << closed.message() << "\n";
      exit_code = kExitBadInput;
    }
  }
  if (session) {
    ReplayReport report = session->Report();
    ctx.out << report.Render();
    if (!report.matched && exit_code == kExitOk) exit_code = kExitFindings;
  }
  return exit_code;
}

}  // namespace

void AddProxyCommand(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<ProxyVerbOptions>();
  CLI::App* sub = app.add_subcommand(
      "proxy",
      "Run the model-API record/replay proxy as a service until SIGINT/SIGTERM.\n"
      "Point OPENAI_BASE_URL at http://HOST:PORT/v1, and ANTHROPIC_BASE_URL and\n"
      "GOOGLE_GEMINI_BASE_URL at http://HOST:PORT.\n"
      "A strict replay answers a request the recording lacks with HTTP 424 and an error body\n"
      "naming the agent, the call and the field diff. " +
          TransportOnlyHelp());
  sub->add_option("--listen", opts->listen, "HOST:PORT (default 127.0.0.1:8787; loopback)");
  sub->add_option("--record", opts->record, "Record the calls to this file");
  sub->add_option("--replay", opts->replay, "Answer the calls from this recording");
  sub->add_option("--mode", opts->mode,
                  "replay | replay-or-record | record | passthrough (default: replay with "
                  "--replay, else record)");
  AddProxyOptions(sub, opts->proxy);
  AddNormalizerOptions(sub, opts->normalizers);
  sub->callback([opts, &ctx] { ctx.exit_code = RunProxy(*opts, ctx); });
}

}  // namespace baton::cli
