#include "replayer/event_json.h"

#define XXH_STATIC_LINKING_ONLY  // For XXH3_state_t on the stack.
#include <xxhash.h>

#include <cstdio>
#include <functional>
#include <ostream>

#include "base/status.h"
#include "recorder/event_fields.h"

namespace baton {
namespace {

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
  EventFieldWriter<Sink> w(out);
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
  XXH3_state_t state;  // On the stack: nothing to free, nothing to leak.
  XXH3_64bits_reset(&state);
  std::function<bool(std::string_view)> all = [](std::string_view) { return true; };
  std::function<uint64_t(const Content&)> unused;
  FieldHasher hasher{all, unused, &state};
  for (const EventField& f : fields)
    hasher.Add(f.path, XXH3_64bits(f.value.data(), f.value.size()));
  return XXH3_64bits_digest(&state);
}

uint64_t HashEventFields(const Event& event, const std::function<bool(std::string_view)>& keep,
                         const std::function<uint64_t(const Content&)>& content_hash) {
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  FieldHasher hasher{keep, content_hash, &state};
  FieldFlattener<FieldHasher> flattener(hasher);
  WriteEvent(event, EventHeaderFields::kBodyOnly, flattener);
  return XXH3_64bits_digest(&state);
}

std::string EventToJson(const Event& event) {
  JsonWriter w;
  WriteEventJson(event, w);
  return w.Take();
}

void PrintTo(const Event& event, std::ostream* os) { *os << EventToJson(event); }

}  // namespace baton
