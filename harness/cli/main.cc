// `baton`: the command line. Each verb lives in its own file (commands.h).
#include <cerrno>
#include <cstdio>
#include <cstring>

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
  baton::cli::AddImportCommand(app, ctx);
  baton::cli::AddExportCommand(app, ctx);
  baton::cli::AddServeCommand(app, ctx);
  baton::cli::AddReportCommand(app, ctx);
  baton::cli::AddTimelineCommand(app, ctx);
  baton::cli::AddForkCommand(app, ctx);
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
  // A verb's output that could not be written (a full disk, a closed pipe) must not pass
  // for success: say so and exit 2.
  std::cout.flush();
  if (!std::cout.good() || std::fflush(stdout) != 0 || std::ferror(stdout)) {
    int error = errno;
    ctx.err << "baton: cannot write to standard output: "
            << (error != 0 ? std::strerror(error) : "write failed") << "\n";
    return baton::cli::kExitBadInput;
  }
  return ctx.exit_code;
}
