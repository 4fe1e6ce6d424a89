// `baton synth -o PATH`: writes realistic synthetic sessions through the real Recorder.
#include <sys/stat.h>

#include <cstdio>
#include <memory>
#include <string>

#include "harness/cli/commands.h"
#include "harness/synth/synthetic_session.h"

namespace baton::cli {
namespace {

struct SynthCliOptions {
  std::string output;
  synth::SynthOptions synth;
  int sessions = 1;
};

int RunSynth(const SynthCliOptions& opts, CommandContext& ctx) {
  if (opts.sessions < 1) {
    ctx.err << "baton synth: --sessions must be at least 1\n";
    return kExitBadInput;
  }
  std::vector<std::string> paths;
  if (opts.sessions == 1) {
    paths.push_back(opts.output);
  } else {
    // Several sessions are several logs: PATH is a directory.
    if (::mkdir(opts.output.c_str(), 0755) != 0 && errno != EEXIST) {
      ctx.err << "baton synth: cannot create directory " << opts.output << "\n";
      return kExitBadInput;
    }
    for (int i = 0; i < opts.sessions; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "/synth-%04d.baton", i);
      paths.push_back(opts.output + name);
    }
  }
  for (size_t i = 0; i < paths.size(); ++i) {
    Status s = synth::WriteSyntheticSession(paths[i], opts.synth, static_cast<int>(i));
    if (!s.ok()) {
      ctx.err << "baton synth: " << s.message() << "\n";
      return kExitBadInput;
    }
  }
  ctx.out << "wrote " << paths.size() << (paths.size() == 1 ? " session to " : " sessions to ")
          << opts.output << "\n";
  return kExitOk;
}

}  // namespace

void AddSynthCommand(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<SynthCliOptions>();
  CLI::App* sub = app.add_subcommand(
      "synth", "Write realistic synthetic sessions (for trying baton, tests, benchmarks)");
  sub->add_option("-o,--output", opts->output,
                  "The .baton file, or a directory when --sessions > 1")
      ->required();
  sub->add_option("--seed", opts->synth.seed, "Random seed")->capture_default_str();
  sub->add_option("--agents", opts->synth.agents, "Agents per session")
      ->check(CLI::Range(2, 64))
      ->capture_default_str();
  sub->add_option("--turns", opts->synth.turns, "Handoffs per session")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  sub->add_option("--sessions", opts->sessions, "Sessions to write")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  sub->add_option("--payload-bytes", opts->synth.payload_bytes, "Typical message size")
      ->check(CLI::Range(1, 1 << 24))
      ->capture_default_str();
  sub->callback([opts, &ctx] { ctx.exit_code = RunSynth(*opts, ctx); });
}

}  // namespace baton::cli
