#include "harness/proxy/agent_inference.h"

#include "harness/handoff_tool.h"

namespace baton::proxy {

std::string AgentInference::Attribute(const std::string& header_agent, const ParsedRequest& request,
                                      std::optional<PendingHandoff>* delivered) {
  std::string agent = header_agent;
  if (agent.empty()) {
    auto it = agent_of_prompt_.find(request.system_prompt);
    if (it != agent_of_prompt_.end()) {
      agent = it->second;
    } else {
      // A new agent: named by the oldest handoff no agent has claimed yet.
      for (const PendingHandoff& h : pending_) {
        bool taken = false;
        for (const auto& [prompt, name] : agent_of_prompt_) taken |= name == h.to;
        if (!taken) {
          agent = h.to;
          break;
        }
      }
      if (agent.empty()) agent = "agent-" + std::to_string(++anonymous_);
      agent_of_prompt_.emplace(request.system_prompt, agent);
    }
  }
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if (it->to == agent && it->from != agent) {
      if (delivered != nullptr) *delivered = *it;
      pending_.erase(it);
      break;
    }
  }
  return agent;
}

void AgentInference::Rename(const std::string& from, const std::string& to) {
  for (auto& [prompt, name] : agent_of_prompt_)
    if (name == from) name = to;
}

void AgentInference::ObserveResponse(const std::string& agent, const ModelResponse& response) {
  for (const ToolCallRequest& call : response.tool_calls) {
    if (auto to = HandoffToolTarget(call.name, call.arguments_json.text)) {
      pending_.push_back({agent, *to, call.id, call.arguments_json.text});
    } else {
      open_tool_calls_[agent].push_back(call);
    }
  }
}

std::optional<ToolCallRequest> AgentInference::TakeToolCall(const std::string& agent,
                                                            const std::string& id) {
  auto it = open_tool_calls_.find(agent);
  if (it == open_tool_calls_.end()) return std::nullopt;
  for (auto call = it->second.begin(); call != it->second.end(); ++call) {
    if (call->id == id) {
      ToolCallRequest found = *call;
      it->second.erase(call);
      return found;
    }
  }
  return std::nullopt;
}

}  // namespace baton::proxy
