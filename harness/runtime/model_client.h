// The model and tool interfaces agents call through, and ScriptedModel, a model made of
// rules for examples and tests. Code written against these is recordable and replayable:
// AgentRuntime wraps them (agent_runtime.h).
#ifndef BATON_HARNESS_RUNTIME_MODEL_CLIENT_H_
#define BATON_HARNESS_RUNTIME_MODEL_CLIENT_H_

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "recorder/event.h"

namespace baton {

// A chat-completions model. Errors are values: Status::Unavailable for failures worth a
// retry (HTTP 429/5xx, timeouts, refused connections), other codes for the rest.
class ModelClient {
 public:
  virtual ~ModelClient() = default;
  virtual Result<ModelResponse> Complete(const ModelRequest& request) = 0;
};

// What a script says about one call besides its answer.
struct ScriptedCall {
  std::chrono::nanoseconds latency{0};  // Simulated: moves the virtual clock, if one is set.
};

// A model whose answers are computed by a function of the request: deterministic for a
// given function, which may itself draw from a seeded generator.
class ScriptedModel final : public ModelClient {
 public:
  using Script = std::function<Result<ModelResponse>(const ModelRequest&, ScriptedCall&)>;
  explicit ScriptedModel(Script script) : script_(std::move(script)) {}

  // Simulated latencies advance this clock (borrowed; AgentRuntime::virtual_clock()).
  void set_clock(ManualClock* clock) { clock_ = clock; }

  // A table of rules: the first whose `when` occurs in the last message answers with
  // `reply`; no rule matching is an error naming the message.
  struct Rule {
    std::string when;
    std::string reply;
  };
  static std::unique_ptr<ScriptedModel> FromTable(std::vector<Rule> rules);

  Result<ModelResponse> Complete(const ModelRequest& request) override {
    ScriptedCall call;
    Result<ModelResponse> response = script_(request, call);
    if (clock_ != nullptr) clock_->Advance(call.latency.count());
    return response;
  }

 private:
  Script script_;
  ManualClock* clock_ = nullptr;
};

// A tool: JSON arguments in, a result text out.
class ToolClient {
 public:
  virtual ~ToolClient() = default;
  virtual Result<std::string> Call(const std::string& tool, const std::string& arguments) = 0;
};

// C++ functions registered by name.
class ToolRegistry final : public ToolClient {
 public:
  using Tool = std::function<Result<std::string>(const std::string& arguments)>;
  void Register(std::string name, Tool tool) { tools_[std::move(name)] = std::move(tool); }
  Result<std::string> Call(const std::string& tool, const std::string& arguments) override {
    auto it = tools_.find(tool);
    if (it == tools_.end()) return Status::NotFound("no tool named '" + tool + "'");
    return it->second(arguments);
  }

 private:
  std::map<std::string, Tool> tools_;
};

}  // namespace baton

#endif  // BATON_HARNESS_RUNTIME_MODEL_CLIENT_H_
