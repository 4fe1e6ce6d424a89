// `baton fork FILE (--call AGENT:N | --event SEQ) (--patch FILE | --patch-text TEXT)
//   [--then replay-or-record|record|replay] -o OUT -- PROGRAM ARGS...`: what if that call had
// answered otherwise? Every call before it is served from the recording, the patched call
// gets the user's answer, and after it the calls that still match are served (the default),
// or all go live (record), or must match (replay). The fork is a new recording linked to its
// parent (metadata forked_from, forked_at); the verb prints the first difference, the calls
// that went live, and the verdicts of the recording and the fork side by side.
// Exit 0: the fork was recorded; 1: no fork was recorded (the program made no call through
// baton, or wrote no session), or --then replay diverged; 2: bad input.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "assertions/root_cause.h"
#include "base/env.h"
#include "base/file_io.h"
#include "harness/cli/child_process.h"
#include "harness/cli/commands.h"
#include "harness/cli/program_replay.h"
#include "harness/cli/proxy_options.h"
#include "replayer/session_diff.h"

namespace baton::cli {
namespace {

struct ForkOptions {
  ProxyCliOptions proxy;
  std::string file;
  std::string call;  // AGENT:N
  uint64_t event = 0;
  std::string patch_file;
  std::string patch_text;
  bool has_patch_text = false;
  std::string then = "replay-or-record";
  std::string out;
  std::string policy;
  std::vector<std::string> program;
};

// The recorded call a fork patches: --event SEQ, or --call AGENT:N (the agent's Nth model
// call; its first attempt, so that a call that failed and was retried can be made to work).
Result<const Event*> FindTarget(const Trace& trace, const ForkOptions& opts) {
  if (opts.event != 0) {
    const Event* e = trace.BySeq(opts.event);
    if (e == nullptr)
      return Status::InvalidArgument("--event " + std::to_string(opts.event) + ": " + trace.path() +
                                     " has no such event");
    if (e->kind() != EventKind::kModelCall && e->kind() != EventKind::kToolCall)
      return Status::InvalidArgument("--event " + std::to_string(opts.event) + " is a " +
                                     std::string(KindName(e->kind())) +
                                     "; a fork patches a model_call or a tool_call");
    return e;
  }
  size_t colon = opts.call.rfind(':');
  uint64_t n = 0;
  if (colon == std::string::npos || colon == 0 ||
      (n = std::strtoull(opts.call.c_str() + colon + 1, nullptr, 10)) == 0)
    return Status::InvalidArgument("--call '" + opts.call +
                                   "': expected AGENT:N, e.g. researcher:1 (the researcher's "
                                   "first model call)");
  const std::string agent = opts.call.substr(0, colon);
  uint64_t seen = 0;
  std::string last_call_id;
  for (size_t i : trace.EventsOf(agent)) {
    const Event& e = trace.events()[i];
    const auto* call = e.As<ModelCall>();
    if (call == nullptr || call->attempt > 1) continue;
    if (++seen == n) return &e;
  }
  return Status::InvalidArgument("--call " + opts.call + ": " + agent + " made " +
                                 std::to_string(seen) + " model call(s) in " + trace.path());
}

Result<ReplayPatch> MakePatch(const Event& target, const ForkOptions& opts) {
  ReplayPatch patch;
  patch.recorded_seq = target.seq;
  std::string text = opts.patch_text;
  bool whole_response = false;
  if (!opts.patch_file.empty()) {
    std::unique_ptr<Env> env = NewPosixEnv();
    BATON_ASSIGN_OR_RETURN(text, ReadFileToString(*env, opts.patch_file, 64 << 20));
    whole_response = true;
  }
  if (const auto* call = target.As<ModelCall>()) {
    if (whole_response) {
      BATON_ASSIGN_OR_RETURN(patch.model_response, ParseModelResponse(text, opts.patch_file));
    } else {
      // The content only: what the model said, with no tool calls.
      ModelResponse r;
      r.content = Content(text);
      r.finish_reason = "stop";
      r.usage = call->response.usage;
      patch.model_response = std::move(r);
    }
  } else {
    patch.tool_result = text;  // A tool's result is text, from a file or the flag.
  }
  return patch;
}

int RunFork(const ForkOptions& opts, CommandContext& ctx) {
  if (opts.program.empty()) {
    ctx.err << "baton fork: give the program to run after --\n";
    return kExitBadInput;
  }
  if ((opts.event != 0) == !opts.call.empty()) {
    ctx.err << "baton fork: name the call to patch with --call AGENT:N or --event SEQ\n";
    return kExitBadInput;
  }
  if (opts.patch_file.empty() == !opts.has_patch_text) {
    ctx.err << "baton fork: give the new answer with --patch FILE (a response as baton cat "
               "writes one, or a tool's result) or --patch-text TEXT\n";
    return kExitBadInput;
  }
  auto loaded = LoadRecordingAndPolicy(opts.file, opts.policy, ctx.err);
  if (!loaded.ok()) {
    ctx.err << "baton fork: " << loaded.status().message() << "\n";
    return kExitBadInput;
  }
  const Trace* recording = &loaded->recording;
  const Policy* policy = &loaded->policy;
  auto target = FindTarget(*recording, opts);
  if (!target.ok()) {
    ctx.err << "baton fork: " << target.status().message() << "\n";
    return kExitBadInput;
  }
  auto patch = MakePatch(**target, opts);
  if (!patch.ok()) {
    ctx.err << "baton fork: " << patch.status().message() << "\n";
    return kExitBadInput;
  }
  if (Status writable = CheckWritable(opts.out); !writable.ok()) {
    ctx.err << "baton fork: -o " << writable.message() << "\n";
    return kExitBadInput;
  }
  auto made = MakePrivateTempDir("baton-fork");
  if (!made.ok()) {
    ctx.err << "baton fork: " << made.status().message() << "\n";
    return kExitBadInput;
  }
  std::error_code ec;
  const std::filesystem::path dir = *made;
  auto cleanup = [&] { std::filesystem::remove_all(dir, ec); };

  const std::string what = DescribeEvent(**target);
  ProgramReplay run;
  run.recording_path = opts.file;
  run.recording = &*recording;
  run.program = opts.program;
  run.proxy = opts.proxy;
  run.out = opts.out;
  run.scratch_dir = dir.string();
  run.session = ReplayedSession::kAlways;
  run.options.mode = opts.then == "replay" ? ReplayMode::kReplay : ReplayMode::kReplayOrRecord;
  run.options.on_divergence = OnDivergence::kStop;
  run.options.overrides.patches.push_back(*patch);
  run.options.overrides.after_patch =
      opts.then == "record" ? AfterPatch::kLive : AfterPatch::kAsMode;
  run.metadata = {{"forked_from", recording->header().session_id},
                  {"forked_from_file", opts.file},
                  {"forked_at", std::to_string((*target)->seq)},
                  {"fork_then", opts.then}};
  std::vector<std::string> notes;
  PrepareReplayOptions(*recording, run.options, notes);
  for (const std::string& note : notes)
    ctx.err << "baton fork: " << opts.file << " " << note << "\n";

  auto ran = RunProgramAgainstRecording(run);
  if (!ran.ok()) {
    ctx.err << "baton fork: " << ran.status().message() << "\n";
    cleanup();
    return kExitBadInput;
  }
  cleanup();
  const ProgramReplayResult& r = *ran;
  ctx.out << "fork of " << opts.file << " at " << what << ", answered as given, then " << opts.then
          << "\n";
  if (!r.reported) {
    ctx.out << "the program (exit status " << r.exit_status
            << ") made no call through baton: it must use a model SDK (through the proxy) or "
               "baton's AgentRuntime created with RuntimeOptionsFromEnvironment()\n";
    return kExitFindings;
  }
  if (r.report.patched.empty())
    ctx.out << "note: the program never reached the patched call: the fork is a plain replay\n";
  ctx.out << "calls: " << r.report.served << " served from the recording, " << r.report.served_live
          << " went live\n";
  // The recorded calls the live ones replaced: what the patch changed downstream.
  for (size_t i = 0; i < r.report.unreached.size() && i < 8; ++i)
    ctx.out << "  replaced live: " << r.report.unreached[i] << "\n";
  if (r.report.unreached.size() > 8)
    ctx.out << "  ... and " << r.report.unreached.size() - 8 << " more\n";
  if (!r.report.divergences.empty())
    ctx.out << "first divergence downstream: " << r.report.divergences.front().summary << " ("
            << r.report.divergences.size() << " in all)\n";
  if (!r.session_written) {
    ctx.out << "the program (exit status " << r.exit_status << ") wrote no session to " << opts.out
            << "\n";
    return kExitFindings;
  }
  auto fork = Trace::Load(opts.out);
  if (!fork.ok()) {
    ctx.err << "baton fork: " << fork.status().message() << "\n";
    return kExitFindings;
  }
  SessionDiffOptions diff;
  diff.normalizers = run.options.normalizers;
  auto d = DiffSessions(*recording, *fork, diff);
  if (d.ok() && !d->equivalent) ctx.out << "first difference: " << d->summary << "\n";
  const SessionVerdict before = JudgeSession(*recording, *policy);
  const SessionVerdict after = JudgeSession(*fork, *policy);
  ctx.out << "recording: " << DescribeVerdict(before) << "\n";
  ctx.out << "fork:      " << DescribeVerdict(after) << "\n";
  const std::string& was = before.outcome;
  const std::string& now = after.outcome;
  if (was == "failure" && now == "success") {
    ctx.out << "with " << what << " answered as given, the outcome succeeds: the failure is "
            << "attributable to that answer\n";
  } else if (was == "failure" && now == "failure") {
    ctx.out << "with " << what << " answered as given, the outcome still fails: that answer "
            << "alone does not explain the failure\n";
  } else if (was != now) {
    ctx.out << "with " << what << " answered as given, the outcome changes from " << was << " to "
            << now << "\n";
  }
  ctx.out << "the fork is in " << opts.out << " (forked_from " << recording->header().session_id
          << ", forked_at " << (*target)->seq << ")\n";
  // A program that checks its own replay exits non-zero when the fork departs from the
  // recording, which is what a fork is for: the status is said, not taken as a failure.
  if (r.exit_status != 0) ctx.out << "the program exited with status " << r.exit_status << "\n";
  return opts.then == "replay" && !r.report.matched ? kExitFindings : kExitOk;
}

}  // namespace

void AddForkCommand(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<ForkOptions>();
  CLI::App* sub = app.add_subcommand(
      "fork",
      "What if a call had answered otherwise: baton fork FILE --call AGENT:N --patch-text TEXT "
      "-o OUT -- PROGRAM ARGS...");
  sub->footer(
      "Calls before the patched one are served from the recording; the patched call gets the "
      "given answer; after it, --then replay-or-record (default) serves the calls that still "
      "match and sends the others live, record sends all live, replay requires a match.\n"
      "Exit 0: the fork was recorded; 1: no fork was recorded, or --then replay diverged; "
      "2: bad input.");
  sub->add_option("file", opts->file, "The recording (.baton)")->required();
  sub->add_option("program", opts->program, "The program and its arguments, after --");
  sub->add_option("--call", opts->call, "The call to patch: AGENT:N, the agent's Nth model call");
  sub->add_option("--event", opts->event, "The call to patch: its seq (a model or tool call)");
  sub->add_option("--patch", opts->patch_file,
                  "A file with the new answer: a model response as baton cat writes one "
                  "({\"content\", \"tool_calls\", \"finish_reason\"}), or a tool's result");
  sub->add_option("--patch-text", opts->patch_text,
                  "The new answer's text (a model's content, or a tool's result)")
      ->each([opts](const std::string&) { opts->has_patch_text = true; });
  sub->add_option("--then", opts->then, "After the patched call: replay-or-record, record, replay")
      ->check(CLI::IsMember({"replay-or-record", "record", "replay"}));
  sub->add_option("-o,--out", opts->out, "The fork's recording")->required();
  sub->add_option("--policy", opts->policy, "A policy file (JSON) for the verdicts");
  AddProxyOptions(sub, opts->proxy);
  sub->callback([opts, &ctx] { ctx.exit_code = RunFork(*opts, ctx); });
}

}  // namespace baton::cli
