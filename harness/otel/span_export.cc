#include "harness/otel/span_export.h"

#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>

#include "base/json_writer.h"
#include "harness/otel/baton_attributes.h"
#include "harness/portable_tool_calls.h"

namespace baton::otel {
namespace {

std::string SpanIdOf(uint64_t n) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(n));
  return buf;
}

void Set(Attributes& attrs, std::string_view key, AttributeValue value) {
  attrs.push_back({std::string(key), std::move(value)});
}
void SetString(Attributes& attrs, std::string_view key, std::string value) {
  Set(attrs, key, AttributeValue::String(std::move(value)));
}

// A tool call as a part of a GenAI message.
void WriteToolCallPart(JsonWriter& w, const ToolCallRequest& tc) {
  w.BeginObject()
      .Key("type")
      .String("tool_call")
      .Key("id")
      .String(tc.id)
      .Key("name")
      .String(tc.name)
      .Key("arguments")
      .String(tc.arguments_json.text)
      .EndObject();
}

// A message's tool calls as OpenInference flattens them, under `prefix` ("llm.input_messages.
// 2.message.").
void SetToolCallAttributes(Attributes& a, const std::string& prefix,
                           const std::vector<ToolCallRequest>& calls) {
  for (size_t i = 0; i < calls.size(); ++i) {
    std::string p = prefix + "tool_calls." + std::to_string(i) + ".tool_call.";
    SetString(a, p + "id", calls[i].id);
    SetString(a, p + "function.name", calls[i].name);
    SetString(a, p + "function.arguments", calls[i].arguments_json.text);
  }
}

bool IsJson(simdjson::dom::parser& parser, const std::string& text) {
  simdjson::dom::element doc;
  return !text.empty() && parser.parse(text.data(), text.size()).get(doc) == simdjson::SUCCESS;
}

// The GenAI parameter attribute of a request parameter, with its type.
struct KnownParameter {
  std::string_view name;
  std::string_view attribute;
  bool integer;
};
constexpr KnownParameter kKnownParameters[] = {
    {"temperature", "gen_ai.request.temperature", false},
    {"top_p", "gen_ai.request.top_p", false},
    {"top_k", "gen_ai.request.top_k", false},
    {"max_tokens", "gen_ai.request.max_tokens", true},
    {"max_completion_tokens", "gen_ai.request.max_tokens", true},
    {"max_output_tokens", "gen_ai.request.max_tokens", true},
    {"frequency_penalty", "gen_ai.request.frequency_penalty", false},
    {"presence_penalty", "gen_ai.request.presence_penalty", false},
    {"seed", "gen_ai.request.seed", true},
    {"n", "gen_ai.request.choice.count", true},
};

class Exporter {
 public:
  Exporter(const Trace& trace, const std::vector<Finding>& findings)
      : trace_(trace), findings_(findings) {
    trace_id_ = BlobId::Of("baton-session:" + trace.header().session_id).ToHex().substr(0, 32);
  }

  Result<std::vector<Span>> Run() {
    const auto& events = trace_.events();
    for (const Event& e : events) {
      Event resolved = e;
      BATON_RETURN_IF_ERROR(trace_.Resolve(resolved));
      Visit(resolved);
    }
    // Spans never ended end with the session.
    for (auto& [id, index] : open_spans_)
      spans_[index].end_ns = std::max(spans_[index].end_ns, last_ns_);
    for (const Finding& f : findings_) AttachFinding(f);
    return std::move(spans_);
  }

 private:
  int64_t TimeOf(const Event& e) const {
    return e.wall_ns != 0 ? e.wall_ns : trace_.header().start_wall_ns + e.mono_ns;
  }

  Span& NewSpan(std::string name, int64_t start, int64_t end, const std::string& parent) {
    Span s;
    s.trace_id = trace_id_;
    s.span_id = SpanIdOf(++span_count_);
    s.parent_span_id = parent;
    s.name = std::move(name);
    s.kind = 1;
    s.start_ns = start;
    s.end_ns = std::max(start, end);
    s.service_name = "baton";
    s.scope_name = "baton";
    index_of_[s.span_id] = spans_.size();
    spans_.push_back(std::move(s));
    return spans_.back();
  }

  // The turn span of e's agent, opening a new one when the agent changed.
  size_t Turn(const Event& e, int64_t start) {
    if (turn_ == SIZE_MAX || turn_agent_ != e.agent) {
      Span& s = NewSpan("invoke_agent " + e.agent, start, start, "");
      SetString(s.attributes, "gen_ai.operation.name", "invoke_agent");
      SetString(s.attributes, "gen_ai.agent.name", e.agent);
      SetString(s.attributes, "gen_ai.conversation.id", trace_.header().session_id);
      SetString(s.attributes, "openinference.span.kind", "AGENT");
      SetString(s.attributes, "agent.name", e.agent);
      SetString(s.attributes, "session.id", trace_.header().session_id);
      Set(s.attributes, attr::kSeq, AttributeValue::Int(static_cast<int64_t>(e.seq)));
      turn_ = spans_.size() - 1;
      turn_agent_ = e.agent;
    }
    Span& s = spans_[turn_];
    s.start_ns = std::min(s.start_ns, start);
    return turn_;
  }

  void Extend(size_t span, int64_t t) {
    spans_[span].end_ns = std::max(spans_[span].end_ns, t);
    last_ns_ = std::max(last_ns_, t);
  }

  // The span new children of e's agent go under: its innermost open span, else its turn.
  std::string ParentFor(const Event& e, size_t turn) const {
    auto it = innermost_.find(e.agent);
    if (it != innermost_.end() && !it->second.empty()) return spans_[it->second.back()].span_id;
    return spans_[turn].span_id;
  }

  void AddEvent(size_t span, const Event& e, std::string_view name, Attributes attrs) {
    Set(attrs, attr::kSeq, AttributeValue::Int(static_cast<int64_t>(e.seq)));
    SpanEvent ev;
    ev.name = std::string(name);
    ev.time_ns = TimeOf(e);
    ev.attributes = std::move(attrs);
    spans_[span].events.push_back(std::move(ev));
    span_of_seq_[e.seq] = span;
  }

  std::string MessageIdOfSeq(uint64_t seq) const {
    const Event* e = trace_.BySeq(seq);
    if (e == nullptr) return "";
    if (auto* s = e->As<MessageSend>()) return s->message_id;
    if (auto* d = e->As<MessageDelivery>()) return d->message_id;
    return "";
  }

  void Visit(const Event& e) {
    const int64_t t = TimeOf(e);
    std::visit([&](const auto& body) { VisitBody(e, t, body); }, e.body);
  }

  void VisitBody(const Event& e, int64_t t, const ModelCall& call) {
    const int64_t start = t - std::max<int64_t>(0, call.latency_ns);
    size_t turn = Turn(e, start);
    Extend(turn, t);
    std::string parent = ParentFor(e, turn);
    Span& s = NewSpan("chat " + call.request.model, start, t, parent);
    Attributes& a = s.attributes;
    SetString(a, "gen_ai.operation.name", "chat");
    if (!call.http.api.empty())
      SetString(a, "gen_ai.provider.name",
                call.http.api.rfind("anthropic", 0) == 0 ? "anthropic" : "openai");
    SetString(a, "gen_ai.request.model", call.request.model);
    SetString(a, attr::kCallId, call.call_id);
    Set(a, attr::kCallAttempt, AttributeValue::Int(call.attempt));
    Set(a, attr::kSeq, AttributeValue::Int(static_cast<int64_t>(e.seq)));
    JsonWriter params;
    params.BeginObject();
    for (const KeyValue& kv : call.request.parameters) {
      params.Key(kv.key).String(kv.value);
      for (const KnownParameter& p : kKnownParameters) {
        if (kv.key != p.name) continue;
        char* end = nullptr;
        if (p.integer) {
          long long v = std::strtoll(kv.value.c_str(), &end, 10);
          if (end != nullptr && *end == '\0' && !kv.value.empty())
            Set(a, p.attribute, AttributeValue::Int(v));
        } else {
          double v = std::strtod(kv.value.c_str(), &end);
          if (end != nullptr && *end == '\0' && !kv.value.empty())
            Set(a, p.attribute, AttributeValue::Double(v));
        }
      }
    }
    params.EndObject();
    if (!call.request.parameters.empty()) SetString(a, attr::kRequestParameters, params.Take());
    if (call.request.stream) Set(a, "gen_ai.request.stream", AttributeValue::Bool(true));

    JsonWriter in;
    in.BeginArray();
    int index = 0;
    for (const ChatMessage& m : call.request.messages) {
      // An assistant message of the history keeps the tool calls it made.
      const std::vector<ToolCallRequest> calls = ToolCallsOfExtra(m.extra, parser_);
      in.BeginObject().Key("role").String(m.role);
      if (!m.name.empty()) in.Key("name").String(m.name);
      in.Key("parts").BeginArray();
      if (!m.tool_call_id.empty()) {
        in.BeginObject().Key("type").String("tool_call_response").Key("id").String(m.tool_call_id);
        in.Key("response").String(m.content.text).EndObject();
      } else if (!m.content.text.empty() || calls.empty()) {
        in.BeginObject().Key("type").String("text").Key("content").String(m.content.text);
        in.EndObject();
      }
      for (const ToolCallRequest& tc : calls) WriteToolCallPart(in, tc);
      in.EndArray().EndObject();
      std::string p = "llm.input_messages." + std::to_string(index++) + ".message.";
      SetString(a, p + "role", m.role);
      SetString(a, p + "content", m.content.text);
      if (!m.name.empty()) SetString(a, p + "name", m.name);
      if (!m.tool_call_id.empty()) SetString(a, p + "tool_call_id", m.tool_call_id);
      SetToolCallAttributes(a, p, calls);
    }
    in.EndArray();
    if (!call.request.messages.empty()) SetString(a, "gen_ai.input.messages", in.Take());
    if (!call.request.tools.empty()) {
      JsonWriter tools;
      tools.BeginArray();
      for (const ToolSpec& t : call.request.tools) {
        tools.BeginObject().Key("type").String("function").Key("name").String(t.name);
        if (!t.description.empty()) tools.Key("description").String(t.description);
        if (IsJson(parser_, t.parameters_json.text)) {
          tools.Key("parameters").Raw(t.parameters_json.text);
        } else if (!t.parameters_json.text.empty()) {
          tools.Key("parameters").String(t.parameters_json.text);
        }
        tools.EndObject();
      }
      tools.EndArray();
      SetString(a, "gen_ai.tool.definitions", tools.Take());
    }
    const ModelResponse& r = call.response;
    if (call.error.empty() || !r.content.text.empty() || !r.tool_calls.empty()) {
      JsonWriter out;
      out.BeginArray().BeginObject().Key("role").String("assistant").Key("parts").BeginArray();
      if (!r.content.text.empty() || r.tool_calls.empty())
        out.BeginObject()
            .Key("type")
            .String("text")
            .Key("content")
            .String(r.content.text)
            .EndObject();
      for (const ToolCallRequest& tc : r.tool_calls) WriteToolCallPart(out, tc);
      out.EndArray();
      if (!r.finish_reason.empty()) out.Key("finish_reason").String(r.finish_reason);
      out.EndObject().EndArray();
      SetString(a, "gen_ai.output.messages", out.Take());
      SetString(a, "llm.output_messages.0.message.role", "assistant");
      SetString(a, "llm.output_messages.0.message.content", r.content.text);
      SetToolCallAttributes(a, "llm.output_messages.0.message.", r.tool_calls);
    }
    if (!r.finish_reason.empty())
      Set(a, "gen_ai.response.finish_reasons", AttributeValue::StringList({r.finish_reason}));
    if (r.usage.prompt_tokens || r.usage.completion_tokens || r.usage.total_tokens) {
      Set(a, "gen_ai.usage.input_tokens",
          AttributeValue::Int(static_cast<int64_t>(r.usage.prompt_tokens)));
      Set(a, "gen_ai.usage.output_tokens",
          AttributeValue::Int(static_cast<int64_t>(r.usage.completion_tokens)));
      Set(a, "llm.token_count.prompt",
          AttributeValue::Int(static_cast<int64_t>(r.usage.prompt_tokens)));
      Set(a, "llm.token_count.completion",
          AttributeValue::Int(static_cast<int64_t>(r.usage.completion_tokens)));
      Set(a, "llm.token_count.total",
          AttributeValue::Int(static_cast<int64_t>(r.usage.total_tokens)));
    }
    SetString(a, "openinference.span.kind", "LLM");
    SetString(a, "llm.model_name", call.request.model);
    if (!call.error.empty()) {
      s.status = StatusCode::kError;
      s.status_message = call.error;
      SetString(a, "error.type", std::string(CallErrorCodeName(call.error_code)));
    }
    span_of_seq_[e.seq] = spans_.size() - 1;
  }

  void VisitBody(const Event& e, int64_t t, const ToolCall& call) {
    const int64_t start = t - std::max<int64_t>(0, call.latency_ns);
    size_t turn = Turn(e, start);
    Extend(turn, t);
    Span& s = NewSpan("execute_tool " + call.tool, start, t, ParentFor(e, turn));
    Attributes& a = s.attributes;
    SetString(a, "gen_ai.operation.name", "execute_tool");
    SetString(a, "gen_ai.tool.name", call.tool);
    SetString(a, "gen_ai.tool.call.id", call.call_id);
    SetString(a, "gen_ai.tool.call.arguments", call.arguments.text);
    SetString(a, "gen_ai.tool.call.result", call.result.text);
    SetString(a, "openinference.span.kind", "TOOL");
    SetString(a, "tool.name", call.tool);
    SetString(a, "input.value", call.arguments.text);
    SetString(a, "output.value", call.result.text);
    Set(a, attr::kSeq, AttributeValue::Int(static_cast<int64_t>(e.seq)));
    if (!call.error.empty()) {
      s.status = StatusCode::kError;
      s.status_message = call.error;
      SetString(a, "error.type", std::string(CallErrorCodeName(call.error_code)));
    }
    span_of_seq_[e.seq] = spans_.size() - 1;
  }

  void VisitBody(const Event& e, int64_t t, const MessageSend& send) {
    size_t turn = Turn(e, t);
    Extend(turn, t);
    // A handoff is a transfer span (what viewers draw), carrying the exact message.
    Span& s = NewSpan("execute_tool transfer_to_" + send.to, t, t, ParentFor(e, turn));
    SetString(s.attributes, "gen_ai.operation.name", "execute_tool");
    SetString(s.attributes, "gen_ai.tool.name", "transfer_to_" + send.to);
    SetString(s.attributes, "gen_ai.tool.call.id", send.message_id);
    SetString(s.attributes, "gen_ai.transfer.target.name", send.to);
    SetString(s.attributes, "openinference.span.kind", "TOOL");
    SetString(s.attributes, "tool.name", "transfer_to_" + send.to);
    Set(s.attributes, attr::kSeq, AttributeValue::Int(static_cast<int64_t>(e.seq)));
    Attributes a;
    SetString(a, attr::kMessageId, send.message_id);
    SetString(a, attr::kMessageTo, send.to);
    SetString(a, attr::kMessageIntent, send.intent);
    SetString(a, attr::kMessagePayload, send.payload.text);
    if (!send.context_versions.empty()) {
      std::vector<std::string> refs;
      for (const ContextRef& r : send.context_versions)
        refs.push_back(r.key + "@" + std::to_string(r.version));
      Set(a, attr::kMessageContext, AttributeValue::StringList(refs));
    }
    AddEvent(spans_.size() - 1, e, attr::kMessageSendEvent, std::move(a));
  }

  void VisitBody(const Event& e, int64_t t, const SpanStart& start) {
    size_t turn = Turn(e, t);
    Extend(turn, t);
    std::string parent;
    if (auto p = original_spans_.find(start.parent_span_id); p != original_spans_.end())
      parent = spans_[p->second].span_id;
    else
      parent = ParentFor(e, turn);
    Span& s = NewSpan(start.name, t, t, parent);
    for (const KeyValue& kv : start.attributes) SetString(s.attributes, kv.key, kv.value);
    Set(s.attributes, attr::kSpanFromSession, AttributeValue::Bool(true));
    SetString(s.attributes, attr::kAgent, e.agent);
    Set(s.attributes, attr::kSeq, AttributeValue::Int(static_cast<int64_t>(e.seq)));
    const size_t index = spans_.size() - 1;
    original_spans_[start.span_id] = index;
    open_spans_[start.span_id] = index;
    innermost_[e.agent].push_back(index);
    span_of_seq_[e.seq] = index;
  }

  void VisitBody(const Event& e, int64_t t, const SpanEnd& end) {
    auto it = open_spans_.find(end.span_id);
    if (it == open_spans_.end()) return;
    const size_t index = it->second;
    open_spans_.erase(it);
    Span& s = spans_[index];
    s.end_ns = std::max(s.start_ns, t);
    if (end.reported_duration_ns != 0 && end.reported_duration_ns != s.end_ns - s.start_ns)
      Set(s.attributes, attr::kSpanReportedDurationNs,
          AttributeValue::Int(end.reported_duration_ns));
    if (end.status.rfind("error", 0) == 0) {
      s.status = StatusCode::kError;
      s.status_message = end.status.size() > 7 ? end.status.substr(7) : end.status;
    } else if (end.status == "ok") {
      s.status = StatusCode::kOk;
    }
    for (auto& [agent, stack] : innermost_) {
      auto pos = std::find(stack.begin(), stack.end(), index);
      if (pos != stack.end()) stack.erase(pos);
    }
    last_ns_ = std::max(last_ns_, t);
    // Enclosing spans last at least as long as their children.
    for (size_t p = index; !spans_[p].parent_span_id.empty();) {
      auto parent = index_of_.find(spans_[p].parent_span_id);
      if (parent == index_of_.end()) break;
      p = parent->second;
      spans_[p].end_ns = std::max(spans_[p].end_ns, t);
    }
    (void)e;
  }

  // Every other kind: a baton.* event on the agent's current span.
  template <typename Body>
  void VisitBody(const Event& e, int64_t t, const Body& body) {
    Attributes a;
    std::string_view name;
    if constexpr (std::is_same_v<Body, MessageDelivery>) {
      name = attr::kMessageDeliverEvent;
      SetString(a, attr::kMessageId, body.message_id);
      SetString(a, attr::kMessageFrom, body.from);
    } else if constexpr (std::is_same_v<Body, MessageInterpretation>) {
      name = attr::kMessageInterpretEvent;
      SetString(a, attr::kMessageId, body.message_id);
      SetString(a, attr::kMessageUnderstoodIntent, body.understood_intent);
      SetString(a, attr::kMessageSummary, body.summary.text);
    } else if constexpr (std::is_same_v<Body, MessageProcessed>) {
      name = attr::kMessageProcessedEvent;
      SetString(a, attr::kMessageId, body.message_id);
    } else if constexpr (std::is_same_v<Body, ContextWrite>) {
      name = attr::kContextWriteEvent;
      SetString(a, attr::kContextKey, body.key);
      Set(a, attr::kContextVersion, AttributeValue::Int(static_cast<int64_t>(body.version)));
      SetString(a, attr::kContextValue, body.value.text);
    } else if constexpr (std::is_same_v<Body, ContextRead>) {
      name = attr::kContextReadEvent;
      SetString(a, attr::kContextKey, body.key);
      Set(a, attr::kContextVersion, AttributeValue::Int(static_cast<int64_t>(body.version)));
    } else if constexpr (std::is_same_v<Body, RoutingDecision>) {
      name = attr::kRoutingEvent;
      SetString(a, attr::kRoutingChosen, body.chosen);
      Set(a, attr::kRoutingCandidates, AttributeValue::StringList(body.candidates));
      SetString(a, attr::kRoutingReasoning, body.reasoning.text);
    } else if constexpr (std::is_same_v<Body, Score>) {
      name = attr::kScoreEvent;
      SetString(a, attr::kMessageId,
                body.target_message_id.empty() ? MessageIdOfSeq(body.target_seq)
                                               : body.target_message_id);
      Set(a, attr::kScoreValue, AttributeValue::Double(body.value));
      SetString(a, attr::kScoreScorer, body.scorer);
      SetString(a, attr::kScoreRationale, body.rationale.text);
    } else if constexpr (std::is_same_v<Body, Check>) {
      name = attr::kCheckEvent;
      SetString(a, attr::kMessageId,
                body.target_message_id.empty() ? MessageIdOfSeq(body.target_seq)
                                               : body.target_message_id);
      SetString(a, attr::kCheckChecker, body.checker);
      Set(a, attr::kCheckPassed, AttributeValue::Bool(body.passed));
      SetString(a, attr::kCheckDetail, body.detail);
    } else if constexpr (std::is_same_v<Body, Retry>) {
      name = attr::kRetryEvent;
      SetString(a, attr::kRetryCallId, body.call_id);
      Set(a, attr::kRetryAttempt, AttributeValue::Int(body.attempt));
      SetString(a, attr::kRetryReason, body.reason);
      Set(a, attr::kRetryBackoffNs, AttributeValue::Int(body.backoff_ns));
    } else if constexpr (std::is_same_v<Body, Outcome>) {
      name = attr::kOutcomeEvent;
      SetString(a, attr::kOutcomeVerdict, std::string(VerdictName(body.verdict)));
      SetString(a, attr::kOutcomeResult, body.result.text);
      SetString(a, attr::kOutcomeDetail, body.detail);
    } else {
      // Clock, random and environment reads, dropped-event notes: not carried by OTel.
      return;
    }
    size_t turn = Turn(e, t);
    Extend(turn, t);
    auto inner = innermost_.find(e.agent);
    size_t span = inner != innermost_.end() && !inner->second.empty() ? inner->second.back() : turn;
    AddEvent(span, e, name, std::move(a));
  }

  void AttachFinding(const Finding& f) {
    auto it = span_of_seq_.find(f.at_seq);
    if (it == span_of_seq_.end()) return;
    const Event* at = trace_.BySeq(f.at_seq);
    SpanEvent ev;
    ev.name = std::string(attr::kFindingEvent);
    ev.time_ns = at != nullptr ? TimeOf(*at) : spans_[it->second].start_ns;
    SetString(ev.attributes, attr::kFindingKind, std::string(FindingKindName(f.kind)));
    SetString(ev.attributes, attr::kFindingMessage, f.sentence);
    SetString(ev.attributes, "baton.finding.from", f.from);
    SetString(ev.attributes, "baton.finding.to", f.to);
    spans_[it->second].events.push_back(std::move(ev));
  }

  const Trace& trace_;
  const std::vector<Finding>& findings_;
  std::string trace_id_;
  std::vector<Span> spans_;
  uint64_t span_count_ = 0;
  size_t turn_ = SIZE_MAX;
  std::string turn_agent_;
  int64_t last_ns_ = 0;
  std::unordered_map<std::string, size_t> original_spans_;  // Session span id -> index.
  std::map<std::string, size_t> open_spans_;
  std::unordered_map<std::string, std::vector<size_t>> innermost_;  // Agent -> open spans.
  std::unordered_map<uint64_t, size_t> span_of_seq_;
  std::unordered_map<std::string, size_t> index_of_;  // Exported span id -> index.
  simdjson::dom::parser parser_;
};

}  // namespace

Result<std::vector<Span>> SpansFromTrace(const Trace& trace, const std::vector<Finding>& findings) {
  return Exporter(trace, findings).Run();
}

}  // namespace baton::otel
