// `baton cat FILE [--seq N]... [--kind K]...`: every event (or those selected) as one JSON
// object per line.
#include <algorithm>
#include <memory>
#include <string>

#include "harness/cli/commands.h"
#include "replayer/event_json.h"
#include "replayer/log_reader.h"

namespace baton::cli {
namespace {

struct CatOptions {
  std::string file;
  bool no_blobs = false;
  bool skip_corrupt = false;
  std::vector<uint64_t> seqs;      // Empty: every seq.
  std::vector<std::string> kinds;  // Empty: every kind.
};

int RunCat(const CatOptions& opts, CommandContext& ctx) {
  std::vector<EventKind> kinds;
  for (const std::string& name : opts.kinds) {
    std::optional<EventKind> kind = KindFromName(name);
    if (!kind) {
      ctx.err << "baton cat: --kind " << name << " is not an event kind (e.g. model_call)\n";
      return kExitBadInput;
    }
    kinds.push_back(*kind);
  }
  auto selected = [&](const Event& e) {
    return (opts.seqs.empty() ||
            std::find(opts.seqs.begin(), opts.seqs.end(), e.seq) != opts.seqs.end()) &&
           (kinds.empty() || std::find(kinds.begin(), kinds.end(), e.kind()) != kinds.end());
  };
  ReaderOptions ropts;
  ropts.blobs = opts.no_blobs ? BlobLoading::kLazy : BlobLoading::kResolve;
  ropts.on_corrupt = opts.skip_corrupt ? CorruptChunkPolicy::kSkip : CorruptChunkPolicy::kStop;
  Result<std::unique_ptr<LogReader>> reader = LogReader::Open(opts.file, ropts);
  if (!reader.ok()) {
    ctx.err << "baton cat: " << reader.status().message() << "\n";
    return kExitBadInput;
  }
  Event event;
  std::string line;
  while (true) {
    Result<bool> more = (*reader)->Next(&event);
    if (!more.ok()) {
      ctx.err << "baton cat: " << more.status().message()
              << " (use --skip-corrupt to read past it)\n";
      return kExitBadInput;
    }
    if (!*more) break;
    if (!selected(event)) continue;
    JsonWriter w;
    WriteEventJson(event, w);
    line = w.Take();
    line.push_back('\n');
    ctx.out << line;
  }
  const ReadReport& report = (*reader)->report();
  for (const ChunkProblem& p : report.skipped_chunks)
    ctx.err << "baton cat: skipped: " << p.message << "\n";
  if (report.end == LogEnd::kAbnormal)
    ctx.err << "baton cat: " << opts.file << ": " << report.ending << "\n";
  if (report.unknown_events_skipped > 0)
    ctx.err << "baton cat: skipped " << report.unknown_events_skipped
            << " events of kinds newer than this reader\n";
  return kExitOk;
}

}  // namespace

void AddCatCommand(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<CatOptions>();
  CLI::App* sub = app.add_subcommand("cat", "Print every event as one JSON object per line");
  sub->add_option("file", opts->file, "A .baton file")->required();
  sub->add_flag("--no-blobs", opts->no_blobs,
                "Refer to large contents by blob id instead of inlining them");
  sub->add_flag("--skip-corrupt", opts->skip_corrupt, "Skip corrupt chunks instead of stopping");
  sub->add_option("--seq", opts->seqs, "Only the event with this seq (repeatable)");
  sub->add_option("--kind", opts->kinds, "Only events of this kind, e.g. model_call (repeatable)");
  sub->callback([opts, &ctx] { ctx.exit_code = RunCat(*opts, ctx); });
}

}  // namespace baton::cli
