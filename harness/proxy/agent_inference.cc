#include "harness/proxy/agent_inference.h"

#include "base/json_parse.h"
#include "harness/handoff_tool.h"

namespace baton::proxy {

namespace {

// Whether `text` is one of the string values (at any depth) of the JSON `arguments`.
bool IsTextArgument(std::string_view arguments, const std::string& text) {
  auto args = JsonDocument::Parse(arguments, "a tool call's arguments");
  if (!args.ok()) return false;
  std::vector<capnp::JsonValue::Reader> todo = {args->root()};
  while (!todo.empty()) {
    capnp::JsonValue::Reader v = todo.back();
    todo.pop_back();
    if (v.isString() && std::string_view(v.getString().cStr()) == text) return true;
    if (v.isArray())
      for (auto item : v.getArray()) todo.push_back(item);
    if (v.isObject())
      for (auto field : v.getObject()) todo.push_back(field.getValue());
  }
  return false;
}

// The text of the request's last user message, "" when it has none.
std::string LastUserText(const ParsedRequest& request) {
  const MessageList& messages = request.request.messages;
  for (auto m = messages.rbegin(); m != messages.rend(); ++m)
    if (m->role == "user") return m->content.text;
  return "";
}

}  // namespace

std::string AgentInference::Attribute(const std::string& header_agent, const ParsedRequest& request,
                                      std::optional<PendingHandoff>* delivered,
                                      std::optional<Delegation>* delegated) {
  std::string agent = header_agent;
  bool is_new = false;
  if (agent.empty()) {
    auto it = agent_of_prompt_.find(request.system_prompt);
    if (it != agent_of_prompt_.end()) {
      agent = it->second;
    } else {
      is_new = true;
      // A new agent: named by the oldest handoff no agent has claimed yet.
      for (const PendingHandoff& h : pending_) {
        if (!NameTaken(h.to)) {
          agent = h.to;
          break;
        }
      }
    }
  }
  // The open tool call of another agent that gave this request its task, word for word. An
  // empty or one-word message says too little to tell whose it is.
  std::optional<Delegation> running;
  const std::string task = LastUserText(request);
  for (auto caller = open_tool_calls_.begin();
       caller != open_tool_calls_.end() && !running && task.find(' ') != std::string::npos;
       ++caller) {
    if (!agent.empty() && caller->first == agent) continue;
    for (const ToolCallRequest& call : caller->second) {
      if (call.id.empty() || !IsTextArgument(call.arguments_json.text, task)) continue;
      bool known = false;
      for (const Delegation& d : delegations_) known |= d.call_id == call.id;
      if (known) continue;
      running = Delegation{caller->first, "", call.id, task};
      // A new agent run by a tool is named by it, as a handoff names the agent it leads to.
      if (agent.empty() && !call.name.empty() && !NameTaken(call.name)) agent = call.name;
      break;
    }
  }
  if (is_new) {
    if (agent.empty()) agent = "agent-" + std::to_string(++anonymous_);
    agent_of_prompt_.emplace(request.system_prompt, agent);
  }
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if (it->to == agent && it->from != agent) {
      if (delivered != nullptr) *delivered = *it;
      pending_.erase(it);
      return agent;
    }
  }
  if (running && running->from != agent) {
    running->to = agent;
    delegations_.push_back(*running);
    if (delegated != nullptr) *delegated = std::move(running);
  }
  return agent;
}

bool AgentInference::NameTaken(const std::string& name) const {
  for (const auto& [prompt, agent] : agent_of_prompt_)
    if (agent == name) return true;
  return false;
}

void AgentInference::Rename(const std::string& from, const std::string& to) {
  for (auto& [prompt, name] : agent_of_prompt_)
    if (name == from) name = to;
  for (Delegation& d : delegations_) {
    if (d.from == from) d.from = to;
    if (d.to == from) d.to = to;
  }
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

std::optional<Delegation> AgentInference::TakeDelegation(const std::string& agent,
                                                         const std::string& id) {
  for (auto d = delegations_.begin(); d != delegations_.end(); ++d) {
    if (d->from != agent || d->call_id != id) continue;
    Delegation found = std::move(*d);
    delegations_.erase(d);
    return found;
  }
  return std::nullopt;
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
