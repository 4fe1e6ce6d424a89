#include "harness/cli/why_counterfactual.h"

#include <filesystem>

#include "assertions/counterfactual_repairs.h"
#include "assertions/root_cause.h"
#include "harness/cli/child_process.h"
#include "harness/cli/program_replay.h"

namespace baton::cli {
namespace {

std::string Seq(uint64_t seq) { return "#" + std::to_string(seq); }

// "stale context at researcher <- planner".
std::string Phrase(const Finding& f) {
  return std::string(FindingKindPhrase(f.kind)) +
         (f.from == f.to ? " in " + f.to : " at " + f.to + " <- " + f.from);
}

std::string Boundary(const Finding& f) {
  return std::string(FindingKindName(f.kind)) +
         (f.from == f.to ? " in " + f.to : " at " + f.to + " <- " + f.from) + " (" + Seq(f.at_seq) +
         ")";
}

}  // namespace

int RunCounterfactualWhy(const CounterfactualOptions& opts, CommandContext& ctx) {
  if (opts.program.empty()) {
    ctx.err << "baton why: --counterfactual reruns the program: give it after --\n";
    return kExitBadInput;
  }
  auto loaded = LoadRecordingAndPolicy(opts.file, opts.policy, ctx.err);
  if (!loaded.ok()) {
    ctx.err << "baton why: " << loaded.status().message() << "\n";
    return kExitBadInput;
  }
  const Trace* recording = &loaded->recording;
  const Policy* policy = &loaded->policy;
  ScorerSet scorers = ScorerSet::Defaults();
  const Analysis analysis = Analyze(*recording, *policy, scorers);
  const Explanation ex = Explain(*recording, analysis);
  ctx.out << (ex.passed ? "PASS " : "FAIL ") << recording->header().session_id << " (" << opts.file
          << ")\n"
          << ex.paragraph << "\n";
  if (ex.passed) {
    ctx.out << "\ncounterfactual: the session passes; there is nothing to repair\n";
    return kExitOk;
  }
  const SessionVerdict before = JudgeSession(*recording, *policy);
  // A failed outcome is what a repair should flip; a session that reached its outcome and
  // fails on findings alone (a retry storm) is flipped by passing.
  enum class Target { kOutcome, kVerdict };
  const Target target = before.outcome == "failure" ? Target::kOutcome : Target::kVerdict;
  const std::vector<Repair> repairs = PlanRepairs(*recording, analysis);
  size_t runs = 0;
  for (const Repair& r : repairs) runs += r.patch && !r.same_as;
  ctx.out << "\ncounterfactual: " << repairs.size()
          << " finding(s), each repaired alone with its healthy counterpart where the recording "
             "has one; "
          << runs << " rerun(s) of the program\n";

  auto made = MakePrivateTempDir("baton-counterfactual");
  if (!made.ok()) {
    ctx.err << "baton why: " << made.status().message() << "\n";
    return kExitBadInput;
  }
  std::error_code ec;
  const std::filesystem::path dir = *made;
  if (!opts.keep_dir.empty()) std::filesystem::create_directories(opts.keep_dir, ec);
  std::vector<size_t> flips;
  for (size_t i = 0; i < repairs.size(); ++i) {
    const Repair& r = repairs[i];
    ctx.out << "[" << i + 1 << "] " << Boundary(r.finding) << "\n";
    if (!r.patch) {
      ctx.out << "    no repair: " << r.why_not << "\n";
      continue;
    }
    ctx.out << "    repair: " << r.what << "\n";
    if (r.same_as) {
      ctx.out << "    the same repair as [" << *r.same_as + 1 << "]\n";
      continue;
    }
    const std::filesystem::path run_dir = dir / ("repair-" + std::to_string(i + 1));
    std::filesystem::create_directories(run_dir, ec);
    ProgramReplay run;
    run.recording_path = opts.file;
    run.recording = &*recording;
    run.program = opts.program;
    run.proxy = opts.proxy;
    run.scratch_dir = run_dir.string();
    run.out = opts.keep_dir.empty() ? (run_dir / "repaired.baton").string()
                                    : (std::filesystem::path(opts.keep_dir) /
                                       ("repair-" + std::to_string(i + 1) + ".baton"))
                                          .string();
    run.program_stderr = (run_dir / "stderr.txt").string();
    run.session = ReplayedSession::kAlways;
    run.options.mode = ReplayMode::kReplayOrRecord;  // What the repair changed goes live.
    run.options.on_divergence = OnDivergence::kContinue;
    run.options.overrides.patches = {*r.patch};
    run.metadata = {{"counterfactual_of", recording->header().session_id}, {"repair", r.what}};
    std::vector<std::string> notes;
    PrepareReplayOptions(*recording, run.options, notes);
    auto ran = RunProgramAgainstRecording(run);
    if (!ran.ok()) {
      ctx.err << "baton why: " << ran.status().message() << "\n";
      std::filesystem::remove_all(dir, ec);
      return kExitBadInput;
    }
    auto repaired =
        ran->session_written ? Trace::Load(run.out) : Result<Trace>(Status::NotFound(""));
    if (!repaired.ok()) {
      ctx.out << "    the program (exit status " << ran->exit_status
              << ") left no session: the repair could not be judged\n";
      if (std::string said = LastComplaint(run.program_stderr); !said.empty())
        ctx.out << "    the program said: " << said << "\n";
      continue;
    }
    SessionVerdict after = JudgeSession(*repaired, *policy);
    const int failing_exit = FailingExitStatus(after, ran->exit_status, !ran->report.matched);
    if (failing_exit != 0) after.passed = false;
    const bool flipped =
        target == Target::kOutcome ? after.outcome == "success" && failing_exit == 0 : after.passed;
    ctx.out << "    " << DescribeVerdict(after);
    if (failing_exit != 0) ctx.out << ", the program exited with status " << failing_exit;
    if (ran->report.patched.empty()) ctx.out << "; the program never reached the repaired event";
    if (flipped) {
      flips.push_back(i);
      ctx.out << (target == Target::kOutcome ? ": the outcome succeeds" : ": the session passes");
      if (target == Target::kOutcome && after.findings > 0)
        ctx.out << " (" << after.findings << " other finding(s) remain)";
      ctx.out << "\n";
    } else {
      ctx.out << (target == Target::kOutcome ? ": the outcome still fails\n" : ": still fails\n");
    }
    if (!opts.keep_dir.empty()) ctx.out << "    kept in " << run.out << "\n";
  }
  std::filesystem::remove_all(dir, ec);

  ctx.out << "\n";
  const char* const flipped_what = target == Target::kOutcome ? "outcome" : "verdict";
  if (runs == 0) {
    ctx.out << "attribution by intervention: no finding has a counterpart in the recording to "
               "repair it with; the root cause above rests on the evidence alone\n";
    return kExitFindings;
  }
  if (flips.empty()) {
    ctx.out << "attribution by intervention: no single repair flips the " << flipped_what << " ("
            << runs
            << " tried): the failure needs more than one repair, or one the recording has no "
               "counterpart for\n";
    return kExitFindings;
  }
  if (flips.size() == 1) {
    const Finding& f = repairs[flips.front()].finding;
    ctx.out << "attribution by intervention: the "
            << (target == Target::kOutcome ? "failed outcome" : "failure") << " is attributable to "
            << Phrase(f) << ": repairing it alone makes "
            << (target == Target::kOutcome ? "the outcome succeed" : "the session pass")
            << (runs == 1
                    ? ", and it is the only repair the recording has a counterpart for."
                    : ", and no other of the " + std::to_string(runs) + " repairs tried does.");
  } else {
    ctx.out << "attribution by intervention: each of these alone flips the " << flipped_what
            << ": ";
    for (size_t k = 0; k < flips.size(); ++k)
      ctx.out << (k ? "; " : "") << Phrase(repairs[flips[k]].finding);
    ctx.out << ".";
  }
  if (ex.root) {
    const Finding& first = repairs[flips.front()].finding;
    const bool agrees =
        ex.root->kind == first.kind && ex.root->from == first.from && ex.root->to == first.to;
    ctx.out << (agrees ? " It agrees with the root cause above, found from the evidence."
                       : " The root cause above, found from the evidence, names " +
                             Phrase(*ex.root) + ".");
  }
  ctx.out << "\n";
  return kExitFindings;
}

}  // namespace baton::cli
