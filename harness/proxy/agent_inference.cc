#include "harness/proxy/agent_inference.h"

#include "base/json_parse.h"
#include "harness/agent_role.h"
#include "harness/handoff_tool.h"

namespace baton::proxy {

namespace {

// How a request's task stands to a tool call's text arguments (its string values, at any
// depth): one of them word for word, or the longest of them (the task, or the context that
// comes with it) inside the task, as a framework's prompt template wraps what the tool was
// given ("Current Task: ...", "Research this: ..."). Only the longest: a short argument (a
// tag, a name) inside some message says nothing about who asked for it.
enum class TaskMatch { kNone, kWrapped, kWordForWord };
TaskMatch MatchTask(std::string_view arguments, const std::string& task) {
  auto args = JsonDocument::Parse(arguments, "a tool call's arguments");
  if (!args.ok()) return TaskMatch::kNone;
  std::string_view longest;
  std::vector<capnp::JsonValue::Reader> todo = {args->root()};
  while (!todo.empty()) {
    capnp::JsonValue::Reader v = todo.back();
    todo.pop_back();
    if (v.isString()) {
      std::string_view text(v.getString().cStr(), v.getString().size());
      if (text == task) return TaskMatch::kWordForWord;
      if (text.size() > longest.size()) longest = text;
    }
    if (v.isArray())
      for (auto item : v.getArray()) todo.push_back(item);
    if (v.isObject())
      for (auto field : v.getObject()) todo.push_back(field.getValue());
  }
  // Several words, as for the task itself: one word is found in too many messages.
  if (longest.find(' ') != std::string_view::npos && task.find(longest) != std::string::npos)
    return TaskMatch::kWrapped;
  return TaskMatch::kNone;
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
  // The open tool call of another agent that gave this request its task: word for word
  // before wrapped in a template (MatchTask), the oldest first. An empty or one-word message
  // says too little to tell whose it is.
  std::optional<Delegation> running;
  const ToolCallRequest* running_call = nullptr;
  TaskMatch best = TaskMatch::kNone;
  const std::string task = LastUserText(request);
  for (auto caller = open_tool_calls_.begin();
       caller != open_tool_calls_.end() && best != TaskMatch::kWordForWord &&
       task.find(' ') != std::string::npos;
       ++caller) {
    if (!agent.empty() && caller->first == agent) continue;
    for (const ToolCallRequest& call : caller->second) {
      if (call.id.empty()) continue;
      const TaskMatch match = MatchTask(call.arguments_json.text, task);
      if (match <= best) continue;
      bool known = false;
      for (const Delegation& d : delegations_) known |= d.call_id == call.id;
      if (known) continue;
      best = match;
      running = Delegation{caller->first, "", call.id, task};
      running_call = &call;
      if (best == TaskMatch::kWordForWord) break;
    }
  }
  // A new agent run by a tool is named by it, as a handoff names the agent it leads to.
  if (running_call != nullptr && agent.empty() && !running_call->name.empty() &&
      !NameTaken(running_call->name))
    agent = running_call->name;
  if (is_new) {
    // Named by its prompt when the prompt says its role and no agent goes by that name yet.
    if (agent.empty())
      if (std::string role = RoleNamedBy(request.system_prompt); !role.empty() && !NameTaken(role))
        agent = std::move(role);
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
