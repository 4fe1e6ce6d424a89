#include "replayer/event_json.h"

#include <cstdio>

namespace baton {
namespace {

// Writes an event's body through Sink, which has JsonWriter's methods: JsonWriter itself
// for `baton cat`, FieldFlattener for diffs. One list of field names serves both.
template <typename Sink>
class Writer {
 public:
  explicit Writer(Sink& w) : w_(w) {}

  void Str(std::string_view key, const std::string& v) { w_.Key(key).String(v); }
  void U(std::string_view key, uint64_t v) { w_.Key(key).Uint(v); }
  void I(std::string_view key, int64_t v) { w_.Key(key).Int(v); }
  void C(std::string_view key, const Content& c) {
    w_.Key(key);
    ContentValue(c);
  }
  void ContentValue(const Content& c) {
    if (c.loaded()) {
      w_.String(c.text);
    } else {
      w_.BeginObject().Key("blob").Uint(c.blob).EndObject();
    }
  }
  void KVs(std::string_view key, const std::vector<KeyValue>& kvs) {
    w_.Key(key).BeginObject();
    for (const auto& kv : kvs) w_.Key(kv.key).String(kv.value);
    w_.EndObject();
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
    Str("model", e.request.model);
    KVs("parameters", e.request.parameters);
    w_.Key("messages").BeginArray();
    for (const auto& m : e.request.messages) {
      w_.BeginObject();
      Str("role", m.role);
      C("content", m.content);
      if (!m.name.empty()) Str("name", m.name);
      if (!m.tool_call_id.empty()) Str("tool_call_id", m.tool_call_id);
      w_.EndObject();
    }
    w_.EndArray();
    w_.Key("tools").BeginArray();
    for (const auto& t : e.request.tools) {
      w_.BeginObject();
      Str("name", t.name);
      Str("description", t.description);
      C("parameters_json", t.parameters_json);
      w_.EndObject();
    }
    w_.EndArray();
    KVs("headers", e.request.headers);
    w_.Key("stream").Bool(e.request.stream);
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
  }
  void Body(const ToolCall& e) {
    Str("call_id", e.call_id);
    Str("tool", e.tool);
    C("arguments", e.arguments);
    C("result", e.result);
    I("latency_ns", e.latency_ns);
    Str("error", e.error);
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
    static constexpr const char* kVerdicts[] = {"unknown", "success", "failure"};
    w_.Key("verdict").String(kVerdicts[static_cast<size_t>(e.verdict)]);
    Str("detail", e.detail);
  }
  void Body(const EventsDropped& e) { U("count", e.count); }

 private:
  Sink& w_;
};

// Turns the writer's calls into "path = value" fields: request.messages[1].content.
class FieldFlattener {
 public:
  explicit FieldFlattener(std::vector<EventField>& out) : out_(out) {}

  FieldFlattener& BeginObject() {
    Open(/*is_array=*/false);
    return *this;
  }
  FieldFlattener& BeginArray() {
    Open(/*is_array=*/true);
    return *this;
  }
  FieldFlattener& EndObject() { return Close(); }
  FieldFlattener& EndArray() { return Close(); }
  FieldFlattener& Key(std::string_view key) {
    key_.assign(key);
    return *this;
  }
  FieldFlattener& String(std::string_view v) { return Value(std::string(v)); }
  FieldFlattener& Int(int64_t v) { return Value(std::to_string(v)); }
  FieldFlattener& Uint(uint64_t v) { return Value(std::to_string(v)); }
  FieldFlattener& Double(double v) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.17g", v);
    return Value(buf);
  }
  FieldFlattener& Bool(bool v) { return Value(v ? "true" : "false"); }

 private:
  struct Level {
    std::string path;
    bool is_array = false;
    size_t next_index = 0;
  };
  std::string NextPath() {
    if (stack_.empty()) return key_;
    Level& top = stack_.back();
    std::string element = top.is_array ? "[" + std::to_string(top.next_index++) + "]"
                                       : (top.path.empty() ? "" : ".") + key_;
    return top.path + element;
  }
  void Open(bool is_array) {
    // The event's own object is the root: its fields have no prefix.
    std::string path = stack_.empty() ? "" : NextPath();
    stack_.push_back({std::move(path), is_array, 0});
  }
  FieldFlattener& Close() {
    stack_.pop_back();
    return *this;
  }
  FieldFlattener& Value(std::string v) {
    out_.push_back({NextPath(), std::move(v)});
    return *this;
  }

  std::vector<EventField>& out_;
  std::vector<Level> stack_;
  std::string key_;
};

template <typename Sink>
void WriteEvent(const Event& event, EventHeaderFields header_fields, Sink& out) {
  Writer<Sink> w(out);
  out.BeginObject();
  if (header_fields == EventHeaderFields::kAll) {
    out.Key("seq").Uint(event.seq);
    out.Key("kind").String(KindName(event.kind()));
    out.Key("agent").String(event.agent);
    out.Key("cause").Uint(event.cause);
    out.Key("mono_ns").Int(event.mono_ns);
    out.Key("wall_ns").Int(event.wall_ns);
  }
  std::visit([&](const auto& body) { w.Body(body); }, event.body);
  out.EndObject();
}

}  // namespace

void WriteEventJson(const Event& event, JsonWriter& out) {
  WriteEvent(event, EventHeaderFields::kAll, out);
}

std::vector<EventField> FlattenEvent(const Event& event, EventHeaderFields header_fields) {
  std::vector<EventField> fields;
  FieldFlattener flattener(fields);
  WriteEvent(event, header_fields, flattener);
  return fields;
}

std::string EventToJson(const Event& event) {
  JsonWriter w;
  WriteEventJson(event, w);
  return w.Take();
}

}  // namespace baton
