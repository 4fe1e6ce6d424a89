// How a session that did not come through the proxy (one imported from OpenTelemetry spans)
// holds the tool calls of a request's messages, so that a program replayed against it
// matches whichever model API it calls.
//
// The proxy records the members of a message other than role, content, name and
// tool_call_id as the API sent them, in ChatMessage::extra. Spans carry messages in the
// conventions' shape, which is no API's: an imported message holds its tool calls in one
// portable form, and the proxy reads a live request replayed against such a session into the
// same form (proxy::MessageExtras::kPortable):
//
//   extra = {"tool_calls":[{"arguments":"<canonical JSON text>","id":"...","name":"..."}]}
//
// and nothing else (no refusal, annotations or other members the API echoes back); a tool's
// result is a message of role "tool" naming the call's id, one per result. Arguments are
// compared as canonical JSON (keys sorted): a Chat Completions program sends them back as the
// text it was served, an Anthropic or Gemini program as an object.
//
// Internal to the harness (the proxy and the OpenTelemetry import and export).
#ifndef BATON_HARNESS_PORTABLE_TOOL_CALLS_H_
#define BATON_HARNESS_PORTABLE_TOOL_CALLS_H_

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "recorder/event.h"

namespace baton {

// The portable extra of a message with `calls`; "" for none.
std::string PortableToolCallsExtra(const std::vector<ToolCallRequest>& calls,
                                   simdjson::dom::parser& parser);

// The tool calls a message's extra holds: the portable form, or Chat Completions' tool_calls
// ({id, type, function: {name, arguments}}) as the proxy records them. Empty for an extra
// without tool calls, or that is not JSON.
std::vector<ToolCallRequest> ToolCallsOfExtra(std::string_view extra,
                                              simdjson::dom::parser& parser);

}  // namespace baton

#endif  // BATON_HARNESS_PORTABLE_TOOL_CALLS_H_
