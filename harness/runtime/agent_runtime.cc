#include "harness/runtime/agent_runtime.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <thread>

#include "base/file_io.h"

namespace baton {
namespace {

constexpr std::string_view kUnavailablePrefix = "unavailable: ";

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// A client's failure as the code recorded beside its text.
CallErrorCode CallErrorCodeOf(const Status& s) {
  switch (s.code()) {
    case Status::Code::kUnavailable:
      return CallErrorCode::kUnavailable;
    case Status::Code::kDeadlineExceeded:
      return CallErrorCode::kDeadlineExceeded;
    case Status::Code::kInvalidArgument:
      return CallErrorCode::kInvalidArgument;
    default:
      return CallErrorCode::kFailedPrecondition;
  }
}

// A recorded error, back as the Status the live client returned. Files from before the
// error code have only the text, whose "unavailable: " prefix was then the only mark of a
// retryable failure.
Status ErrorFromRecording(const std::string& error, CallErrorCode code) {
  std::string message = error;
  auto strip = [&](Status::Code c) {
    std::string prefix = std::string(Status::CodeName(c)) + ": ";
    if (message.rfind(prefix, 0) == 0) message.erase(0, prefix.size());
  };
  switch (code) {
    case CallErrorCode::kUnavailable:
      strip(Status::Code::kUnavailable);
      return Status::Unavailable(message);
    case CallErrorCode::kDeadlineExceeded:
      strip(Status::Code::kDeadlineExceeded);
      return Status::DeadlineExceeded(message);
    case CallErrorCode::kInvalidArgument:
      strip(Status::Code::kInvalidArgument);
      return Status::InvalidArgument(message);
    case CallErrorCode::kFailedPrecondition:
      return Status::FailedPrecondition(message);
    case CallErrorCode::kUnknown:
      break;
  }
  if (error.rfind(kUnavailablePrefix, 0) == 0)
    return Status::Unavailable(error.substr(kUnavailablePrefix.size()));
  return Status::FailedPrecondition(error);
}

}  // namespace

Result<RuntimeOptions> RuntimeOptionsFromEnvironment(RuntimeOptions o) {
  auto get = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v == nullptr ? "" : v;
  };
  std::string record = get("BATON_RECORD"), replay = get("BATON_REPLAY");
  std::string mode = get("BATON_REPLAY_MODE"), on_div = get("BATON_ON_DIVERGENCE");
  if (!record.empty()) {
    o.record_path = record;
    o.mode = ReplayMode::kRecord;
  }
  if (!replay.empty()) {
    o.replay_path = replay;
    o.mode = ReplayMode::kReplay;
  }
  if (!mode.empty()) {
    std::optional<ReplayMode> parsed = ReplayModeFromName(mode);
    if (!parsed)
      return Status::InvalidArgument("BATON_REPLAY_MODE='" + mode +
                                     "': expected replay, replay-or-record, record or passthrough");
    o.mode = *parsed;
    const bool replays = o.mode == ReplayMode::kReplay || o.mode == ReplayMode::kReplayOrRecord;
    if (replays && replay.empty())
      return Status::InvalidArgument("BATON_REPLAY_MODE=" + mode + " needs BATON_REPLAY");
    if (o.mode == ReplayMode::kRecord && o.record_path.empty())
      return Status::InvalidArgument("BATON_REPLAY_MODE=record needs BATON_RECORD");
  }
  if (!on_div.empty()) {
    if (on_div == "stop") {
      o.replay.on_divergence = OnDivergence::kStop;
    } else if (on_div == "continue") {
      o.replay.on_divergence = OnDivergence::kContinue;
    } else {
      return Status::InvalidArgument("BATON_ON_DIVERGENCE='" + on_div +
                                     "': expected stop or continue");
    }
  }
  std::string report = get("BATON_REPLAY_REPORT");
  if (!report.empty()) o.replay_report_path = report;
  std::string overrides = get("BATON_REPLAY_OVERRIDES");
  if (!overrides.empty()) {
    if (replay.empty())
      return Status::InvalidArgument(
          "BATON_REPLAY_OVERRIDES=" + overrides +
          " needs BATON_REPLAY: a fork or chaos run replays a recording");
    std::unique_ptr<Env> env = NewPosixEnv();
    auto text = ReadFileToString(*env, overrides, /*max_bytes=*/64 << 20);
    if (!text.ok())
      return Status::InvalidArgument("BATON_REPLAY_OVERRIDES: " + text.status().message());
    auto parsed = ParseReplayOverrides(*text, overrides);
    if (!parsed.ok()) return parsed.status();
    o.replay.overrides = std::move(parsed).value();
  }
  // Extra header metadata, "key=value" lines (baton fork links a fork to its parent).
  std::string metadata = get("BATON_SESSION_METADATA");
  for (size_t at = 0; at < metadata.size();) {
    size_t end = metadata.find('\n', at);
    if (end == std::string::npos) end = metadata.size();
    std::string line = metadata.substr(at, end - at);
    size_t eq = line.find('=');
    if (eq == std::string::npos || eq == 0)
      return Status::InvalidArgument("BATON_SESSION_METADATA: '" + line + "' is not key=value");
    o.header.metadata.push_back({line.substr(0, eq), line.substr(eq + 1)});
    at = end + 1;
  }
  return o;
}

Result<std::unique_ptr<AgentRuntime>> AgentRuntime::Create(RuntimeOptions options,
                                                           ModelClient* model, ToolClient* tools) {
  std::unique_ptr<AgentRuntime> rt(new AgentRuntime(std::move(options), model, tools));
  BATON_RETURN_IF_ERROR(rt->Start());
  return rt;
}

AgentRuntime::AgentRuntime(RuntimeOptions options, ModelClient* model, ToolClient* tools)
    : options_(std::move(options)), model_(model), tools_(tools) {}

AgentRuntime::~AgentRuntime() {
  if (!finished_) {
    if (replay_) replay_->Abort("the runtime was destroyed without Finish()");
    if (recorder_) (void)recorder_->Close();
  }
}

Status AgentRuntime::Start() {
  const ReplayMode mode = options_.mode;
  if (options_.time == TimeSource::kVirtual) {
    virtual_clock_ = std::make_unique<ManualClock>(options_.header.start_wall_ns != 0
                                                       ? options_.header.start_wall_ns
                                                       : 1'767'225'600'000'000'000);  // 2026-01-01
    clock_ = virtual_clock_.get();
  } else {
    system_clock_ = NewSystemClock();
    clock_ = system_clock_.get();
  }
  seed_ = options_.random_seed != 0 ? options_.random_seed : std::random_device{}();

  if (mode == ReplayMode::kReplay || mode == ReplayMode::kReplayOrRecord) {
    if (options_.replay_path.empty())
      return Status::InvalidArgument(std::string(ReplayModeName(mode)) +
                                     " needs a recording to replay");
    ReplayOptions ro = options_.replay;
    ro.mode = mode;
    ro.redaction = options_.recorder.redaction;  // What the recording was redacted with.
    auto session = ReplaySession::Open(options_.replay_path, ro);
    if (!session.ok()) return session.status();
    replay_ = std::move(session).value();
    if (mode == ReplayMode::kReplayOrRecord && options_.record_path.empty()) {
      std::string base = options_.replay_path;
      if (base.size() > 6 && base.compare(base.size() - 6, 6, ".baton") == 0)
        base.resize(base.size() - 6);
      options_.record_path = base + ".rerecorded.baton";
    }
    // A replay keeps the recording's identity, so that the two sessions compare.
    if (options_.header.session_id.empty()) options_.header = replay_->trace().header();
    options_.header.writer.clear();
  }
  if (mode == ReplayMode::kRecord && options_.record_path.empty())
    return Status::InvalidArgument("record mode needs a path to record to");
  if (mode != ReplayMode::kPassthrough && !options_.record_path.empty()) {
    RecorderOptions ro = options_.recorder;
    ro.clock = clock_;
    if (options_.header.start_wall_ns == 0) options_.header.start_wall_ns = clock_->WallNanos();
    auto rec = Recorder::Create(options_.record_path, options_.header, ro);
    if (!rec.ok()) return rec.status();
    recorder_ = std::move(rec).value();
    if (!recorder_->preserved_leftover().empty()) {
      // The user must learn that an earlier run crashed: its evidence was kept, not lost.
      std::fprintf(stderr, "baton: %s.incomplete was left by an earlier recording; kept as %s\n",
                   options_.record_path.c_str(), recorder_->preserved_leftover().c_str());
    }
  }
  channel_ = std::make_unique<Channel>(*this);
  context_ = std::make_unique<ContextStore>(*this);
  return Status::Ok();
}

uint64_t AgentRuntime::Record(const std::string& agent, EventBody body, uint64_t cause) {
  if (recorder_ == nullptr) return 0;
  return recorder_->Record(agent, std::move(body), cause);
}

std::string AgentRuntime::NextCallId(const std::string& agent, const char* kind) {
  std::lock_guard<std::mutex> lock(mu_);
  return agent + "/" + kind + std::to_string(++call_counters_[agent + "/" + kind]);
}

Result<const Event*> AgentRuntime::ServeOrLive(const Event& live) {
  if (replay_ == nullptr) return static_cast<const Event*>(nullptr);
  return replay_->Serve(live);
}

void AgentRuntime::Sleep(std::chrono::nanoseconds duration) {
  if (virtual_clock_) {
    virtual_clock_->Advance(duration.count());
  } else if (replay_ == nullptr) {
    std::this_thread::sleep_for(duration);
  }  // A replay on real time does not wait out recorded backoffs.
}

Result<ModelResponse> AgentRuntime::CallModel(const std::string& agent, ModelRequest request,
                                              uint64_t cause) {
  const std::string call_id = NextCallId(agent, "model");
  uint64_t last_seq = 0;
  for (uint32_t attempt = 1;; ++attempt) {
    // The call is built inside the event: matched, completed, then moved into the log, so
    // a long prompt is copied once per attempt, not once per step.
    Event live;
    live.agent = agent;
    ModelCall& call = live.body.emplace<ModelCall>();
    call.call_id = call_id;
    call.request = request;
    call.attempt = attempt;
    auto served = ServeOrLive(live);
    if (!served.ok()) return served.status();
    Status error;
    if (*served != nullptr) {
      const ModelCall* rec = (*served)->As<ModelCall>();
      call.response = rec->response;
      call.latency_ns = rec->latency_ns;
      call.error = rec->error;
      call.error_code = rec->error_code;
      if (virtual_clock_) virtual_clock_->Advance(rec->latency_ns);
      if (!call.error.empty()) error = ErrorFromRecording(call.error, call.error_code);
    } else {
      if (model_ == nullptr) return Status::FailedPrecondition(agent + ": no live model client");
      int64_t t0 = clock_->MonoNanos();
      Result<ModelResponse> r = model_->Complete(request);
      call.latency_ns = clock_->MonoNanos() - t0;
      if (r.ok()) {
        call.response = std::move(r).value();
      } else {
        error = r.status();
        call.error = error.ToString();
        call.error_code = CallErrorCodeOf(error);
      }
    }
    ModelResponse response = error.ok() ? call.response : ModelResponse();
    std::string error_text = call.error;
    last_seq = Record(agent, std::move(live.body), last_seq != 0 ? last_seq : cause);
    if (error.ok()) return response;
    if (!error.retryable() || attempt >= options_.retry.max_attempts) return error;
    auto backoff = std::chrono::duration_cast<std::chrono::nanoseconds>(
        options_.retry.initial_backoff * std::pow(options_.retry.multiplier, attempt - 1));
    last_seq = Record(agent, Retry{call_id, attempt + 1, error_text, backoff.count()}, last_seq);
    Sleep(backoff);
  }
}

Result<std::string> AgentRuntime::CallTool(const std::string& agent, const std::string& tool,
                                           const std::string& arguments, uint64_t cause) {
  Event live;  // Built in place and moved into the log, as in CallModel.
  live.agent = agent;
  ToolCall& call = live.body.emplace<ToolCall>();
  call.call_id = NextCallId(agent, "tool");
  call.tool = tool;
  call.arguments = arguments;
  auto served = ServeOrLive(live);
  if (!served.ok()) return served.status();
  if (*served != nullptr) {
    const ToolCall* rec = (*served)->As<ToolCall>();
    call.result = rec->result;
    call.latency_ns = rec->latency_ns;
    call.error = rec->error;
    call.error_code = rec->error_code;
  } else {
    if (tools_ == nullptr) return Status::FailedPrecondition(agent + ": no live tool client");
    int64_t t0 = clock_->MonoNanos();
    Result<std::string> r = tools_->Call(tool, arguments);
    call.latency_ns = clock_->MonoNanos() - t0;
    if (r.ok()) {
      call.result = std::move(r).value();
    } else {
      call.error = r.status().ToString();
      call.error_code = CallErrorCodeOf(r.status());
    }
  }
  Status error =
      call.error.empty() ? Status::Ok() : ErrorFromRecording(call.error, call.error_code);
  std::string result = error.ok() ? call.result.text : std::string();
  Record(agent, std::move(live.body), cause);
  if (!error.ok()) return error;
  return result;
}

Result<int64_t> AgentRuntime::NowNanos(const std::string& agent) {
  Event live;
  live.agent = agent;
  live.body = ClockRead{"wall", 0};
  auto served = ServeOrLive(live);
  if (!served.ok()) return served.status();
  int64_t now = *served != nullptr ? (*served)->As<ClockRead>()->value_ns : clock_->WallNanos();
  Record(agent, ClockRead{"wall", now});
  return now;
}

Result<uint64_t> AgentRuntime::RandomNumber(const std::string& agent, const std::string& stream) {
  Event live;
  live.agent = agent;
  live.body = RandomDraw{stream, 0};
  auto served = ServeOrLive(live);
  if (!served.ok()) return served.status();
  uint64_t value = 0;
  if (*served != nullptr) {
    value = (*served)->As<RandomDraw>()->value;
  } else {
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, fresh] = random_state_.try_emplace(stream, 0);
    if (fresh) it->second = seed_ ^ std::hash<std::string>{}(stream);
    value = SplitMix64(it->second);
  }
  Record(agent, RandomDraw{stream, value});
  return value;
}

Result<std::optional<std::string>> AgentRuntime::Env(const std::string& agent,
                                                     const std::string& name) {
  Event live;
  live.agent = agent;
  live.body = EnvRead{name, "", false};
  auto served = ServeOrLive(live);
  if (!served.ok()) return served.status();
  EnvRead read{name, "", false};
  if (*served != nullptr) {
    read = *(*served)->As<EnvRead>();
  } else if (const char* v = std::getenv(name.c_str())) {
    read.value = v;
    read.present = true;
  }
  Record(agent, read);
  if (!read.present) return std::optional<std::string>();
  return std::optional<std::string>(read.value);
}

ReplayReport AgentRuntime::replay_report() const {
  return replay_ ? replay_->Report() : ReplayReport{};
}

Status AgentRuntime::Finish() {
  if (finished_) return Status::FailedPrecondition("Finish() called twice");
  finished_ = true;
  Status closed = recorder_ ? recorder_->Close() : Status::Ok();
  if (!replay_) return closed;
  ReplayReport report = replay_->Report();
  if (!options_.replay_report_path.empty()) {
    std::unique_ptr<baton::Env> env = NewPosixEnv();
    Status written = WriteStringToFile(*env, report.ToJson() + "\n", options_.replay_report_path);
    if (!written.ok())
      return Status::IOError("cannot write the replay report: " + written.message());
  }
  if (!closed.ok()) return closed;
  if (!report.matched) return Status::Diverged(report.Render());
  return Status::Ok();
}

}  // namespace baton
