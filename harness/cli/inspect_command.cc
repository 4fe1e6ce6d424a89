// `baton inspect FILE...`: what a log holds and how it ended.
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harness/cli/commands.h"
#include "replayer/log_reader.h"

namespace baton::cli {
namespace {

struct InspectOptions {
  std::vector<std::string> files;
  bool skip_corrupt = false;
};

std::string Bytes(uint64_t n) {
  char buf[32];
  if (n < 1024)
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
  else if (n < (1u << 20))
    std::snprintf(buf, sizeof buf, "%.1f KiB", n / 1024.0);
  else if (n < (1ull << 30))
    std::snprintf(buf, sizeof buf, "%.1f MiB", n / 1048576.0);
  else
    std::snprintf(buf, sizeof buf, "%.2f GiB", n / 1073741824.0);
  return buf;
}

std::string Ratio(double num, double den) {
  if (den <= 0) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fx", num / den);
  return buf;
}

std::string IsoTime(int64_t wall_ns) {
  time_t secs = static_cast<time_t>(wall_ns / 1'000'000'000);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string Counts(const std::map<std::string, uint64_t>& counts) {
  std::vector<std::pair<std::string, uint64_t>> sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string out;
  for (const auto& [name, n] : sorted) {
    if (!out.empty()) out += ", ";
    out += name + " " + std::to_string(n);
  }
  return out.empty() ? "-" : out;
}

int InspectOne(const std::string& file, const InspectOptions& opts, CommandContext& ctx) {
  ReaderOptions ropts;
  ropts.blobs = BlobLoading::kLazy;  // Sizes come from the blob index; contents are not needed.
  ropts.on_corrupt = opts.skip_corrupt ? CorruptChunkPolicy::kSkip : CorruptChunkPolicy::kStop;
  Result<std::unique_ptr<LogReader>> opened = LogReader::Open(file, ropts);
  if (!opened.ok()) {
    ctx.err << "baton inspect: " << opened.status().message() << "\n";
    return kExitBadInput;
  }
  LogReader& reader = **opened;
  std::map<std::string, uint64_t> by_kind, by_agent;
  uint64_t events = 0, first_seq = 0, last_seq = 0, blob_refs = 0, blob_ref_bytes = 0;
  int64_t first_mono = 0, last_mono = 0;
  Event e;
  Status error;
  while (true) {
    Result<bool> more = reader.Next(&e);
    if (!more.ok()) {
      error = more.status();
      break;
    }
    if (!*more) break;
    if (events == 0) {
      first_seq = e.seq;
      first_mono = e.mono_ns;
    }
    ++events;
    last_seq = e.seq;
    last_mono = e.mono_ns;
    ++by_kind[std::string(KindName(e.kind()))];
    ++by_agent[e.agent];
    ForEachContent(e, [&](const Content& c) {
      if (c.blob == 0) return;
      ++blob_refs;
      blob_ref_bytes += reader.BlobSize(c.blob).value_or(0);
    });
  }
  const ReadReport& report = reader.report();
  const SessionHeader& h = reader.header();
  auto& out = ctx.out;
  out << "file      " << file << "\n";
  std::string ending = report.end == LogEnd::kClean ? "closed cleanly" : report.ending;
  if (!report.skipped_chunks.empty())
    ending += ", but " + std::to_string(report.skipped_chunks.size()) +
              " corrupt chunk(s) were skipped: what they held is missing below";
  out << "end       " << ending << "\n";
  out << "format    version " << reader.file_header().format_version << " (requires reader "
      << reader.file_header().required_reader_version << ")\n";
  out << "session   " << h.session_id << ", started " << IsoTime(h.start_wall_ns) << "\n";
  std::string agents;
  for (const auto& a : h.agents) agents += (agents.empty() ? "" : ", ") + a;
  if (agents.empty()) {
    // Sessions captured from traffic (the proxy) learn their agents as they go: name the ones
    // the events show.
    for (const auto& [agent, count] : by_agent) agents += (agents.empty() ? "" : ", ") + agent;
    if (!agents.empty()) agents += " (from the events)";
  }
  out << "agents    " << (agents.empty() ? "-" : agents) << "\n";
  if (!h.metadata.empty()) {
    std::string md;
    for (const auto& kv : h.metadata) md += (md.empty() ? "" : ", ") + kv.key + "=" + kv.value;
    out << "metadata  " << md << "\n";
  }
  char span[64];
  std::snprintf(span, sizeof span, "%.3f s", (last_mono - first_mono) / 1e9);
  out << "events    " << events;
  if (events > 0) out << " (seq " << first_seq << ".." << last_seq << ") over " << span;
  out << "\n";
  out << "  kinds   " << Counts(by_kind) << "\n";
  out << "  agents  " << Counts(by_agent) << "\n";
  out << "blobs     " << report.blobs << " stored (" << Bytes(report.blob_bytes_stored) << "), "
      << blob_refs << " references (" << Bytes(blob_ref_bytes) << "): dedup "
      << Ratio(static_cast<double>(blob_ref_bytes), static_cast<double>(report.blob_bytes_stored))
      << "\n";
  out << "size      " << Bytes(reader.file_size()) << " on disk, " << Bytes(report.raw_bytes)
      << " raw: compression "
      << Ratio(static_cast<double>(report.raw_bytes), static_cast<double>(report.stored_bytes))
      << "\n";
  if (report.events_dropped_by_recorder > 0)
    out << "dropped   " << report.events_dropped_by_recorder << " events dropped by the recorder\n";
  if (report.unknown_events_skipped > 0)
    out << "skipped   " << report.unknown_events_skipped << " events of newer kinds\n";
  for (const ChunkProblem& p : report.skipped_chunks) out << "corrupt   " << p.message << "\n";
  if (!error.ok()) {
    ctx.err << "baton inspect: " << error.message() << " (use --skip-corrupt to read past it)\n";
    return kExitBadInput;
  }
  return kExitOk;
}

int RunInspect(const InspectOptions& opts, CommandContext& ctx) {
  int code = kExitOk;
  for (size_t i = 0; i < opts.files.size(); ++i) {
    if (i > 0) ctx.out << "\n";
    code = std::max(code, InspectOne(opts.files[i], opts, ctx));
  }
  return code;
}

}  // namespace

void AddInspectCommand(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<InspectOptions>();
  CLI::App* sub = app.add_subcommand(
      "inspect", "Summarize .baton files: header, counts, sizes, how they ended");
  sub->add_option("files", opts->files, ".baton files")->required();
  sub->add_flag("--skip-corrupt", opts->skip_corrupt, "Skip corrupt chunks instead of stopping");
  sub->callback([opts, &ctx] { ctx.exit_code = RunInspect(*opts, ctx); });
}

}  // namespace baton::cli
