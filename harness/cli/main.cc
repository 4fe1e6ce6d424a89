// `baton`: the command line. Each verb lives in its own file (commands.h).
#include "harness/cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "baton: record, replay and check LLM multi-agent sessions.\n"
      "Logs are .baton files; see recorder/FORMAT.md for the format."};
  app.require_subcommand(1);
  baton::cli::CommandContext ctx;
  baton::cli::AddInspectCommand(app, ctx);
  baton::cli::AddCatCommand(app, ctx);
  baton::cli::AddSynthCommand(app, ctx);
  baton::cli::AddReplayCommand(app, ctx);
  baton::cli::AddDiffCommand(app, ctx);
  baton::cli::AddWhyCommand(app, ctx);
  baton::cli::AddCheckCommand(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : baton::cli::kExitBadInput;
  }
  return ctx.exit_code;
}
