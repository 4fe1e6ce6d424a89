#include "harness/cli/chaos_replay.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "assertions/root_cause.h"
#include "harness/cli/child_process.h"
#include "harness/cli/program_replay.h"
#include "replayer/delivery_order.h"

namespace baton::cli {
namespace {

constexpr std::pair<Perturbation, std::string_view> kPerturbationNames[] = {
    {Perturbation::kDeliveryOrder, "order"},
    {Perturbation::kLatency, "latency"},
    {Perturbation::kFaults, "faults"},
};

std::string Describe(const std::vector<ReplayFault>& faults) {
  std::string out;
  for (const ReplayFault& f : faults)
    out += (out.empty() ? "" : ", ") + std::string(FaultKindName(f.kind)) + " on " + f.agent +
           (f.kind == FaultKind::kToolError ? "'s tool call " : "'s model call ") +
           std::to_string(f.call);
  return out.empty() ? "no fault" : out;
}

std::string Quote(const std::string& arg) {
  if (!arg.empty() && arg.find_first_of(" \t\n'\"\\$`*?;&|<>()") == std::string::npos) return arg;
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// What a run came to: the verdict and its root cause, the outcome, the program's status.
struct RunVerdict {
  bool passed = true;
  std::string key;       // Equal for the same failure.
  std::string sentence;  // The root cause, as baton why says it.
};

// How the program ended. A perturbed run is expected to differ from the recording, and a
// program on the runtime exits non-zero when its replay diverged: that alone is no failure
// once the run reached its outcome.
struct ProgramEnd {
  int exit_status = 0;
  bool replay_unmatched = false;
};

RunVerdict Judge(const Trace& t, const Policy& policy, ProgramEnd end) {
  const SessionVerdict judged = JudgeSession(t, policy);
  const int exit_status = FailingExitStatus(judged, end.exit_status, end.replay_unmatched);
  RunVerdict v;
  v.passed = judged.passed && exit_status == 0;
  v.key = std::string(judged.passed ? "pass" : "fail") + " outcome=" + judged.outcome;
  if (judged.root)
    v.key += " root=" + std::string(FindingKindName(judged.root->kind)) + " " + judged.root->to +
             "<-" + judged.root->from;
  if (exit_status != 0) v.key += " exit=" + std::to_string(exit_status);
  v.sentence = judged.root_sentence;
  if (v.sentence.empty() && exit_status != 0)
    v.sentence = "the program exited with status " + std::to_string(exit_status);
  return v;
}

bool Has(const ChaosOptions& o, Perturbation p) {
  return std::find(o.perturb.begin(), o.perturb.end(), p) != o.perturb.end();
}

// The deliveries each agent takes, in order: equal keys, the same order for every agent.
std::string OrderKey(const std::vector<const Event*>& deliveries) {
  std::map<std::string, std::string> per_agent;
  for (const Event* e : deliveries) per_agent[e->agent] += std::to_string(e->seq) + ",";
  std::string key;
  for (const auto& [agent, seqs] : per_agent) key += agent + ":" + seqs + ";";
  return key;
}

}  // namespace

std::string_view PerturbationName(Perturbation p) {
  for (const auto& [k, name] : kPerturbationNames)
    if (k == p) return name;
  return "?";
}

std::optional<Perturbation> PerturbationFromName(std::string_view name) {
  for (const auto& [k, n] : kPerturbationNames)
    if (n == name) return k;
  return std::nullopt;
}

std::vector<ReplayFault> ChaosFaults(const Trace& recording, uint64_t seed,
                                     const std::vector<FaultKind>& kinds) {
  // Each agent's recorded model calls (and tool calls, when tool errors are wanted) by
  // ordinal, as the replay serves them.
  std::vector<FaultKind> model_kinds;
  for (FaultKind k : kinds)
    if (k != FaultKind::kToolError) model_kinds.push_back(k);
  const bool tool_errors = model_kinds.size() != kinds.size();
  struct Call {
    std::string agent;
    uint32_t ordinal = 0;
    bool tool = false;
  };
  std::vector<Call> calls;
  std::map<std::string, uint32_t> model_ordinal, tool_ordinal;
  for (const Event& e : recording.events()) {
    if (e.kind() == EventKind::kModelCall && !model_kinds.empty())
      calls.push_back({e.agent, ++model_ordinal[e.agent], false});
    if (e.kind() == EventKind::kToolCall && tool_errors)
      calls.push_back({e.agent, ++tool_ordinal[e.agent], true});
  }
  std::vector<ReplayFault> faults;
  if (calls.empty()) return faults;
  // mt19937_64's sequence is fixed by the standard: a seed names the same run everywhere.
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + 1);
  const size_t n = 1 + rng() % 2;
  std::set<size_t> chosen;
  for (size_t i = 0; i < n && chosen.size() < calls.size(); ++i) {
    size_t pick = rng() % calls.size();
    if (!chosen.insert(pick).second) continue;
    ReplayFault f;
    f.agent = calls[pick].agent;
    f.call = calls[pick].ordinal;
    f.kind = calls[pick].tool ? FaultKind::kToolError : model_kinds[rng() % model_kinds.size()];
    faults.push_back(std::move(f));
  }
  return faults;
}

int RunChaosReplay(const ChaosOptions& opts, CommandContext& ctx) {
  if (opts.program.empty()) {
    ctx.err << "baton replay: give the program to run after --\n";
    return kExitBadInput;
  }
  auto loaded = LoadRecordingAndPolicy(opts.file, opts.policy, ctx.err);
  if (!loaded.ok()) {
    ctx.err << "baton replay: " << loaded.status().message() << "\n";
    return kExitBadInput;
  }
  const Trace* recording = &loaded->recording;
  const Policy* policy = &loaded->policy;
  auto made = MakePrivateTempDir("baton-chaos");
  if (!made.ok()) {
    ctx.err << "baton replay: " << made.status().message() << "\n";
    return kExitBadInput;
  }
  std::error_code ec;
  const std::filesystem::path dir = *made;
  if (!opts.keep_dir.empty()) std::filesystem::create_directories(opts.keep_dir, ec);

  const RunVerdict recorded = Judge(*recording, *policy, ProgramEnd{});
  std::string command_tail;
  for (const std::string& a : opts.program) command_tail += " " + Quote(a);

  struct Found {
    uint64_t seed = 0;
    std::string perturbation;
    std::string sentence;
    std::string key;
    size_t runs = 0;
    std::string said;  // The program's last line on standard error.
  };
  std::vector<Found> found;
  std::vector<uint64_t> seeds;
  if (opts.one_seed) {
    seeds.push_back(*opts.one_seed);
  } else {
    for (uint64_t i = 0; i < opts.runs; ++i) seeds.push_back(opts.first_seed + i);
  }
  // A proxied program delivers its own messages (a handoff is its next request): only a
  // program on the runtime takes its deliveries from the replay, in the order drawn.
  bool proxied = false;
  for (const KeyValue& kv : recording->header().metadata)
    proxied |= kv.key == "captured_by" && kv.value == "baton proxy";
  if (proxied && Has(opts, Perturbation::kDeliveryOrder))
    ctx.err << "baton replay: " << opts.file
            << " was captured by the proxy: its program delivers its own messages, so chaos "
               "runs do not reorder them\n";
  const std::vector<const Event*> recorded_order =
      proxied ? std::vector<const Event*>() : RecordedDeliveries(*recording);
  // Its tools run in the program, out of the proxy's reach: no tool errors either.
  std::vector<FaultKind> fault_kinds;
  for (FaultKind k : opts.kinds)
    if (!proxied || k != FaultKind::kToolError) fault_kinds.push_back(k);
  const std::string recorded_order_key = OrderKey(recorded_order);
  std::set<std::string> orders_tried;
  std::string perturb_flag;  // For the printed commands, when not every perturbation.
  if (opts.perturb.size() != std::size(kPerturbationNames)) {
    for (Perturbation p : opts.perturb)
      perturb_flag +=
          (perturb_flag.empty() ? " --perturb " : ",") + std::string(PerturbationName(p));
  }
  size_t faults_tried = 0, runs_done = 0;
  for (uint64_t seed : seeds) {
    const std::filesystem::path run_dir = dir / ("run-" + std::to_string(seed));
    std::filesystem::create_directories(run_dir, ec);
    ProgramReplay run;
    run.recording_path = opts.file;
    run.recording = &*recording;
    run.program = opts.program;
    run.proxy = opts.proxy;
    run.scratch_dir = run_dir.string();
    run.out =
        opts.keep_dir.empty()
            ? (run_dir / "chaos.baton").string()
            : (std::filesystem::path(opts.keep_dir) / ("chaos-" + std::to_string(seed) + ".baton"))
                  .string();
    run.session = ReplayedSession::kAlways;
    // A hundred runs' complaints would bury the summary: one seed's run speaks for itself.
    if (!opts.one_seed) run.program_stderr = (run_dir / "stderr.txt").string();
    run.options.mode = ReplayMode::kReplayOrRecord;  // A retried call may ask anew.
    run.options.on_divergence = OnDivergence::kContinue;
    if (Has(opts, Perturbation::kFaults))
      run.options.overrides.faults = ChaosFaults(*recording, seed, fault_kinds);
    // Every call's latency scaled (x0.25 to x4, per call): other orders of completion.
    if (Has(opts, Perturbation::kLatency)) run.options.overrides.latency = {0.25, 4.0, seed};
    std::vector<std::string> reordered;
    if (Has(opts, Perturbation::kDeliveryOrder) && !recorded_order.empty()) {
      run.options.overrides.delivery_order.seed = seed;
      const std::vector<const Event*> order =
          PerturbDeliveryOrder(*recording, recorded_order, seed);
      reordered = DescribeReordering(recorded_order, order, 3);
      if (std::string key = OrderKey(order); key != recorded_order_key) orders_tried.insert(key);
    }
    std::string order_text = "recorded delivery order";
    if (!reordered.empty()) {
      order_text.clear();
      for (const std::string& r : reordered) order_text += (order_text.empty() ? "" : "; ") + r;
    }
    std::string perturbation;
    if (Has(opts, Perturbation::kDeliveryOrder) && !proxied) perturbation += order_text;
    if (Has(opts, Perturbation::kFaults))
      perturbation += (perturbation.empty() ? "" : "; ") + Describe(run.options.overrides.faults);
    if (Has(opts, Perturbation::kLatency))
      perturbation += (perturbation.empty() ? "" : "; ") + std::string("latencies x0.25-4");
    perturbation += " (seed " + std::to_string(seed) + ")";
    run.metadata = {{"chaos_of", recording->header().session_id},
                    {"chaos_seed", std::to_string(seed)},
                    {"chaos_perturbation", perturbation}};
    std::vector<std::string> notes;
    PrepareReplayOptions(*recording, run.options, notes);
    faults_tried += run.options.overrides.faults.size();
    auto ran = RunProgramAgainstRecording(run);
    if (!ran.ok()) {
      ctx.err << "baton replay: chaos run " << seed << ": " << ran.status().message() << "\n";
      std::filesystem::remove_all(dir, ec);
      return kExitBadInput;
    }
    ++runs_done;
    RunVerdict v;
    auto replayed =
        ran->session_written ? Trace::Load(run.out) : Result<Trace>(Status::NotFound(""));
    if (replayed.ok()) {
      v = Judge(*replayed, *policy, {ran->exit_status, !ran->report.matched});
    } else {
      v.passed = false;
      v.key = "no session exit=" + std::to_string(ran->exit_status);
      v.sentence = "the program (exit status " + std::to_string(ran->exit_status) +
                   ") left no replayed session";
    }
    if (opts.one_seed) {
      ctx.out << "chaos run " << seed << ": " << perturbation << "\n"
              << (v.passed ? "PASS" : "FAIL") << " (" << v.key << ")\n";
      if (!v.sentence.empty()) ctx.out << v.sentence << "\n";
      for (const std::string& f : ran->report.faults) ctx.out << "injected: " << f << "\n";
      for (const std::string& r : ran->report.reordered) ctx.out << "reordered: " << r << "\n";
      if (!opts.keep_dir.empty()) ctx.out << "the run's recording is " << run.out << "\n";
      std::filesystem::remove_all(dir, ec);
      return v.passed ? kExitOk : kExitFindings;
    }
    if (v.key == recorded.key) continue;  // The recording's own verdict: nothing new.
    bool known = false;
    for (Found& f : found)
      if (f.key == v.key) {
        ++f.runs;
        known = true;
      }
    if (!known)
      found.push_back(
          {seed, perturbation, v.sentence, v.key, 1, LastComplaint(run.program_stderr)});
  }
  std::filesystem::remove_all(dir, ec);

  ctx.out << "chaos: " << runs_done << " replays of " << opts.file;
  if (Has(opts, Perturbation::kDeliveryOrder) && !proxied)
    ctx.out << ", " << orders_tried.size() << " delivery order(s) other than the recorded one ("
            << recorded_order.size() << " deliveries)";
  if (Has(opts, Perturbation::kFaults)) ctx.out << ", " << faults_tried << " faults injected";
  if (Has(opts, Perturbation::kLatency)) ctx.out << ", latencies jittered";
  ctx.out << "; the recording itself: " << (recorded.passed ? "PASS" : "FAIL") << " ("
          << recorded.key << ")\n";
  if (found.empty()) {
    ctx.out << "no failure beyond the recording's: every run came to the recording's verdict\n";
    return kExitOk;
  }
  ctx.out << found.size() << " distinct failure(s):\n";
  for (size_t i = 0; i < found.size(); ++i) {
    const Found& f = found[i];
    ctx.out << "\n[" << i + 1 << "] " << f.key << " (" << f.runs << " of " << runs_done
            << " runs)\n"
            << "  first at seed " << f.seed << ": " << f.perturbation << "\n";
    if (!f.sentence.empty()) ctx.out << "  " << f.sentence << "\n";
    if (!f.said.empty()) ctx.out << "  the program said: " << f.said << "\n";
    ctx.out << "  replay it: baton replay --chaos-seed " << f.seed << perturb_flag << " "
            << Quote(opts.file) << " --" << command_tail << "\n";
  }
  return kExitFindings;
}

}  // namespace baton::cli
