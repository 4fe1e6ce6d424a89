// The one rule for which tool calls are handoffs, shared by every reader of agent traffic:
// the proxy (model requests), the OTLP import (execute_tool spans) and the transcript import
// (tool calls in a message list).
#ifndef BATON_HARNESS_HANDOFF_TOOL_H_
#define BATON_HARNESS_HANDOFF_TOOL_H_

#include <optional>
#include <string>
#include <string_view>

namespace baton {

// The agent a handoff tool hands the conversation to, or nullopt for any other tool:
//   - transfer_to_<agent> (the OpenAI Agents SDK, Swarm) and handoff_to_<agent> (LangGraph's
//     handoff tools) name it in the tool's name: "transfer_to_billing" -> "billing";
//   - Google ADK's one transfer_to_agent tool names it in its arguments' agent_name
//     ({"agent_name": "billing"}); with no such argument, nullopt.
// A bare prefix names no agent.
std::optional<std::string> HandoffToolTarget(std::string_view tool_name,
                                             std::string_view arguments_json = {});

}  // namespace baton

#endif  // BATON_HARNESS_HANDOFF_TOOL_H_
