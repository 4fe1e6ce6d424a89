// `baton timeline FILE`: the session in a terminal, one line per event indented by its
// agent's lane, with handoffs, marks (stale, low quality, errors, retries), the findings and
// the root cause. Exit 0 when the session passes, 1 when it fails, 2 on bad input.
#include <unistd.h>

#include <memory>
#include <string>

#include "harness/cli/commands.h"
#include "harness/report/timeline.h"
#include "replayer/read_notes.h"

namespace baton::cli {
namespace {

struct TimelineOptions {
  std::string file;
  std::string policy;
  std::string color = "auto";
  bool skip_corrupt = false;
};

int RunTimeline(const TimelineOptions& opts, CommandContext& ctx) {
  auto policy = LoadPolicyOrDefaults(opts.policy);
  if (!policy.ok()) {
    ctx.err << "baton timeline: " << policy.status().message() << "\n";
    return kExitBadInput;
  }
  ReaderOptions ropts;
  ropts.on_corrupt = opts.skip_corrupt ? CorruptChunkPolicy::kSkip : CorruptChunkPolicy::kStop;
  auto trace = Trace::Load(opts.file, ropts);
  if (!trace.ok()) {
    ctx.err << "baton timeline: " << trace.status().message() << "\n";
    return kExitBadInput;
  }
  ScorerSet scorers = ScorerSet::Defaults();
  Analysis analysis = Analyze(*trace, *policy, scorers);
  Explanation explanation = Explain(*trace, analysis);
  report::Timeline timeline = report::BuildTimeline(*trace, analysis, explanation);
  // Colour only for a person at a terminal: never in a pipe or a CI log unless asked.
  bool color = opts.color == "always" ||
               (opts.color == "auto" && &ctx.out == &std::cout && isatty(STDOUT_FILENO) != 0);
  report::WriteTimelineText(ctx.out, timeline,
                            color ? report::TimelineColor::kAnsi : report::TimelineColor::kNone);
  WriteReadNotes(ctx.out, "", trace->report());
  return explanation.passed ? kExitOk : kExitFindings;
}

}  // namespace

void AddTimelineCommand(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<TimelineOptions>();
  CLI::App* sub = app.add_subcommand(
      "timeline", "The session in a terminal: one line per event, by agent lane, findings marked");
  sub->add_option("file", opts->file, "A .baton file")->required();
  sub->add_option("--policy", opts->policy, "A policy file (JSON); defaults otherwise");
  sub->add_option("--color", opts->color, "auto (a terminal), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  sub->add_flag("--skip-corrupt", opts->skip_corrupt, "Skip corrupt chunks instead of stopping");
  sub->callback([opts, &ctx] { ctx.exit_code = RunTimeline(*opts, ctx); });
}

}  // namespace baton::cli
