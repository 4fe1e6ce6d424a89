// `baton cat FILE`: every event as one JSON object per line.
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
};

int RunCat(const CatOptions& opts, CommandContext& ctx) {
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
  sub->callback([opts, &ctx] { ctx.exit_code = RunCat(*opts, ctx); });
}

}  // namespace baton::cli
