// A baton session as OpenTelemetry spans: `baton export otlp`.
//
// Each run of consecutive events of one agent is an invoke_agent span (a turn); under it a
// chat span per model call (gen_ai.input.messages / gen_ai.output.messages, usage, finish
// reasons, error status), an execute_tool span per tool call, a transfer span
// (execute_tool transfer_to_<agent>, gen_ai.transfer.target.name) per message sent, and a span
// per span_start/span_end pair of the session. Every attribute has its OpenInference mirror
// (openinference.span.kind, llm.input_messages.N.message.*, tool.name, agent.name, ...) so
// Phoenix and Langfuse show the same. What the GenAI conventions cannot carry (context reads
// and writes, messages with their intents, interpretations, scores, checks, routing, retries,
// the outcome) goes in `baton.*` span events (baton_attributes.h), which span_import.h reads
// back: import(export(s)) keeps every event OTel can carry. Clock, random and environment
// reads, and the proxy's raw HTTP bytes, are not exported.
#ifndef BATON_HARNESS_OTEL_SPAN_EXPORT_H_
#define BATON_HARNESS_OTEL_SPAN_EXPORT_H_

#include <vector>

#include "assertions/finding.h"
#include "base/status.h"
#include "harness/otel/otlp_spans.h"
#include "replayer/trace.h"

namespace baton::otel {

// The spans of `trace`; `findings` (from `baton why`; may be empty) become baton.finding span
// events on the spans of the events where they show.
Result<std::vector<Span>> SpansFromTrace(const Trace& trace, const std::vector<Finding>& findings);

}  // namespace baton::otel

#endif  // BATON_HARNESS_OTEL_SPAN_EXPORT_H_
