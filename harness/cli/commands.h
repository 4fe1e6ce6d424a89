// The verbs of the `baton` command line, one file each; main.cc wires them.
#ifndef BATON_HARNESS_CLI_COMMANDS_H_
#define BATON_HARNESS_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <iostream>

namespace baton::cli {

// Exit codes shared by every verb.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;  // The command worked and found a failure or difference.
inline constexpr int kExitBadInput = 2;  // Unreadable file, bad arguments, bad policy.

// What a verb writes to and reports back.
struct CommandContext {
  std::ostream& out = std::cout;
  std::ostream& err = std::cerr;
  int exit_code = kExitOk;
};

void AddInspectCommand(CLI::App& app, CommandContext& ctx);
void AddCatCommand(CLI::App& app, CommandContext& ctx);
void AddSynthCommand(CLI::App& app, CommandContext& ctx);
void AddReplayCommand(CLI::App& app, CommandContext& ctx);
void AddDiffCommand(CLI::App& app, CommandContext& ctx);
void AddWhyCommand(CLI::App& app, CommandContext& ctx);
void AddCheckCommand(CLI::App& app, CommandContext& ctx);
void AddProxyCommand(CLI::App& app, CommandContext& ctx);
void AddRecordCommand(CLI::App& app, CommandContext& ctx);
void AddImportCommand(CLI::App& app, CommandContext& ctx);
void AddServeCommand(CLI::App& app, CommandContext& ctx);
void AddExportCommand(CLI::App& app, CommandContext& ctx);
void AddReportCommand(CLI::App& app, CommandContext& ctx);
void AddTimelineCommand(CLI::App& app, CommandContext& ctx);
void AddForkCommand(CLI::App& app, CommandContext& ctx);

}  // namespace baton::cli

#endif  // BATON_HARNESS_CLI_COMMANDS_H_
