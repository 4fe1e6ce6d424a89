#include "harness/cli/program_replay.h"

#include <filesystem>
#include <memory>

#include "base/env.h"
#include "base/file_io.h"
#include "base/json_parse.h"
#include "harness/cli/child_process.h"
#include "recorder/recorder.h"
#include "replayer/read_notes.h"

namespace baton::cli {
namespace {

// One divergence of the report a runtime program writes (ReplayReport::ToJson); fields it
// lacks keep their defaults.
Divergence ParseDivergence(capnp::JsonValue::Reader d) {
  Divergence out;
  for (auto df : d.getObject()) {
    auto name = df.getName();
    auto v = df.getValue();
    if (name == "recorded_seq" && v.isNumber())
      out.recorded_seq = static_cast<uint64_t>(v.getNumber());
    if (name == "agent" && v.isString()) out.agent = v.getString();
    if (name == "kind" && v.isString())
      out.kind = KindFromName(v.getString().cStr()).value_or(EventKind::kModelCall);
    if (name == "summary" && v.isString()) out.summary = v.getString();
    if (name == "chain" && v.isArray())
      for (auto c : v.getArray())
        if (c.isString()) out.chain.push_back(c.getString());
    if (name == "fields" && v.isArray()) {
      for (auto f : v.getArray()) {
        if (!f.isObject()) continue;
        FieldDifference fd;
        for (auto ff : f.getObject()) {
          auto fv = ff.getValue();
          if (!fv.isString()) continue;
          if (ff.getName() == "path") fd.path = fv.getString();
          if (ff.getName() == "recorded") fd.recorded = fv.getString();
          if (ff.getName() == "live") fd.live = fv.getString();
          if (ff.getName() == "change")
            fd.change = FieldChangeFromName(fv.getString().cStr()).value_or(fd.change);
        }
        out.fields.push_back(std::move(fd));
      }
    }
  }
  return out;
}

// The report a runtime program writes on Finish() (ReplayReport::ToJson).
Status ParseRuntimeReport(const std::string& path, ProgramReplayResult& out) {
  std::unique_ptr<Env> env = NewPosixEnv();
  auto text = ReadFileToString(*env, path, /*max_bytes=*/64 << 20);
  if (!text.ok()) return text.status();
  auto doc = JsonDocument::Parse(*text, path);
  if (!doc.ok()) return doc.status();
  if (!doc->root().isObject())
    return Status::Corruption(path + ": the replay report is not a JSON object");
  ReplayReport& r = out.report;
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
            out.divergence_texts.push_back(df.getValue().getString());
        r.divergences.push_back(ParseDivergence(d));
      }
    }
    if (name == "patched" && v.isArray())
      for (auto p : v.getArray())
        if (p.isNumber()) r.patched.push_back(static_cast<uint64_t>(p.getNumber()));
    if (name == "faults" && v.isArray())
      for (auto f : v.getArray())
        if (f.isString()) r.faults.push_back(f.getString());
    if (name == "reordered" && v.isArray())
      for (auto f : v.getArray())
        if (f.isString()) r.reordered.push_back(f.getString());
  }
  out.reported = true;
  return Status::Ok();
}

}  // namespace

SessionVerdict JudgeSession(const Trace& trace, const Policy& policy) {
  ScorerSet scorers = ScorerSet::Defaults();
  Analysis analysis = Analyze(trace, policy, scorers);
  Explanation ex = Explain(trace, analysis);
  SessionVerdict v;
  v.passed = ex.passed;
  for (auto it = trace.events().rbegin(); it != trace.events().rend(); ++it)
    if (const auto* o = it->As<Outcome>()) {
      v.outcome = std::string(VerdictName(o->verdict));
      break;
    }
  v.findings = analysis.findings.size();
  v.root = ex.root;
  size_t cut = ex.paragraph.rfind("Root cause:");
  v.root_sentence = cut != std::string::npos ? ex.paragraph.substr(cut) : ex.paragraph;
  return v;
}

Result<RecordingAndPolicy> LoadRecordingAndPolicy(const std::string& file,
                                                  const std::string& policy_path,
                                                  std::ostream& err) {
  BATON_ASSIGN_OR_RETURN(Policy policy, LoadPolicyOrDefaults(policy_path));
  BATON_ASSIGN_OR_RETURN(Trace recording, Trace::Load(file));
  WriteReadNotes(err, file, recording.report());
  return RecordingAndPolicy{std::move(recording), std::move(policy)};
}

std::string DescribeVerdict(const SessionVerdict& v) {
  std::string out = v.passed ? "PASS" : "FAIL";
  out += " (outcome " + v.outcome + ", " + std::to_string(v.findings) + " finding(s)";
  if (v.root) {
    out += "; root cause " + std::string(FindingKindName(v.root->kind)) +
           (v.root->from == v.root->to ? " in " + v.root->to
                                       : " at " + v.root->to + " <- " + v.root->from);
  }
  return out + ")";
}

int FailingExitStatus(const SessionVerdict& verdict, int exit_status, bool replay_unmatched) {
  return replay_unmatched && verdict.outcome != "none" ? 0 : exit_status;
}

void PrepareReplayOptions(const Trace& recording, ReplayOptions& options,
                          std::vector<std::string>& notes) {
  for (const std::string& f : proxy::TransportOnlyIgnoredFields())
    options.normalizers.ignored_fields.push_back(f);
  if (recording.source() == "otlp") {
    // Spans carry a model call's messages, not every parameter, tool schema or streaming
    // flag the program sends: an imported session is matched on model and messages.
    for (const char* f : {"request.parameters", "request.tools", "request.stream"})
      options.normalizers.ignored_fields.push_back(f);
    notes.push_back("was imported from spans: calls are matched on model and messages");
  }
  // Azure OpenAI names the model in the path (its deployment), not the body: the proxy reads
  // it from there, and proxies before it recorded no model. Those recordings still match.
  for (const Event& e : recording.events()) {
    const ModelCall* call = e.As<ModelCall>();
    if (call == nullptr || !call->request.model.empty() ||
        proxy::AzureDeploymentOf(call->http.path).empty())
      continue;
    options.normalizers.ignored_fields.push_back("request.model");
    notes.push_back(
        "has Azure OpenAI calls recorded without their deployment as the model: calls are "
        "matched without it");
    break;
  }
}

Result<ProgramReplayResult> RunProgramAgainstRecording(const ProgramReplay& run) {
  BATON_CHECK(run.recording != nullptr && !run.scratch_dir.empty());
  namespace fs = std::filesystem;
  const fs::path dir = run.scratch_dir;
  const std::string report_path = (dir / "report.json").string();
  ProgramReplayResult result;

  auto session = ReplaySession::FromTrace(*run.recording, run.options);
  if (!session.ok()) return session.status();
  proxy::ProxyOptions po;
  BATON_RETURN_IF_ERROR(ApplyProxyOptions(run.proxy, po));
  po.mode = run.options.mode;
  po.replay = session->get();
  std::unique_ptr<Recorder> recorder;
  const std::string proxied_out = (dir / "proxied.baton").string();
  if (run.options.mode == ReplayMode::kReplayOrRecord || run.session == ReplayedSession::kAlways) {
    SessionHeader header = run.recording->header();
    header.metadata.insert(header.metadata.end(), run.metadata.begin(), run.metadata.end());
    BATON_ASSIGN_OR_RETURN(recorder, Recorder::Create(proxied_out, header));
    po.recorder = recorder.get();
  }
  BATON_ASSIGN_OR_RETURN(auto server, proxy::ProxyServer::Start(po));

  EnvVars env = ProxyEnvironment(server->origin());
  env.insert(env.end(),
             {{"BATON_REPLAY", run.recording_path},
              {"BATON_RECORD", run.out},
              {"BATON_REPLAY_MODE", std::string(ReplayModeName(run.options.mode))},
              {"BATON_ON_DIVERGENCE",
               run.options.on_divergence == OnDivergence::kContinue ? "continue" : "stop"},
              {"BATON_REPLAY_REPORT", report_path}});
  if (!run.options.overrides.empty()) {
    // The runtime reads the same patches and faults the proxy serves.
    const std::string overrides_path = (dir / "overrides.json").string();
    std::unique_ptr<Env> files = NewPosixEnv();
    BATON_RETURN_IF_ERROR(
        WriteStringToFile(*files, ReplayOverridesToJson(run.options.overrides), overrides_path));
    env.push_back({"BATON_REPLAY_OVERRIDES", overrides_path});
  }
  if (!run.metadata.empty()) {
    std::string lines;
    for (const KeyValue& kv : run.metadata)
      lines += (lines.empty() ? "" : "\n") + kv.key + "=" + kv.value;
    env.push_back({"BATON_SESSION_METADATA", lines});
  }
  auto rc = RunProgram(run.program, env, run.program_stderr);
  server->Stop();
  if (recorder) recorder->Close().IgnoreError();  // Reported below if it matters.
  if (!rc.ok()) return rc.status();
  result.exit_status = *rc;
  const proxy::ProxyStats stats = server->stats();
  std::error_code ec;
  if (stats.served + stats.misses + stats.forwarded > 0) {
    result.via_proxy = true;
    result.reported = true;
    result.report = (*session)->Report();
    for (const Divergence& d : result.report.divergences)
      result.divergence_texts.push_back(d.Render());
    result.proxy_misses = stats.misses;
    if (recorder && stats.recorded > 0) {
      fs::rename(proxied_out, run.out, ec);
      result.session_written = !ec;
    }
    return result;
  }
  if (ParseRuntimeReport(report_path, result).ok())
    result.session_written = fs::exists(run.out, ec);
  return result;
}

}  // namespace baton::cli
