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
  baton::cli::AddRecordCommand(app, ctx);
  baton::cli::AddProxyCommand(app, ctx);
  // An unknown verb is named, with the verbs there are (CLI11 would only say that an
  // argument was not expected).
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    std::string verbs;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
      known |= sub->check_name(argv[1]);
      verbs += (verbs.empty() ? "" : ", ") + sub->get_name();
    }
    if (!known) {
      ctx.err << "baton: unknown verb '" << argv[1] << "'; the verbs are: " << verbs
              << " (baton --help)\n";
      return baton::cli::kExitBadInput;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : baton::cli::kExitBadInput;
  }
  return ctx.exit_code;
}
