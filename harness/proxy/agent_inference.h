// Which agent made a model request, recovered from the traffic alone, and the handoffs and
// tool calls between requests. The rules, in order:
//   1. an `X-Baton-Agent` header names the agent;
//   2. else the request's system prompt (instructions) identifies it: the same prompt is
//      the same agent;
//   3. a new prompt takes its name from the handoff that led to it: a response that called
//      a handoff tool `transfer_to_<name>` (OpenAI Agents SDK; also `handoff_to_<name>`)
//      names the next new agent <name>; or from the tool that ran it (below); or from the
//      role its prompt opens with ("You are the planner." is `planner`: one to four plain
//      words, taken by no other agent); otherwise the agent is `agent-N` (N = 1, 2, ...).
// An agent used as a tool (the AI SDK's generateText inside a tool, the OpenAI Agents SDK's
// asTool, a Pydantic AI delegation, CrewAI's delegation to a coworker): a request whose last
// user message is, word for word, a text argument of a tool call another agent's answer asked
// for and whose result has not come back, or holds the longest text argument of such a call
// (a framework's template around the task), is that agent calling this one (a delegation);
// the result, when the caller's next request carries it, is this agent's reply.
// Limits: two agents with one system prompt are one agent unless the header tells them
// apart; a handoff that the next request does not follow leaves its name unclaimed.
// Deterministic: a replay of the same requests gives the same names, which replay matching
// relies on (it matches per agent, in order).
#ifndef BATON_HARNESS_PROXY_AGENT_INFERENCE_H_
#define BATON_HARNESS_PROXY_AGENT_INFERENCE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/proxy/model_api.h"
#include "recorder/event.h"

namespace baton::proxy {

struct PendingHandoff {
  std::string from;
  std::string to;
  std::string call_id;    // The handoff tool call's id: the message id.
  std::string arguments;  // What was handed over.
};

// A tool call of one agent that ran another agent (see above).
struct Delegation {
  std::string from;     // The caller.
  std::string to;       // The agent the tool ran.
  std::string call_id;  // The tool call's id: the delegation's message id.
  std::string task;     // The user message the called agent was given.
};

class AgentInference {
 public:
  // The agent of a request; `header_agent` is the X-Baton-Agent value (empty when absent).
  // When the request is the first of an agent that a pending handoff named, `delivered`
  // receives that handoff.
  // When instead the request is an agent's first on a task another agent's tool call gave it,
  // `delegated` receives that delegation (once per tool call).
  std::string Attribute(const std::string& header_agent, const ParsedRequest& request,
                        std::optional<PendingHandoff>* delivered,
                        std::optional<Delegation>* delegated = nullptr);
  // Calls the agent named `from` `to` from now on (the name a recording gives it).
  void Rename(const std::string& from, const std::string& to);
  // Notes the handoff tool calls of an agent's response.
  void ObserveResponse(const std::string& agent, const ModelResponse& response);
  // The tool call (name, arguments) an agent's earlier response asked for, by id; once.
  std::optional<ToolCallRequest> TakeToolCall(const std::string& agent, const std::string& id);
  // The delegation an agent's tool call `id` was, when its result comes back; once.
  std::optional<Delegation> TakeDelegation(const std::string& agent, const std::string& id);

 private:
  // Whether an agent already goes by `name`.
  bool NameTaken(const std::string& name) const;

  std::map<std::string, std::string> agent_of_prompt_;
  std::vector<PendingHandoff> pending_;
  std::map<std::string, std::vector<ToolCallRequest>> open_tool_calls_;  // By agent.
  std::vector<Delegation> delegations_;  // Whose results have not come back yet.
  int anonymous_ = 0;
};

}  // namespace baton::proxy

#endif  // BATON_HARNESS_PROXY_AGENT_INFERENCE_H_
