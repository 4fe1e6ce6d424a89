// The one rule for which tool calls are handoffs, shared by every reader of agent traffic:
// the proxy (model requests), the OTLP import (execute_tool spans) and the transcript import
// (tool calls in a message list).
#ifndef BATON_HARNESS_HANDOFF_TOOL_H_
#define BATON_HARNESS_HANDOFF_TOOL_H_

#include <optional>
#include <string>
#include <string_view>

namespace baton {

// The agent a handoff (or delegation) tool passes the work to, or nullopt for any other tool.
// Frameworks name it one of two ways.
//   - In the tool's name: transfer_to_<agent> (the OpenAI Agents SDK, Swarm, AutoGen and AG2
//     swarms, LangGraph's supervisor and swarm, Semantic Kernel's handoff functions, which it
//     calls Handoff-transfer_to_<agent> on the wire), handoff_to_<agent>, and
//     transfer_back_to_<agent> (LangGraph's supervisor: a worker handing back to it).
//   - In an argument of one shared tool:
//       transfer_to_agent {agent_name}            Google ADK
//       handoff_to_agent {agent_name, message}    Strands Agents' swarm
//       handoff {to_agent, reason}                LlamaIndex's AgentWorkflow
//       Delegate work to coworker {coworker, task}, Ask question to coworker {coworker,
//       question}                                 CrewAI (also as snake_case names)
//       delegate_task_to_member, transfer_task_to_member, forward_task_to_member
//       {member_id}                               Agno's teams
//       Task {subagent_type, prompt}              the Claude Agent SDK's subagents
//     A shared tool whose arguments name no agent (not JSON, or no such string) is no
//     handoff; transfer_to_agent and handoff_to_agent are never read as an agent named "agent".
// A bare prefix names no agent.
std::optional<std::string> HandoffToolTarget(std::string_view tool_name,
                                             std::string_view arguments_json = {});

// What a handoff hands over: what the sender's model said with the handoff call (an agent SDK
// passes the conversation on, and its last words are its output), then the call's arguments;
// arguments of "{}" say nothing. Either alone when the other is empty.
std::string HandoffMessage(std::string_view said, std::string_view arguments);

}  // namespace baton

#endif  // BATON_HARNESS_HANDOFF_TOOL_H_
