// `baton diff A.baton B.baton`: the first point where two sessions differ, or that they are
// equivalent under the normalizers. Exit 0 equivalent, 1 different, 2 bad input.
#include <memory>
#include <string>

#include "harness/cli/commands.h"
#include "harness/cli/normalizer_options.h"
#include "replayer/read_notes.h"
#include "replayer/session_diff.h"
#include "replayer/trace.h"

namespace baton::cli {
namespace {

struct DiffOptions {
  std::string a, b;
  SessionDiffOptions diff;
  bool timing = false;
};

int RunDiff(DiffOptions& opts, CommandContext& ctx) {
  auto a = Trace::Load(opts.a);
  if (!a.ok()) {
    ctx.err << "baton diff: " << a.status().message() << "\n";
    return kExitBadInput;
  }
  auto b = Trace::Load(opts.b);
  if (!b.ok()) {
    ctx.err << "baton diff: " << b.status().message() << "\n";
    return kExitBadInput;
  }
  opts.diff.timing = opts.timing ? CompareTiming::kCompare : CompareTiming::kIgnore;
  auto d = DiffSessions(*a, *b, opts.diff);
  if (!d.ok()) {
    ctx.err << "baton diff: " << d.status().message() << "\n";
    return kExitBadInput;
  }
  WriteReadNotes(ctx.out, "A", a->report());
  WriteReadNotes(ctx.out, "B", b->report());
  if (d->equivalent) {
    ctx.out << "equivalent: " << a->events().size() << " events in A, " << b->events().size()
            << " in B, same per-agent events and delivery order\n";
    return kExitOk;
  }
  ctx.out << "A: " << opts.a << "\nB: " << opts.b << "\n" << d->Render();
  return kExitFindings;
}

}  // namespace

void AddDiffCommand(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<DiffOptions>();
  CLI::App* sub = app.add_subcommand(
      "diff", "The first point where two sessions differ (agent, event, field diff)");
  sub->add_option("a", opts->a, "The first .baton file (usually the recording)")->required();
  sub->add_option("b", opts->b, "The second .baton file (usually the replay)")->required();
  sub->add_flag("--timing", opts->timing,
                "Also compare measured durations (latencies, chunk offsets, span durations)");
  AddNormalizerOptions(sub, opts->diff.normalizers);
  sub->callback([opts, &ctx] { ctx.exit_code = RunDiff(*opts, ctx); });
}

}  // namespace baton::cli
