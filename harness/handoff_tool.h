// The one rule for which tool calls are handoffs, shared by every reader of agent traffic:
// the proxy (model requests), the OTLP import (execute_tool spans) and the transcript import
// (tool calls in a message list).
#ifndef BATON_HARNESS_HANDOFF_TOOL_H_
#define BATON_HARNESS_HANDOFF_TOOL_H_

#include <optional>
#include <string>
#include <string_view>

namespace baton {

// The agent a handoff tool hands the conversation to: the OpenAI Agents SDK and Swarm name
// it transfer_to_<agent>, LangGraph's handoff tools handoff_to_<agent>. "transfer_to_billing"
// -> "billing"; nullopt for any other tool, and for a bare prefix.
std::optional<std::string> HandoffToolTarget(std::string_view tool_name);

}  // namespace baton

#endif  // BATON_HARNESS_HANDOFF_TOOL_H_
