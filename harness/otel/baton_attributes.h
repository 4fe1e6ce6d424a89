// The `baton.` span attributes and span events: what the GenAI conventions cannot say.
//
// One list for the importer and the exporter; docs/otel-attributes.md is the user's page for
// it (with examples in Python and TypeScript). A program emits these with nothing but the
// OpenTelemetry API: `span.addEvent("baton.context.read", {"baton.context.key": "plan",
// "baton.context.version": 3})`. Each event belongs to the agent of the span it is on (the
// nearest invoke_agent span, or `baton.agent` on the span or on the event itself).
#ifndef BATON_HARNESS_OTEL_BATON_ATTRIBUTES_H_
#define BATON_HARNESS_OTEL_BATON_ATTRIBUTES_H_

#include <string_view>

namespace baton::otel::attr {

// Who: on a span (it and its descendants) or on one event.
inline constexpr std::string_view kAgent = "baton.agent";

// Span events.
inline constexpr std::string_view kContextReadEvent = "baton.context.read";
inline constexpr std::string_view kContextWriteEvent = "baton.context.write";
inline constexpr std::string_view kMessageSendEvent = "baton.message.send";
inline constexpr std::string_view kMessageDeliverEvent = "baton.message.deliver";
inline constexpr std::string_view kMessageInterpretEvent = "baton.message.interpret";
inline constexpr std::string_view kMessageProcessedEvent = "baton.message.processed";
inline constexpr std::string_view kScoreEvent = "baton.score";
inline constexpr std::string_view kCheckEvent = "baton.check";
inline constexpr std::string_view kRoutingEvent = "baton.routing";
inline constexpr std::string_view kRetryEvent = "baton.retry";
inline constexpr std::string_view kOutcomeEvent = "baton.outcome";
// A `baton why` finding attached by `baton export otlp --with-findings` (not imported).
inline constexpr std::string_view kFindingEvent = "baton.finding";

// Their attributes.
inline constexpr std::string_view kContextKey = "baton.context.key";
inline constexpr std::string_view kContextVersion = "baton.context.version";  // int
inline constexpr std::string_view kContextValue = "baton.context.value";
// The messages a send was built on: ["key@version", ...].
inline constexpr std::string_view kMessageContext = "baton.message.context";
inline constexpr std::string_view kMessageId = "baton.message.id";
inline constexpr std::string_view kMessageTo = "baton.message.to";
inline constexpr std::string_view kMessageFrom = "baton.message.from";
inline constexpr std::string_view kMessageIntent = "baton.message.intent";
inline constexpr std::string_view kMessagePayload = "baton.message.payload";
inline constexpr std::string_view kMessageUnderstoodIntent = "baton.message.understood_intent";
inline constexpr std::string_view kMessageSummary = "baton.message.summary";
inline constexpr std::string_view kScoreValue = "baton.score.value";  // double in [0, 1]
inline constexpr std::string_view kScoreScorer = "baton.score.scorer";
inline constexpr std::string_view kScoreRationale = "baton.score.rationale";
inline constexpr std::string_view kCheckChecker = "baton.check.checker";
inline constexpr std::string_view kCheckPassed = "baton.check.passed";  // bool
inline constexpr std::string_view kCheckDetail = "baton.check.detail";
inline constexpr std::string_view kRoutingChosen = "baton.routing.chosen";
inline constexpr std::string_view kRoutingCandidates = "baton.routing.candidates";  // string[]
inline constexpr std::string_view kRoutingReasoning = "baton.routing.reasoning";
inline constexpr std::string_view kRetryCallId = "baton.retry.call_id";
inline constexpr std::string_view kRetryAttempt = "baton.retry.attempt";  // int
inline constexpr std::string_view kRetryReason = "baton.retry.reason";
inline constexpr std::string_view kRetryBackoffNs = "baton.retry.backoff_ns";  // int
inline constexpr std::string_view kOutcomeVerdict = "baton.outcome.verdict";   // success|failure
inline constexpr std::string_view kOutcomeResult = "baton.outcome.result";
inline constexpr std::string_view kOutcomeDetail = "baton.outcome.detail";
inline constexpr std::string_view kFindingKind = "baton.finding.kind";
inline constexpr std::string_view kFindingMessage = "baton.finding.message";

// On model spans: the call's id and attempt, so retries keep their identity.
inline constexpr std::string_view kCallId = "baton.call.id";
inline constexpr std::string_view kCallAttempt = "baton.call.attempt";  // int
// On a span exported from a baton span_start/span_end (a span the session was recorded or
// imported with): true. What it was (a model call, a tool, an agent's turn) is exported as the
// spans of those events, so an importer reads it as structure only, not as a second call.
inline constexpr std::string_view kSpanFromSession = "baton.span.from_session";  // bool
// On a span exported from a baton span_start/span_end: the duration the span itself reported,
// when it differs from end - start (a span that hides its retries).
inline constexpr std::string_view kSpanReportedDurationNs = "baton.span.reported_duration_ns";
// On model spans: the request's parameters exactly as recorded, a JSON object of strings.
inline constexpr std::string_view kRequestParameters = "baton.request.parameters";
// The order of events that share a timestamp, set by the exporter: a tie-breaker only.
inline constexpr std::string_view kSeq = "baton.seq";  // int
// On the exporter's root span: the session it came from.
inline constexpr std::string_view kSessionId = "baton.session.id";

}  // namespace baton::otel::attr

#endif  // BATON_HARNESS_OTEL_BATON_ATTRIBUTES_H_
