// `baton replay FILE -- PROGRAM ARGS...`: reruns an agent program against a recording.
//
// The program runs with BATON_REPLAY=FILE (its AgentRuntime serves model, tool, clock and
// random answers from the recording), BATON_RECORD=the replayed session, and
// BATON_REPLAY_REPORT=a JSON report it writes on Finish(). The verb prints the divergences,
// then compares the replayed session with the recording (as `baton diff` does).
// Exit 0 only when the program succeeded, the replay matched and the sessions are
// equivalent; 1 otherwise; 2 on bad input.
#include <capnp/compat/json.h>
#include <capnp/message.h>
#include <kj/exception.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "base/json_parse.h"
#include "harness/cli/commands.h"
#include "harness/cli/normalizer_options.h"
#include "replayer/session_diff.h"
#include "replayer/trace.h"

extern char** environ;

namespace baton::cli {
namespace {

struct ReplayCliOptions {
  std::string file;
  std::string out;
  std::string mode = "replay";
  bool keep_going = false;
  std::vector<std::string> program;
  SessionDiffOptions diff;
};

// Runs argv with extra environment variables; returns its exit status (128+N on signal N).
Result<int> RunProgram(const std::vector<std::string>& argv,
                       const std::vector<std::pair<std::string, std::string>>& extra_env) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    bool overridden = false;
    for (const auto& [k, v] : extra_env) overridden |= entry.rfind(k + "=", 0) == 0;
    if (!overridden && entry.rfind("BATON_", 0) != 0) env.push_back(entry);
  }
  for (const auto& [k, v] : extra_env) env.push_back(k + "=" + v);
  std::vector<char*> cargv, cenv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (auto& e : env) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, cargv[0], nullptr, nullptr, cargv.data(), cenv.data());
  if (rc != 0) return Status::NotFound("cannot run '" + argv[0] + "': " + std::strerror(rc));
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return Status::IOError("waitpid failed");
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

struct ParsedReport {
  bool matched = false;
  uint64_t served = 0, served_live = 0;
  std::vector<std::string> divergence_texts;
  std::vector<std::string> unreached;
};

Result<ParsedReport> ParseReport(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound(path + ": no replay report");
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  auto doc = JsonDocument::Parse(text, path);
  if (!doc.ok()) return doc.status();
  if (!doc->root().isObject())
    return Status::Corruption(path + ": the replay report is not a JSON object");
  ParsedReport r;
  for (auto field : doc->root().getObject()) {
    auto name = field.getName();
    auto v = field.getValue();
    if (name == "matched" && v.isBoolean()) r.matched = v.getBoolean();
    if (name == "served" && v.isNumber()) r.served = static_cast<uint64_t>(v.getNumber());
    if (name == "served_live" && v.isNumber()) r.served_live = static_cast<uint64_t>(v.getNumber());
    if (name == "unreached" && v.isArray())
      for (auto u : v.getArray())
        if (u.isString()) r.unreached.push_back(u.getString());
    if (name == "divergences" && v.isArray()) {
      for (auto d : v.getArray()) {
        if (!d.isObject()) continue;
        for (auto df : d.getObject())
          if (df.getName() == "text" && df.getValue().isString())
            r.divergence_texts.push_back(df.getValue().getString());
      }
    }
  }
  return r;
}

int RunReplay(ReplayCliOptions& opts, CommandContext& ctx) {
  if (opts.program.empty()) {
    ctx.err << "baton replay: give the program to run after --\n";
    return kExitBadInput;
  }
  auto recording = Trace::Load(opts.file);
  if (!recording.ok()) {
    ctx.err << "baton replay: " << recording.status().message() << "\n";
    return kExitBadInput;
  }
  std::error_code ec;
  std::filesystem::path dir =
      std::filesystem::temp_directory_path(ec) / ("baton-replay-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir, ec);
  std::string out = opts.out.empty() ? (dir / "replayed.baton").string() : opts.out;
  std::string report_path = (dir / "report.json").string();
  auto rc =
      RunProgram(opts.program, {{"BATON_REPLAY", opts.file},
                                {"BATON_RECORD", out},
                                {"BATON_REPLAY_MODE", opts.mode},
                                {"BATON_ON_DIVERGENCE", opts.keep_going ? "continue" : "stop"},
                                {"BATON_REPLAY_REPORT", report_path}});
  auto cleanup = [&] { std::filesystem::remove_all(dir, ec); };
  if (!rc.ok()) {
    ctx.err << "baton replay: " << rc.status().message() << "\n";
    cleanup();
    return kExitBadInput;
  }
  auto report = ParseReport(report_path);
  if (!report.ok()) {
    ctx.err << "baton replay: the program wrote no replay report (exit " << *rc
            << "); does it run on AgentRuntime and call Finish()?\n";
    cleanup();
    return kExitFindings;
  }
  bool ok = report->matched && *rc == 0;
  if (report->matched) {
    ctx.out << "replay matched: " << report->served << " calls served from " << opts.file << "\n";
  } else {
    ctx.out << "replay diverged (" << report->divergence_texts.size() << " divergence(s))\n";
    for (size_t i = 0; i < report->divergence_texts.size(); ++i)
      ctx.out << "\n[" << i + 1 << "] " << report->divergence_texts[i];
    if (!report->unreached.empty()) {
      ctx.out << "\nrecorded calls the replay never made: " << report->unreached.size()
              << " (first: " << report->unreached.front() << ")\n";
    }
  }
  if (report->served_live > 0)
    ctx.out << report->served_live << " calls were not in the recording and went live; see " << out
            << "\n";
  if (*rc != 0) ctx.out << "the program exited with status " << *rc << "\n";
  if (ok) {
    auto replayed = Trace::Load(out);
    if (!replayed.ok()) {
      ctx.err << "baton replay: " << replayed.status().message() << "\n";
      cleanup();
      return kExitFindings;
    }
    auto d = DiffSessions(*recording, *replayed, opts.diff);
    if (!d.ok()) {
      ctx.err << "baton replay: " << d.status().message() << "\n";
      cleanup();
      return kExitBadInput;
    }
    if (d->equivalent) {
      ctx.out << "sessions equivalent: " << recording->events().size()
              << " events, same per-agent events and delivery order\n";
    } else {
      ctx.out << "but the replayed session differs from the recording:\n" << d->Render();
      ok = false;
    }
  }
  cleanup();
  return ok ? kExitOk : kExitFindings;
}

}  // namespace

void AddReplayCommand(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<ReplayCliOptions>();
  CLI::App* sub = app.add_subcommand(
      "replay", "Rerun a program against a recording: baton replay FILE -- PROGRAM ARGS...");
  sub->add_option("file", opts->file, "The recording (.baton)")->required();
  sub->add_option("program", opts->program, "The program and its arguments, after --");
  sub->add_option("-o,--out", opts->out, "Keep the replayed session in this file");
  sub->add_option("--mode", opts->mode, "replay (strict) or replay-or-record")
      ->check(CLI::IsMember({"replay", "replay-or-record"}));
  sub->add_flag("--keep-going", opts->keep_going,
                "Report every divergence instead of stopping at the first");
  AddNormalizerOptions(sub, opts->diff.normalizers);
  sub->callback([opts, &ctx] {
    // The program's own normalizers are its business; pass ours via the diff only.
    ctx.exit_code = RunReplay(*opts, ctx);
  });
}

}  // namespace baton::cli
