// `baton record -o FILE -- CMD ARGS...`: runs any program with its model API calls going
// through the recording proxy (OPENAI_BASE_URL, OPENAI_API_BASE, ANTHROPIC_BASE_URL,
// GOOGLE_GEMINI_BASE_URL point at it), and with BATON_RECORD set, so a program on baton's own
// runtime records itself the same way. Exits with the program's exit status; the file is closed
// cleanly (footer, rename) however the program ends. If baton itself is killed, FILE.incomplete
// holds what was recorded, readable like any crashed recording.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "harness/cli/child_process.h"
#include "harness/cli/commands.h"
#include "harness/cli/proxy_options.h"
#include "replayer/trace.h"

namespace baton::cli {
namespace {

struct RecordOptions {
  std::string out;
  std::vector<std::string> program;
  ProxyCliOptions proxy;
};

int RunRecord(const RecordOptions& opts, CommandContext& ctx) {
  if (opts.program.empty()) {
    ctx.err << "baton record: give the program to run after --\n";
    return kExitBadInput;
  }
  Status writable = CheckWritable(opts.out);
  if (!writable.ok()) {
    ctx.err << "baton record: -o " << writable.message() << "\n";
    return kExitBadInput;
  }
  proxy::ProxyOptions po;
  Status applied = ApplyProxyOptions(opts.proxy, po);
  if (!applied.ok()) {
    ctx.err << "baton record: " << applied.message() << "\n";
    return kExitBadInput;
  }
  SessionHeader header;
  header.session_id = std::filesystem::path(opts.out).stem().string();
  std::string command;
  for (const auto& a : opts.program) command += (command.empty() ? "" : " ") + a;
  // Agents behind a proxy check each other's outputs out of its sight.
  header.metadata = {{"command", command},
                     {"captured_by", "baton proxy"},
                     {"source", "proxy"},
                     {"checks", "not recorded"}};
  auto recorder = Recorder::Create(opts.out, header);
  if (!recorder.ok()) {
    ctx.err << "baton record: " << recorder.status().message() << "\n";
    return kExitBadInput;
  }
  if (!(*recorder)->preserved_leftover().empty()) {
    ctx.err << "baton record: " << opts.out
            << ".incomplete was left by an earlier recording; kept as "
            << (*recorder)->preserved_leftover() << "\n";
  }
  po.mode = ReplayMode::kRecord;
  po.recorder = recorder->get();
  auto server = proxy::ProxyServer::Start(po);
  if (!server.ok()) {
    ctx.err << "baton record: " << server.status().message() << "\n";
    return kExitBadInput;
  }
  // A program on the runtime records itself beside the proxy's file; kept when the proxy saw
  // no model traffic.
  const std::string runtime_path = opts.out + ".runtime.baton";
  EnvVars env = ProxyEnvironment((*server)->origin());
  env.push_back({"BATON_RECORD", runtime_path});
  auto rc = RunProgram(opts.program, env);
  (*server)->Stop();
  const proxy::ProxyStats stats = (*server)->stats();
  Status closed = (*recorder)->Close();
  std::error_code ec;
  if (stats.recorded == 0 && std::filesystem::exists(runtime_path, ec)) {
    std::filesystem::rename(runtime_path, opts.out, ec);
    ctx.err << "baton record: the program recorded itself on baton's runtime: " << opts.out << "\n";
  } else {
    std::filesystem::remove(runtime_path, ec);
    ctx.err << "baton record: " << stats.recorded << " model API call(s) recorded to " << opts.out
            << "\n";
  }
  if (!closed.ok()) {
    ctx.err << "baton record: " << closed.message() << "\n";
    return kExitBadInput;
  }
  if (!rc.ok()) {
    ctx.err << "baton record: " << rc.status().message() << "\n";
    return kExitBadInput;
  }
  return *rc;
}

}  // namespace

void AddRecordCommand(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<RecordOptions>();
  CLI::App* sub = app.add_subcommand(
      "record",
      "Record any program's model API calls: baton record -o FILE -- PROGRAM ARGS...\n"
      "Sets OPENAI_BASE_URL, OPENAI_API_BASE, ANTHROPIC_BASE_URL and GOOGLE_GEMINI_BASE_URL\n"
      "to a recording proxy on loopback (and BATON_RECORD for programs on baton's runtime).\n"
      "Exits with the program's status. Agents are recognized by an X-Baton-Agent header, else by "
      "their system prompt,\n"
      "named by the transfer_to_<name> handoff tools that lead to them (README).");
  sub->add_option("-o,--out", opts->out, "The recording to write (.baton)")->required();
  sub->add_option("program", opts->program, "The program and its arguments, after --");
  AddProxyOptions(sub, opts->proxy);
  sub->callback([opts, &ctx] { ctx.exit_code = RunRecord(*opts, ctx); });
}

}  // namespace baton::cli
