// OpenTelemetry spans -> baton sessions: `baton import otlp` and `baton serve --otlp`.
//
// What maps to what (docs/otel-attributes.md has the full table):
//   - GenAI model spans (gen_ai.operation.name chat / text_completion / generate_content /
//     embeddings, OpenLLMetry's llm.request.type, OpenInference LLM / EMBEDDING) -> model_call
//     at the span's end: request from gen_ai.input.messages, gen_ai.system_instructions,
//     gen_ai.tool.definitions and gen_ai.request.* (or the older gen_ai.prompt[.N.*], the
//     gen_ai.*.message span events, llm.input_messages.N.message.*), response from
//     gen_ai.output.messages (or gen_ai.completion[.N.*], gen_ai.choice events,
//     llm.output_messages.*), usage, finish reasons, latency, error status.
//   - execute_tool / OpenInference TOOL -> tool_call. A transfer (gen_ai.transfer.target.name
//     or a transfer_to_<agent> tool) -> a message_send to that agent, delivered when the agent
//     next starts.
//   - invoke_agent / create_agent / OpenInference AGENT (and graph.node.* nodes) name the agent
//     of their span and everything under it. An agent span called by another agent
//     (gen_ai.caller.*, or a child of another agent's span) is a handoff: a message_send from the
//     caller and its delivery.
//   - `baton.*` span events (baton_attributes.h) -> the events they name, and when a trace has
//     any baton.message.* event, handoffs come from those alone (the program said what it sent).
//   - Span starts and ends -> span_start / span_end; exceptions and error statuses -> errors; a
//     failed model call followed by the same request from the same agent -> a retry.
//   - OpenLLMetry's traceloop.span.kind (agent / tool / handoff, with gen_ai.handoff.* and
//     traceloop.entity.*) and the Vercel AI SDK's ai.* spans (ai.generateText named by its
//     functionId, ai.*.doGenerate, ai.toolCall) map the same way; a message delivered by an
//     inferred handoff is processed by the receiver's next model call that succeeds.
//   - MLflow Tracing's spans (mlflow.spanType CHAT_MODEL / LLM / TOOL / AGENT, the whole
//     request and answer in mlflow.spanInputs / mlflow.spanOutputs, as JSON text) and Langfuse's
//     (langfuse.observation.type generation / tool / agent, with langfuse.observation.input /
//     output) map the same.
//   - A root span with an error status is a failed outcome unless baton.outcome says otherwise.
// Content the spans did not carry is left empty, and the session's metadata says so
// ("content": "absent" or "partial ..."); the analyses then report "no content recorded"
// instead of judging an empty payload.
#ifndef BATON_HARNESS_OTEL_SPAN_IMPORT_H_
#define BATON_HARNESS_OTEL_SPAN_IMPORT_H_

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/env.h"
#include "base/status.h"
#include "harness/otel/otlp_spans.h"
#include "recorder/event.h"
#include "recorder/recorder.h"

namespace baton::otel {

enum class GroupBy {
  // Conversation when a trace's spans carry an id for one, else the trace; a trace whose root
  // is linked to another trace (it continues it: Span::continues_trace_id) joins that one.
  kAuto,
  kTrace,         // One session per trace id.
  kConversation,  // gen_ai.conversation.id or session.id; traces without one stay alone.
};

std::string_view GroupByName(GroupBy g);  // "auto", "trace", "conversation"

// The conversation a span names (gen_ai.conversation.id, session.id), or "".
std::string ConversationOf(const Span& span);

struct SpanSession {
  std::string key;  // The trace id or conversation id the session was grouped by.
  SessionHeader header;
  std::vector<Event> events;  // seq 1..N.
  size_t spans = 0;           // Distinct spans used.
  size_t duplicate_spans = 0;
  // Log records (GenAI events sent as logs) whose span is not in the group: left out.
  size_t unjoined_log_records = 0;
  size_t model_calls = 0;
  size_t model_calls_with_content = 0;
};

// Spans gathered into groups (by trace, or by the conversation a trace's spans name or the
// trace it continues) until
// each is taken: all at once by `baton import otlp`, when it goes quiet by the receiver's
// writer thread. Pure (time is passed in), so the idle rule is tested without threads.
class SpanGroups {
 public:
  explicit SpanGroups(GroupBy group_by) : group_by_(group_by) {}
  void Add(std::vector<Span> spans, int64_t now_ns);
  // The groups that received nothing for `idle_ns`, oldest first (then in order of their
  // first span); they leave.
  std::vector<std::pair<std::string, std::vector<Span>>> TakeIdle(int64_t now_ns, int64_t idle_ns);
  std::vector<std::pair<std::string, std::vector<Span>>> TakeAll();
  size_t open_groups() const { return groups_.size(); }
  size_t open_spans() const { return open_spans_; }

 private:
  struct Group {
    std::vector<Span> spans;
    int64_t last_ns = 0;
    uint64_t first_seen = 0;  // Creation order.
  };
  // Groups the spans of `trace` under `key` from now on, with those already waiting.
  void JoinTrace(const std::string& trace, std::string key);
  GroupBy group_by_;
  std::map<std::string, Group> groups_;
  uint64_t groups_created_ = 0;
  // A trace's conversation, once any of its spans named one; kept after the group is taken,
  // so late spans of the trace join the same conversation (bounded: the oldest entries go).
  std::map<std::string, std::string> conversation_of_trace_;
  std::deque<std::string> trace_order_;
  size_t open_spans_ = 0;
};

// One session from the spans of one group (any order; duplicates are dropped), with the
// events of log records joined to their spans.
SpanSession SessionFromSpans(std::string key, std::vector<Span> spans);

// Whether a group holds a span, not only log records (whose spans are elsewhere, or lost).
bool HasSpan(const std::vector<Span>& group);

// Groups `spans` (SpanGroups) and builds a session per group, in order of each group's first
// span; the groups are mapped on `workers` threads at once (0: one per core).
std::vector<SpanSession> SessionsFromSpans(std::vector<Span> spans, GroupBy group_by,
                                           unsigned workers = 0);

// A file name for a session key: its characters outside [A-Za-z0-9._-] become '_'.
std::string SessionFileName(const std::string& key);

// Writes `session` to `path` through a Recorder (PATH.incomplete, renamed on close). Its
// events arrive at once, so its chunks are full; `compaction` only decides whether a small
// file is recompressed hard on close (smaller, but several times the cost of writing it).
// `redaction` as the Recorder takes it (a receiver passes ResolvedRedactionOptions, looked up
// once for all its sessions).
Status WriteSpanSession(SpanSession session, const std::string& path, Env& env,
                        CloseCompaction compaction, const RedactionOptions& redaction = {});

struct OtlpImportSummary {
  size_t spans = 0;
  size_t log_records = 0;           // Events of spans, from log exports.
  size_t unjoined_log_records = 0;  // Of those, naming a span not in the file: left out.
  std::vector<RejectedSpan> rejected;
  std::vector<std::string> files;  // One per session written.
  size_t events = 0;
};

// Reads an OTLP/JSON file and writes one session per group into `out_dir`. Spans are read,
// and sessions mapped and written, by `workers` threads at once (0: one per core); files are named,
// and listed in the summary, in order of each group's first span, however many there are.
// On an error the sessions not yet started are not written, and the error of the earliest
// failed session is returned.
Result<OtlpImportSummary> ImportOtlpFile(const std::string& in, const std::string& out_dir,
                                         GroupBy group_by, Env& env, unsigned workers = 0);

}  // namespace baton::otel

#endif  // BATON_HARNESS_OTEL_SPAN_IMPORT_H_
