// `baton export otlp FILE.baton`: the session as OTLP/JSON on stdout (or -o FILE), to open in
// Jaeger, Phoenix or Langfuse, or to post to any OTLP/HTTP endpoint.
#include <fstream>
#include <memory>
#include <string>

#include "assertions/root_cause.h"
#include "harness/cli/commands.h"
#include "harness/otel/span_export.h"
#include "replayer/read_notes.h"

namespace baton::cli {
namespace {

struct ExportOptions {
  std::string file;
  std::string out;
  bool with_findings = false;
};

int RunExportOtlp(const ExportOptions& opts, CommandContext& ctx) {
  auto trace = Trace::Load(opts.file);
  if (!trace.ok()) {
    ctx.err << "baton export otlp: " << trace.status().message() << "\n";
    return kExitBadInput;
  }
  std::vector<Finding> findings;
  if (opts.with_findings) {
    ScorerSet scorers = ScorerSet::Defaults();
    findings = Analyze(*trace, Policy{}, scorers).findings;
  }
  auto spans = otel::SpansFromTrace(*trace, findings);
  if (!spans.ok()) {
    ctx.err << "baton export otlp: " << opts.file << ": " << spans.status().message() << "\n";
    return kExitBadInput;
  }
  std::string json = otel::WriteOtlpJson(*spans);
  if (opts.out.empty()) {
    ctx.out << json << "\n";
  } else {
    std::ofstream f(opts.out, std::ios::binary);
    f << json << "\n";
    if (!f.good()) {
      ctx.err << "baton export otlp: cannot write " << opts.out << "\n";
      return kExitBadInput;
    }
    ctx.err << "baton export otlp: " << spans->size() << " spans into " << opts.out << "\n";
  }
  WriteReadNotes(ctx.err, "baton export otlp: ", trace->report());
  return kExitOk;
}

}  // namespace

void AddExportCommand(CLI::App& app, CommandContext& ctx) {
  CLI::App* sub = app.add_subcommand("export", "Write a session in another format");
  sub->require_subcommand(1);
  auto opts = std::make_shared<ExportOptions>();
  CLI::App* o = sub->add_subcommand(
      "otlp",
      "OTLP/JSON with GenAI and OpenInference attributes, baton.* events for what they cannot "
      "say");
  o->add_option("file", opts->file, "A .baton file")->required();
  o->add_option("-o,--output", opts->out, "Write here instead of stdout");
  o->add_flag("--with-findings", opts->with_findings,
              "Attach the findings of the default policy as baton.finding span events");
  o->callback([opts, &ctx] { ctx.exit_code = RunExportOtlp(*opts, ctx); });
}

}  // namespace baton::cli
