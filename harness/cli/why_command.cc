// `baton why FILE`: the root cause of a session's failure in one paragraph, then the
// evidence. `baton why --counterfactual FILE -- PROGRAM`: the same, then each finding
// repaired alone and the program rerun (why_counterfactual.h). Exit 0 when the session
// passes, 1 when it fails, 2 on bad input.
#include <memory>
#include <string>
#include <vector>

#include "assertions/root_cause.h"
#include "harness/cli/commands.h"
#include "harness/cli/why_counterfactual.h"
#include "replayer/read_notes.h"

namespace baton::cli {
namespace {

struct WhyOptions {
  std::string file;
  std::string policy;
  bool json = false;
  bool skip_corrupt = false;
  bool counterfactual = false;
  std::vector<std::string> program;
  ProxyCliOptions proxy;
  std::string keep_dir;
};

int RunWhy(const WhyOptions& opts, CommandContext& ctx) {
  if (opts.counterfactual) {
    if (opts.json) {
      ctx.err << "baton why: --counterfactual writes text only\n";
      return kExitBadInput;
    }
    return RunCounterfactualWhy({opts.file, opts.policy, opts.program, opts.proxy, opts.keep_dir},
                                ctx);
  }
  if (!opts.program.empty()) {
    ctx.err << "baton why: a program after -- is rerun only with --counterfactual\n";
    return kExitBadInput;
  }
  auto loaded = LoadPolicyOrDefaults(opts.policy);
  if (!loaded.ok()) {
    ctx.err << "baton why: " << loaded.status().message() << "\n";
    return kExitBadInput;
  }
  const Policy& policy = *loaded;
  ReaderOptions ropts;
  ropts.on_corrupt = opts.skip_corrupt ? CorruptChunkPolicy::kSkip : CorruptChunkPolicy::kStop;
  auto trace = Trace::Load(opts.file, ropts);
  if (!trace.ok()) {
    ctx.err << "baton why: " << trace.status().message()
            << (trace.status().code() == Status::Code::kCorruption
                    ? " (use --skip-corrupt to read past it)"
                    : "")
            << "\n";
    return kExitBadInput;
  }
  ScorerSet scorers = ScorerSet::Defaults();
  Analysis analysis = Analyze(*trace, policy, scorers);
  Explanation ex = Explain(*trace, analysis);
  if (opts.json) {
    ctx.out << ex.ToJson(analysis) << "\n";
    return ex.passed ? kExitOk : kExitFindings;
  }
  ctx.out << (ex.passed ? "PASS " : "FAIL ") << trace->header().session_id << " (" << opts.file
          << ")\n"
          << ex.paragraph << "\n";
  if (!ex.evidence.empty()) {
    ctx.out << "\nevidence:\n";
    for (uint64_t seq : ex.evidence)
      if (const Event* e = trace->BySeq(seq))
        ctx.out << "  " << DescribeEvent(*e) << " at " << RelativeTime(e->mono_ns) << "\n";
  }
  if (trace->report().end == LogEnd::kAbnormal || !trace->report().skipped_chunks.empty())
    ctx.out << "\n";
  WriteReadNotes(ctx.out, "", trace->report());
  return ex.passed ? kExitOk : kExitFindings;
}

}  // namespace

void AddWhyCommand(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<WhyOptions>();
  CLI::App* sub =
      app.add_subcommand("why", "The root cause of a session's failure, in one paragraph");
  sub->add_option("file", opts->file, "A .baton file")->required();
  sub->add_option("--policy", opts->policy, "A policy file (JSON); defaults otherwise");
  sub->add_flag("--json", opts->json, "Machine-readable output");
  sub->add_flag("--skip-corrupt", opts->skip_corrupt, "Skip corrupt chunks instead of stopping");
  sub->add_option("program", opts->program,
                  "With --counterfactual: the program and its arguments, after --");
  sub->add_flag("--counterfactual", opts->counterfactual,
                "Attribution by intervention: repair each finding with its healthy counterpart "
                "from the recording, rerun the program once per repair, and report which "
                "single repair flips the verdict");
  sub->add_option(
      "--keep", opts->keep_dir,
      "With --counterfactual: keep each repaired run's recording here (repair-N.baton)");
  AddProxyOptions(sub, opts->proxy);
  sub->callback([opts, &ctx] { ctx.exit_code = RunWhy(*opts, ctx); });
}

}  // namespace baton::cli
