// `baton report FILES-OR-DIRS... -o OUT.html`: sessions as one self-contained HTML page (a
// session's page, or an index of several, each linked to its page). Exit 0 when every
// session passes, 1 when any fails, 2 when a file is unreadable or the page cannot be written.
#include <memory>
#include <string>
#include <vector>

#include "harness/cli/commands.h"
#include "harness/cli/session_inputs.h"
#include "harness/report/html_report.h"

namespace baton::cli {
namespace {

struct ReportOptions {
  std::vector<std::string> inputs;
  std::string out;
  std::string policy;
  std::string title;
};

int RunReport(const ReportOptions& opts, CommandContext& ctx) {
  auto policy = LoadPolicyOrDefaults(opts.policy);
  if (!policy.ok()) {
    ctx.err << "baton report: " << policy.status().message() << "\n";
    return kExitBadInput;
  }
  report::ReportFiles request;
  std::vector<std::string> notes;
  Status s = ExpandInputs(opts.inputs, request.files, notes);
  if (!s.ok()) {
    ctx.err << "baton report: " << s.message() << "\n";
    return kExitBadInput;
  }
  for (const std::string& note : notes) ctx.err << "baton report: " << note << "\n";
  if (request.files.empty()) {
    ctx.err << "baton report: no .baton files in the given paths\n";
    return kExitBadInput;
  }
  request.out_path = opts.out;
  request.title = !opts.title.empty() ? opts.title
                  : request.files.size() == 1
                      ? "baton report: " + request.files[0]
                      : "baton report: " + std::to_string(request.files.size()) + " sessions";
  std::unique_ptr<Env> env = NewPosixEnv();
  auto stats = report::WriteReportFile(*env, request, *policy);
  if (!stats.ok()) {
    ctx.err << "baton report: cannot write " << opts.out << ": " << stats.status().message()
            << "\n";
    return kExitBadInput;
  }
  ctx.out << "wrote " << opts.out << ": " << stats->sessions << " session(s), " << stats->events
          << " events, " << stats->page_bytes / 1024 << " KiB";
  if (stats->failed > 0) ctx.out << "; " << stats->failed << " failing";
  if (stats->unreadable > 0) ctx.out << "; " << stats->unreadable << " unreadable";
  ctx.out << "\n";
  if (stats->unreadable > 0) return kExitBadInput;
  return stats->failed > 0 ? kExitFindings : kExitOk;
}

}  // namespace

void AddReportCommand(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<ReportOptions>();
  CLI::App* sub = app.add_subcommand(
      "report", "Sessions as one self-contained HTML page: agents, handoffs, findings");
  sub->footer(
      "One file, no network: open it from disk or a CI artifact store. One session gives its "
      "page; several give an index of sessions with their verdicts.\n"
      "Exit 0: every session passes; 1: some fail; 2: unreadable input or unwritable page.");
  sub->add_option("inputs", opts->inputs, ".baton files or directories (searched recursively)")
      ->required();
  sub->add_option("-o,--output", opts->out, "The HTML file to write")->required();
  sub->add_option("--policy", opts->policy, "A policy file (JSON); defaults otherwise");
  sub->add_option("--title", opts->title, "The page's title");
  sub->callback([opts, &ctx] { ctx.exit_code = RunReport(*opts, ctx); });
}

}  // namespace baton::cli
