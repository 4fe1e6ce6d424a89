// `baton import transcript FILE -o OUT.baton`: evidence kept elsewhere, as a baton session.
// Exit 0 imported, 2 bad input (the message names the file, the key and the index).
#include <memory>
#include <string>

#include "harness/cli/commands.h"
#include "harness/import/transcript_import.h"

namespace baton::cli {
namespace {

struct ImportTranscriptOptions {
  std::string file;
  std::string out;
};

int RunImportTranscript(const ImportTranscriptOptions& opts, CommandContext& ctx) {
  auto session = transcript::ImportTranscriptFile(opts.file, opts.out);
  if (!session.ok()) {
    ctx.err << "baton import transcript: " << session.status().message() << "\n";
    return kExitBadInput;
  }
  ctx.out << "imported " << session->entries << " entries ("
          << (session->shape == transcript::Shape::kWhoAndWhen ? "Who&When / Magentic-One"
                                                               : "AutoGen / AG2 group chat")
          << ") as " << session->events.size() << " events of " << session->header.agents.size()
          << " agents into " << opts.out << "\n";
  return kExitOk;
}

}  // namespace

void AddImportCommand(CLI::App& app, CommandContext& ctx) {
  CLI::App* sub = app.add_subcommand("import", "Turn evidence kept elsewhere into baton sessions");
  sub->require_subcommand(1);
  auto opts = std::make_shared<ImportTranscriptOptions>();
  CLI::App* t = sub->add_subcommand(
      "transcript",
      "A chat transcript (Who&When / Magentic-One history, AutoGen / AG2 message list), "
      "one span per entry so findings name the original step");
  t->add_option("file", opts->file, "The transcript (JSON)")->required();
  t->add_option("-o,--output", opts->out, "The .baton file to write")->required();
  t->callback([opts, &ctx] { ctx.exit_code = RunImportTranscript(*opts, ctx); });
}

}  // namespace baton::cli
