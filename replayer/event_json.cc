#include "replayer/event_json.h"

#include <xxhash.h>

#include <cstdio>
#include <functional>

#include "recorder/status.h"

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

// Turns the writer's calls into "path = value" leaves, handed to Emit:
// request.messages[1].content. Emit(path, value) and, when present, EmitContent(path,
// content) receive them.
template <typename Emitter>
class FieldFlattener {
 public:
  explicit FieldFlattener(Emitter& emit) : emit_(emit) {}

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
  FieldFlattener& String(std::string_view v) { return Value(v); }
  FieldFlattener& Int(int64_t v) { return Value(std::to_string(v)); }
  FieldFlattener& Uint(uint64_t v) { return Value(std::to_string(v)); }
  FieldFlattener& Double(double v) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.17g", v);
    return Value(buf);
  }
  FieldFlattener& Bool(bool v) { return Value(v ? "true" : "false"); }
  void ContentField(const Content& c) { ContentLeaf(c); }

 private:
  // The path is one buffer: entering a level appends ".key" or "[i]", leaving truncates.
  // No string is built per leaf, which matters when hashing long conversations.
  struct Level {
    size_t path_length = 0;  // path_ length before this level's element.
    bool is_array = false;
    size_t next_index = 0;
  };
  void AppendElement() {
    if (levels_.empty()) return;  // The root object itself.
    Level& top = levels_.back();
    if (top.is_array) {
      path_ += '[';
      path_ += std::to_string(top.next_index++);
      path_ += ']';
    } else {
      if (levels_.size() > 1) path_ += '.';
      path_ += key_;
    }
  }
  void Open(bool is_array) {
    size_t before = path_.size();
    AppendElement();
    levels_.push_back({before, is_array, 0});
  }
  FieldFlattener& Close() {
    path_.resize(levels_.back().path_length);
    levels_.pop_back();
    return *this;
  }
  FieldFlattener& Value(std::string_view v) {
    size_t before = path_.size();
    AppendElement();
    emit_.Emit(path_, v);
    path_.resize(before);
    return *this;
  }
  void ContentLeaf(const Content& c) {
    size_t before = path_.size();
    AppendElement();
    emit_.EmitContent(path_, c);
    path_.resize(before);
  }

  Emitter& emit_;
  std::vector<Level> levels_;
  std::string path_;
  std::string key_;
};

// Collects the leaves; content as its text, or {"blob": N} when not loaded.
struct FieldCollector {
  std::vector<EventField>& out;
  void Emit(std::string_view path, std::string_view v) {
    out.push_back({std::string(path), std::string(v)});
  }
  void EmitContent(std::string_view path, const Content& c) {
    out.push_back(
        {std::string(path), c.loaded() ? c.text : "{\"blob\":" + std::to_string(c.blob) + "}"});
  }
};

// Hashes the kept leaves without copying them; content through the caller's hash, so that
// a blob never loaded hashes the same as its text.
struct FieldHasher {
  const std::function<bool(std::string_view)>& keep;
  const std::function<uint64_t(const Content&)>& content_hash;
  XXH3_state_t* state;
  void Add(std::string_view path, uint64_t value_hash) {
    uint64_t len = path.size();
    XXH3_64bits_update(state, &len, sizeof(len));
    XXH3_64bits_update(state, path.data(), path.size());
    XXH3_64bits_update(state, &value_hash, sizeof(value_hash));
  }
  void Emit(std::string_view path, std::string_view v) {
    if (keep(path)) Add(path, XXH3_64bits(v.data(), v.size()));
  }
  void EmitContent(std::string_view path, const Content& c) {
    if (keep(path)) Add(path, content_hash(c));
  }
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
  FieldCollector collector{fields};
  FieldFlattener<FieldCollector> flattener(collector);
  WriteEvent(event, header_fields, flattener);
  return fields;
}

uint64_t HashFields(const std::vector<EventField>& fields) {
  XXH3_state_t* state = XXH3_createState();
  BATON_CHECK(state != nullptr);
  XXH3_64bits_reset(state);
  std::function<bool(std::string_view)> all = [](std::string_view) { return true; };
  std::function<uint64_t(const Content&)> unused;
  FieldHasher hasher{all, unused, state};
  for (const EventField& f : fields)
    hasher.Add(f.path, XXH3_64bits(f.value.data(), f.value.size()));
  uint64_t h = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  return h;
}

uint64_t HashEventFields(const Event& event, const std::function<bool(std::string_view)>& keep,
                         const std::function<uint64_t(const Content&)>& content_hash) {
  XXH3_state_t* state = XXH3_createState();
  BATON_CHECK(state != nullptr);
  XXH3_64bits_reset(state);
  FieldHasher hasher{keep, content_hash, state};
  FieldFlattener<FieldHasher> flattener(hasher);
  WriteEvent(event, EventHeaderFields::kBodyOnly, flattener);
  uint64_t h = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  return h;
}

std::string EventToJson(const Event& event) {
  JsonWriter w;
  WriteEventJson(event, w);
  return w.Take();
}

}  // namespace baton
