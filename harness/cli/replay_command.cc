// `baton replay FILE -- PROGRAM ARGS...`: reruns an agent program against a recording.
//
// The program runs with BATON_REPLAY=FILE (its AgentRuntime serves model, tool, clock and
// random answers from the recording), BATON_RECORD=the replayed session, and
// BATON_REPLAY_REPORT=a JSON report it writes on Finish(). The verb prints the divergences,
// then compares the replayed session with the recording (as `baton diff` does).
// Exit 0 only when the program succeeded, the replay matched and the sessions are
// equivalent; 1 otherwise; 2 on bad input.

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "base/env.h"
#include "base/file_io.h"
#include "base/json_parse.h"
#include "harness/cli/chaos_replay.h"
#include "harness/cli/child_process.h"
#include "harness/cli/commands.h"
#include "harness/cli/normalizer_options.h"
#include "harness/cli/program_replay.h"
#include "harness/cli/proxy_options.h"
#include "harness/report/html_report.h"
#include "replayer/read_notes.h"
#include "replayer/session_diff.h"
#include "replayer/trace.h"

namespace baton::cli {
namespace {

struct ReplayCliOptions {
  ProxyCliOptions proxy;
  std::string file;
  std::string out;
  std::string html_report;
  std::string mode = "replay";
  bool keep_going = false;
  uint64_t chaos = 0;
  uint64_t chaos_seed = 0;
  std::string chaos_keep;
  std::string perturb;  // "order,latency,faults"
  std::vector<std::string> program;
  SessionDiffOptions diff;
};

int RunReplay(ReplayCliOptions& opts, CommandContext& ctx) {
  if (!opts.perturb.empty() && opts.chaos == 0 && opts.chaos_seed == 0) {
    ctx.err << "baton replay: --perturb says what chaos runs perturb: give --chaos N or "
               "--chaos-seed S\n";
    return kExitBadInput;
  }
  if (opts.chaos > 0 || opts.chaos_seed > 0) {
    ChaosOptions chaos;
    chaos.file = opts.file;
    chaos.program = opts.program;
    chaos.proxy = opts.proxy;
    chaos.runs = opts.chaos;
    if (opts.chaos_seed > 0) chaos.one_seed = opts.chaos_seed;
    chaos.keep_dir = opts.chaos_keep;
    if (!opts.perturb.empty()) {
      chaos.perturb.clear();
      std::vector<std::string> names;
      std::istringstream list(opts.perturb);
      for (std::string name; std::getline(list, name, ',');) names.push_back(name);
      for (const std::string& name : names) {
        std::optional<Perturbation> p = PerturbationFromName(name);
        if (!p) {
          ctx.err << "baton replay: --perturb: \"" << name
                  << "\" is not a perturbation (order, latency, faults)\n";
          return kExitBadInput;
        }
        if (std::find(chaos.perturb.begin(), chaos.perturb.end(), *p) == chaos.perturb.end())
          chaos.perturb.push_back(*p);
      }
    }
    return RunChaosReplay(chaos, ctx);
  }
  if (opts.program.empty()) {
    ctx.err << "baton replay: give the program to run after --\n";
    return kExitBadInput;
  }
  auto recording = Trace::Load(opts.file);
  if (!recording.ok()) {
    ctx.err << "baton replay: " << recording.status().message() << "\n";
    return kExitBadInput;
  }
  // Said before the run: a replay of a cut-short recording diverges where it was cut.
  WriteReadNotes(ctx.err, opts.file, recording->report());
  if (!opts.out.empty()) {
    // Fail before running the program, not after it ran against an unwritable output.
    Status writable = CheckWritable(opts.out);
    if (!writable.ok()) {
      ctx.err << "baton replay: -o " << writable.message() << "\n";
      return kExitBadInput;
    }
  }
  std::error_code ec;
  auto made = MakePrivateTempDir("baton-replay");
  if (!made.ok()) {
    ctx.err << "baton replay: " << made.status().message() << "\n";
    return kExitBadInput;
  }
  std::filesystem::path dir = *made;
  std::string out = opts.out.empty() ? (dir / "replayed.baton").string() : opts.out;
  auto cleanup = [&] { std::filesystem::remove_all(dir, ec); };

  ProgramReplay run;
  run.recording_path = opts.file;
  run.recording = &*recording;
  run.program = opts.program;
  run.proxy = opts.proxy;
  run.out = out;
  run.scratch_dir = dir.string();
  run.options.mode =
      opts.mode == "replay-or-record" ? ReplayMode::kReplayOrRecord : ReplayMode::kReplay;
  run.options.on_divergence = opts.keep_going ? OnDivergence::kContinue : OnDivergence::kStop;
  run.options.normalizers = opts.diff.normalizers;
  std::vector<std::string> notes;
  PrepareReplayOptions(*recording, run.options, notes);
  for (const std::string& note : notes)
    ctx.err << "baton replay: " << opts.file << " " << note << "\n";

  // The recording's page with the divergences beside it (--report), written whatever the
  // replay's verdict: a failing replay is when it is wanted.
  auto write_report = [&](const std::vector<Divergence>& divergences) {
    if (opts.html_report.empty()) return true;
    report::ReportFiles request;
    request.files = {opts.file};
    request.out_path = opts.html_report;
    request.title = "baton replay: " + opts.file;
    request.divergences = divergences;
    std::unique_ptr<Env> files = NewPosixEnv();
    auto policy = LoadPolicyOrDefaults("");
    if (!policy.ok()) return false;
    auto written = report::WriteReportFile(*files, request, *policy);
    if (!written.ok()) {
      ctx.err << "baton replay: cannot write the HTML report " << opts.html_report << ": "
              << written.status().message() << "\n";
      return false;
    }
    ctx.out << "the replay's report is in " << opts.html_report << "\n";
    return true;
  };
  auto ran = RunProgramAgainstRecording(run);
  if (!ran.ok()) {
    ctx.err << "baton replay: " << ran.status().message() << "\n";
    cleanup();
    return kExitBadInput;
  }
  const ProgramReplayResult& r = *ran;
  const int rc = r.exit_status;
  if (r.via_proxy) {
    ctx.out << r.report.Render();
    if (r.proxy_misses > 0)
      ctx.out << r.proxy_misses << " request(s) had no recorded answer (HTTP "
              << proxy::kReplayMissStatus << ")\n";
    if (rc != 0) ctx.out << "the program exited with status " << rc << "\n";
    if (r.session_written && !opts.out.empty())
      ctx.out << "the replayed session, live calls included, is in " << opts.out << "\n";
    cleanup();
    if (!write_report(r.report.divergences)) return kExitBadInput;
    return r.report.matched && r.proxy_misses == 0 && rc == 0 ? kExitOk : kExitFindings;
  }
  if (!r.reported) {
    ctx.err << "baton replay: the program (exit status " << rc
            << ") wrote no replay report: it must run its agents on baton's AgentRuntime, "
               "created with RuntimeOptionsFromEnvironment(), and call Finish() (see its own "
               "error output above)\n";
    cleanup();
    return kExitFindings;
  }
  const ReplayReport* report = &r.report;
  if (!write_report(report->divergences)) {
    cleanup();
    return kExitBadInput;
  }
  const bool went_live = opts.mode == "replay-or-record" && report->served_live > 0;
  bool ok = report->matched && rc == 0;
  if (report->matched) {
    ctx.out << "replay matched: " << report->served << " calls served from " << opts.file << "\n";
  } else {
    ctx.out << "replay diverged (" << r.divergence_texts.size() << " divergence(s))\n";
    for (size_t i = 0; i < r.divergence_texts.size(); ++i)
      ctx.out << "\n[" << i + 1 << "] " << r.divergence_texts[i];
    if (!report->unreached.empty()) {
      ctx.out << "\nrecorded calls the replay never made: " << report->unreached.size()
              << " (first: " << report->unreached.front() << ")\n";
    }
  }
  if (report->served_live > 0)
    ctx.out << report->served_live << " calls were not in the recording and went live; see " << out
            << "\n";
  if (rc != 0) ctx.out << "the program exited with status " << rc << "\n";
  if (ok && went_live) {
    // The live calls replaced recorded ones: the sessions differ by design from there on.
    ctx.out << "replay-or-record: the replayed session, live calls included, is in "
            << (opts.out.empty() ? std::string("(a temporary file; keep it with -o)") : out)
            << "\n";
  } else if (ok) {
    auto replayed = Trace::Load(out);
    if (!replayed.ok()) {
      ctx.err << "baton replay: " << replayed.status().message() << "\n";
      cleanup();
      return kExitFindings;
    }
    auto d = DiffSessions(*recording, *replayed, opts.diff);
    if (!d.ok()) {
      ctx.err << "baton replay: " << d.status().message() << "\n";
      cleanup();
      return kExitBadInput;
    }
    if (d->equivalent) {
      ctx.out << "sessions equivalent: " << recording->events().size()
              << " events, same per-agent events and delivery order\n";
    } else {
      ctx.out << "but the replayed session differs from the recording:\n" << d->Render();
      ok = false;
    }
  }
  cleanup();
  return ok ? kExitOk : kExitFindings;
}

}  // namespace

void AddReplayCommand(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<ReplayCliOptions>();
  CLI::App* sub = app.add_subcommand(
      "replay",
      "Rerun a program against a recording: baton replay FILE -- PROGRAM ARGS...\n"
      "The program must run its agents on baton's AgentRuntime created with\n"
      "RuntimeOptionsFromEnvironment() and call Finish(): baton sets BATON_REPLAY (the "
      "recording),\n"
      "BATON_RECORD (where the replayed session goes), BATON_REPLAY_MODE, BATON_ON_DIVERGENCE and\n"
      "BATON_REPLAY_REPORT for it. Model, tool, clock, random and environment reads are served\n"
      "from the recording; the first request that differs is reported with a field diff.\n"
      "Exit 0: matched and equivalent; 1: diverged or differs; 2: bad input or unwritable output.");
  sub->add_option("file", opts->file, "The recording (.baton)")->required();
  sub->add_option("program", opts->program, "The program and its arguments, after --");
  sub->add_option("-o,--out", opts->out, "Keep the replayed session in this file");
  sub->add_option("--report", opts->html_report,
                  "Write the recording's HTML page (as baton report) with the divergences, "
                  "recorded and live side by side");
  sub->add_option("--mode", opts->mode,
                  "replay (strict: any unmatched call fails) or replay-or-record (unmatched "
                  "calls go to the live model and are recorded; not a failure)")
      ->check(CLI::IsMember({"replay", "replay-or-record"}));
  sub->add_flag("--keep-going", opts->keep_going,
                "Report every divergence instead of stopping at the first");
  sub->add_option("--chaos", opts->chaos,
                  "N perturbed replays (concurrent deliveries reordered, latencies scaled, 429, "
                  "5xx, cut streams, timeouts on calls chosen by each run's seed), each checked; "
                  "prints the distinct failures found");
  sub->add_option("--perturb", opts->perturb,
                  "What chaos runs perturb: order, latency, faults (comma-separated; default "
                  "all three)");
  sub->add_option("--chaos-seed", opts->chaos_seed,
                  "Replay exactly the chaos run with this seed (as --chaos printed it)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--chaos-keep", opts->chaos_keep, "Keep each chaos run's recording here");
  AddNormalizerOptions(sub, opts->diff.normalizers);
  AddProxyOptions(sub, opts->proxy);
  sub->callback([opts, &ctx] {
    // The program's own normalizers are its business; pass ours via the diff only.
    ctx.exit_code = RunReplay(*opts, ctx);
  });
}

}  // namespace baton::cli
