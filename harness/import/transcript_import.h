// Chat transcripts of multi-agent systems as baton sessions: `baton import transcript`.
//
// Two shapes are detected from the document itself:
//   - Who&When / Magentic-One: {"question", "ground_truth"?, "history": [{role, name?,
//     content}]}. The agent is `name` when present, else `role`; every "Orchestrator (...)"
//     role is the agent Orchestrator: "(thought)" is routing reasoning, "(-> X)" a handoff
//     to X, "(termination condition)" the decision to stop.
//   - AutoGen / AG2 group chats: a list of {name?, role, content}, or {"messages": [...]}.
//     Each message goes to the agent who speaks next. The speaker is `name`, else `sender`
//     (OpenAI Swarm), else `source` (AutoGen AgentChat 0.4+), else `role`. Also read:
//     AgentChat's message types (ToolCallRequestEvent / ToolCallExecutionEvent: tool calls
//     with results and is_error; HandoffMessage: a handoff to `target`; StopMessage: the
//     termination condition, not an answer; thoughts and other events: steps that say nothing
//     to anyone; CodeExecutionEvent: a code run with its exit code), OpenAI chat messages
//     (`tool_calls`, role "tool" results charged to the agent that asked, transfer_to_<agent>
//     tools as handoffs when no HandoffMessage says it), OpenAI Responses items
//     (function_call, function_call_output; the OpenAI Agents SDK's history, whose items
//     name no speaker: the items after a transfer_to_<agent> call are that agent's, until
//     a message names its speaker; its JavaScript form's callId and function_call_result
//     too), and LangChain messages as a LangGraph state
//     keeps them (`type` human / ai / tool / system, as model_dump() writes them, wrapped
//     by messages_to_dict as {"type", "data"} or by dumpd as {"lc", "kwargs"}; tool_calls
//     as {name, args, id}; a tool message's status "error" is the call's error).
//   A message's content given as parts (text blocks, output_text, multimodal strings) is
//   read as the text of its parts. A system (or developer) message is the instructions of
//   the agent that speaks after it, not the task: the task is the user's first message,
//   or, when an agent opens the chat (AG2's CaptainAgent logs quote the question inside
//   their manager's plan) and the file has a `question`, that question, asked at the
//   opening step, whose message is then the agent's own work.
// An agent acts on what it was sent by speaking next: its next entry processes every
// message delivered to it. The chat's last word goes back to whoever set the task. A
// message its receiver never acted on stays unprocessed, which the analyses report.
// An entry whose content is a code execution report ("exitcode: N ...", or a Python
// traceback from an executor) is a tool call of that agent: the code is the message that
// asked for it, a non-zero exit code or a traceback is its error.
//
// Every entry i becomes a span_start "step-i" (attributes step, role, name) followed by
// its events, each caused by that span, so any finding can name the step of the original
// transcript. Time is virtual: one second per entry. The last entry's answer becomes the
// outcome (a failed code run's output is not an answer); with a ground truth, the outcome
// fails when the answer does not state it: its words, in order and together ("in 2022"
// does not state "22").
// AutoGen's TERMINATE is a signal, not an answer: a closing TERMINATE is left out of it, and
// a message that says only TERMINATE is the decision to stop (a routing decision), the
// answer then being the message before it.
//
// The importer reads only the keys named above. Annotation keys of labelled datasets
// (mistake_agent, mistake_step, mistake_reason, is_correct, is_corrected) are never read.
#ifndef BATON_HARNESS_IMPORT_TRANSCRIPT_IMPORT_H_
#define BATON_HARNESS_IMPORT_TRANSCRIPT_IMPORT_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/status.h"
#include "recorder/event.h"

namespace baton::transcript {

enum class Shape { kWhoAndWhen, kGroupChat };

struct ImportedSession {
  Shape shape = Shape::kGroupChat;
  SessionHeader header;
  std::vector<Event> events;  // seq 1..N, virtual times.
  size_t entries = 0;         // Transcript entries read.
};

// Parses a transcript. Errors name `where` and what was expected, at which index.
Result<ImportedSession> ParseTranscript(std::string_view json, const std::string& where);

// Reads `in`, writes the session to `out` through the Recorder.
Result<ImportedSession> ImportTranscriptFile(const std::string& in, const std::string& out,
                                             Env* env = nullptr);

}  // namespace baton::transcript

#endif  // BATON_HARNESS_IMPORT_TRANSCRIPT_IMPORT_H_
