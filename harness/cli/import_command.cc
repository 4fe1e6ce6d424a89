// `baton import transcript FILE -o OUT.baton` and `baton import otlp FILE -o DIR`: evidence
// kept elsewhere, as baton sessions. Exit 0 imported, 2 bad input (the message names the file,
// the key and the index).
#include <filesystem>
#include <memory>
#include <string>

#include "harness/cli/commands.h"
#include "harness/cli/group_by_option.h"
#include "harness/import/transcript_import.h"
#include "harness/otel/span_import.h"

namespace baton::cli {
namespace {

// "-" is standard input, read to its end as any pipe: `jq ... | baton import transcript - ...`.
std::string InputPath(const std::string& arg) { return arg == "-" ? "/dev/stdin" : arg; }

struct ImportTranscriptOptions {
  std::string file;
  std::string out;
};

int RunImportTranscript(const ImportTranscriptOptions& opts, CommandContext& ctx) {
  auto session = transcript::ImportTranscriptFile(InputPath(opts.file), opts.out);
  if (!session.ok()) {
    ctx.err << "baton import transcript: " << session.status().message() << "\n";
    return kExitBadInput;
  }
  ctx.out << "imported " << session->entries << " entries ("
          << (session->shape == transcript::Shape::kWhoAndWhen ? "Who&When / Magentic-One"
                                                               : "group chat message list")
          << ") as " << session->events.size() << " events of " << session->header.agents.size()
          << " agents into " << opts.out << "\n";
  return kExitOk;
}

struct ImportOtlpOptions {
  std::string file;
  std::string out_dir;
  otel::GroupBy group_by = otel::GroupBy::kAuto;
};

int RunImportOtlp(const ImportOtlpOptions& opts, CommandContext& ctx) {
  std::error_code ec;
  std::filesystem::create_directories(opts.out_dir, ec);
  if (ec) {
    ctx.err << "baton import otlp: cannot create " << opts.out_dir << ": " << ec.message() << "\n";
    return kExitBadInput;
  }
  auto env = NewPosixEnv();
  auto summary = otel::ImportOtlpFile(InputPath(opts.file), opts.out_dir, opts.group_by, *env);
  if (!summary.ok()) {
    ctx.err << "baton import otlp: " << summary.status().message() << "\n";
    return kExitBadInput;
  }
  for (const otel::RejectedSpan& r : summary->rejected)
    ctx.err << "baton import otlp: skipped a span: " << r.where << ": " << r.reason << "\n";
  if (summary->spans == 0 && summary->log_records > 0) {
    ctx.err << "baton import otlp: " << opts.file << " holds " << summary->log_records
            << " log records and no spans: the records are events of spans (GenAI messages); "
               "import the traces with them (cat traces.json logs.json | baton import otlp -)\n";
    return kExitBadInput;
  }
  ctx.out << "imported " << summary->spans << " spans";
  if (summary->log_records > 0) {
    ctx.out << " and " << summary->log_records << " log records of their events";
    if (summary->unjoined_log_records > 0)
      ctx.out << " (" << summary->unjoined_log_records
              << " name a span not in the input and were left out)";
  }
  ctx.out << " (grouped by " << otel::GroupByName(opts.group_by) << ") as " << summary->files.size()
          << " sessions, " << summary->events << " events, into " << opts.out_dir << "\n";
  for (const std::string& f : summary->files) ctx.out << "  " << f << "\n";
  return summary->spans == 0 && !summary->rejected.empty() ? kExitBadInput : kExitOk;
}

}  // namespace

void AddImportCommand(CLI::App& app, CommandContext& ctx) {
  CLI::App* sub = app.add_subcommand("import", "Turn evidence kept elsewhere into baton sessions");
  sub->require_subcommand(1);
  auto opts = std::make_shared<ImportTranscriptOptions>();
  CLI::App* t = sub->add_subcommand(
      "transcript",
      "A chat transcript (Who&When / Magentic-One history; an AutoGen / AG2, OpenAI / Swarm or "
      "LangGraph message list), "
      "one span per entry so findings name the original step");
  t->add_option("file", opts->file, "The transcript (JSON); - for standard input")->required();
  t->add_option("-o,--output", opts->out, "The .baton file to write")->required();
  t->callback([opts, &ctx] { ctx.exit_code = RunImportTranscript(*opts, ctx); });

  auto otlp_opts = std::make_shared<ImportOtlpOptions>();
  CLI::App* o = sub->add_subcommand(
      "otlp",
      "OpenTelemetry traces (OTLP/JSON: an export, or the Collector's file exporter; or what the "
      "Python SDK's ConsoleSpanExporter printed) as one "
      "session per trace or conversation; GenAI, OpenInference and baton.* attributes");
  o->add_option("file", otlp_opts->file, "The OTLP/JSON file; - for standard input")->required();
  o->add_option("-o,--output", otlp_opts->out_dir, "The directory to write sessions into")
      ->required();
  AddGroupByOption(o, otlp_opts->group_by);
  o->callback([otlp_opts, &ctx] { ctx.exit_code = RunImportOtlp(*otlp_opts, ctx); });
}

}  // namespace baton::cli
