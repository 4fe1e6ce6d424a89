// EventFieldWriter: the one list of every event body's fields, by name, in order.
//
// It writes a body through a Sink with JsonWriter's methods (Key, String, Int, Uint, Double,
// Bool, Begin/EndObject, Begin/EndArray); a Sink that also has ContentField(const Content&)
// receives each Content whole. Its uses: `baton cat`'s JSON (JsonWriter), flattening into
// "path = value" leaves for diffs, hashing for replay matching (event_json.cc), and
// ForEachContent (event.cc). A body without a Body() overload here does not compile.
#ifndef BATON_RECORDER_EVENT_FIELDS_H_
#define BATON_RECORDER_EVENT_FIELDS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "recorder/event.h"

namespace baton {

// Writes an event's body through Sink, which has JsonWriter's methods: JsonWriter itself
// for `baton cat`, FieldFlattener for diffs. One list of field names serves both.
template <typename Sink>
class EventFieldWriter {
 public:
  explicit EventFieldWriter(Sink& w) : w_(w) {}

  void Str(std::string_view key, const std::string& v) { w_.Key(key).String(v); }
  void U(std::string_view key, uint64_t v) { w_.Key(key).Uint(v); }
  void I(std::string_view key, int64_t v) { w_.Key(key).Int(v); }
  void C(std::string_view key, const Content& c) {
    w_.Key(key);
    ContentValue(c);
  }
  void ContentValue(const Content& c) {
    // A sink that treats content specially (the request hasher) gets it whole.
    if constexpr (requires(Sink & sink) { sink.ContentField(c); }) {
      w_.ContentField(c);
      return;
    }
    if (c.loaded()) {
      w_.String(c.text);
    } else {
      w_.BeginObject().Key("blob").Uint(c.blob).EndObject();
    }
  }
  void KVs(std::string_view key, const std::vector<KeyValue>& kvs) {
    w_.Key(key);
    Value(kvs);
  }
  // The value of one request field, by its type.
  void Value(const std::string& v) { w_.String(v); }
  void Value(bool v) { w_.Bool(v); }
  void Value(const std::vector<KeyValue>& kvs) {
    w_.BeginObject();
    for (const auto& kv : kvs) w_.Key(kv.key).String(kv.value);
    w_.EndObject();
  }
  void Value(const MessageList& messages) {
    w_.BeginArray();
    for (const auto& m : messages) {
      w_.BeginObject();
      Str("role", m.role);
      C("content", m.content);
      if (!m.name.empty()) Str("name", m.name);
      if (!m.tool_call_id.empty()) Str("tool_call_id", m.tool_call_id);
      if (!m.extra.empty()) Str("extra", m.extra);
      w_.EndObject();
    }
    w_.EndArray();
  }
  void Value(const std::vector<ToolSpec>& tools) {
    w_.BeginArray();
    for (const auto& t : tools) {
      w_.BeginObject();
      Str("name", t.name);
      Str("description", t.description);
      C("parameters_json", t.parameters_json);
      w_.EndObject();
    }
    w_.EndArray();
  }

  void Body(const MessageSend& e) {
    Str("message_id", e.message_id);
    Str("to", e.to);
    Str("intent", e.intent);
    C("payload", e.payload);
    w_.Key("context_versions").BeginArray();
    for (const auto& r : e.context_versions)
      w_.BeginObject().Key("key").String(r.key).Key("version").Uint(r.version).EndObject();
    w_.EndArray();
  }
  void Body(const MessageDelivery& e) {
    Str("message_id", e.message_id);
    Str("from", e.from);
  }
  void Body(const MessageInterpretation& e) {
    Str("message_id", e.message_id);
    Str("understood_intent", e.understood_intent);
    C("summary", e.summary);
  }
  void Body(const MessageProcessed& e) { Str("message_id", e.message_id); }
  void Body(const ContextWrite& e) {
    Str("key", e.key);
    U("version", e.version);
    C("value", e.value);
  }
  void Body(const ContextRead& e) {
    Str("key", e.key);
    U("version", e.version);
  }
  void Body(const ModelCall& e) {
    Str("call_id", e.call_id);
    w_.Key("request").BeginObject();
    VisitModelRequestFields([&](std::string_view name, auto member) {
      w_.Key(name);
      Value(e.request.*member);
    });
    w_.EndObject();
    w_.Key("response").BeginObject();
    C("content", e.response.content);
    w_.Key("tool_calls").BeginArray();
    for (const auto& c : e.response.tool_calls) {
      w_.BeginObject();
      Str("id", c.id);
      Str("name", c.name);
      C("arguments_json", c.arguments_json);
      w_.EndObject();
    }
    w_.EndArray();
    Str("finish_reason", e.response.finish_reason);
    w_.Key("usage").BeginObject();
    U("prompt_tokens", e.response.usage.prompt_tokens);
    U("completion_tokens", e.response.usage.completion_tokens);
    U("total_tokens", e.response.usage.total_tokens);
    w_.EndObject();
    w_.Key("chunks").BeginArray();
    for (const auto& c : e.response.chunks)
      w_.BeginObject().Key("offset_ns").Int(c.offset_ns).Key("text").String(c.text).EndObject();
    w_.EndArray();
    w_.EndObject();
    I("latency_ns", e.latency_ns);
    U("attempt", e.attempt);
    Str("error", e.error);
    if (!e.error.empty()) Str("error_code", std::string(CallErrorCodeName(e.error_code)));
    if (!e.http.api.empty()) {
      w_.Key("http").BeginObject();
      Str("api", e.http.api);
      Str("method", e.http.method);
      Str("path", e.http.path);
      U("status", e.http.status);
      KVs("response_headers", e.http.response_headers);
      C("response_body", e.http.response_body);
      w_.Key("stream_cut").Bool(e.http.stream_cut);
      w_.EndObject();
    }
  }
  void Body(const ToolCall& e) {
    Str("call_id", e.call_id);
    Str("tool", e.tool);
    C("arguments", e.arguments);
    C("result", e.result);
    I("latency_ns", e.latency_ns);
    Str("error", e.error);
    if (!e.error.empty()) Str("error_code", std::string(CallErrorCodeName(e.error_code)));
  }
  void Body(const RoutingDecision& e) {
    Str("chosen", e.chosen);
    w_.Key("candidates").BeginArray();
    for (const auto& c : e.candidates) w_.String(c);
    w_.EndArray();
    C("reasoning", e.reasoning);
  }
  void Body(const Score& e) {
    U("target_seq", e.target_seq);
    Str("target_message_id", e.target_message_id);
    w_.Key("value").Double(e.value);
    Str("scorer", e.scorer);
    C("rationale", e.rationale);
  }
  void Body(const Check& e) {
    U("target_seq", e.target_seq);
    Str("target_message_id", e.target_message_id);
    Str("checker", e.checker);
    w_.Key("passed").Bool(e.passed);
    Str("detail", e.detail);
  }
  void Body(const ClockRead& e) {
    Str("clock", e.clock);
    I("value_ns", e.value_ns);
  }
  void Body(const RandomDraw& e) {
    Str("stream", e.stream);
    U("value", e.value);
  }
  void Body(const EnvRead& e) {
    Str("name", e.name);
    Str("value", e.value);
    w_.Key("present").Bool(e.present);
  }
  void Body(const SpanStart& e) {
    Str("span_id", e.span_id);
    Str("parent_span_id", e.parent_span_id);
    Str("name", e.name);
    KVs("attributes", e.attributes);
  }
  void Body(const SpanEnd& e) {
    Str("span_id", e.span_id);
    Str("status", e.status);
    I("reported_duration_ns", e.reported_duration_ns);
  }
  void Body(const Retry& e) {
    Str("call_id", e.call_id);
    U("attempt", e.attempt);
    Str("reason", e.reason);
    I("backoff_ns", e.backoff_ns);
  }
  void Body(const Outcome& e) {
    C("result", e.result);
    w_.Key("verdict").String(VerdictName(e.verdict));
    Str("detail", e.detail);
  }
  void Body(const EventsDropped& e) { U("count", e.count); }

 private:
  Sink& w_;
};

}  // namespace baton

#endif  // BATON_RECORDER_EVENT_FIELDS_H_
