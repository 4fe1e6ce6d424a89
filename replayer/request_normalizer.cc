#include "replayer/request_normalizer.h"

#include <capnp/compat/json.h>
#include <capnp/message.h>
#include <kj/exception.h>

#include <optional>
#define XXH_STATIC_LINKING_ONLY  // For XXH3_state_t on the stack.
#include <xxhash.h>

namespace baton {
namespace {

constexpr const char* kVolatile = "<volatile>";

bool HasPrefixPath(std::string_view path, std::string_view prefix) {
  if (path.substr(0, prefix.size()) != prefix) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '.' || path[prefix.size()] == '[';
}

// Sets the value at `path` (from element `i` on) to "<volatile>"; '*' matches every
// member or element. Returns whether anything changed.
bool BlankJsonPath(capnp::JsonValue::Builder value, const std::vector<std::string>& path,
                   size_t i) {
  if (i == path.size()) {
    value.setString(kVolatile);
    return true;
  }
  bool changed = false;
  if (value.isObject()) {
    for (auto field : value.getObject())
      if (path[i] == "*" || field.getName() == path[i].c_str())
        changed |= BlankJsonPath(field.getValue(), path, i + 1);
  } else if (value.isArray()) {
    auto items = value.getArray();
    for (unsigned k = 0; k < items.size(); ++k)
      if (path[i] == "*" || path[i] == std::to_string(k))
        changed |= BlankJsonPath(items[k], path, i + 1);
  }
  return changed;
}

}  // namespace

Result<RequestNormalizer> RequestNormalizer::Create(Normalizers normalizers) {
  RequestNormalizer n;
  for (const std::string& p : normalizers.volatile_patterns) {
    try {
      n.patterns_.emplace_back(p, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& e) {
      return Status::InvalidArgument("volatile pattern '" + p + "' does not compile: " + e.what());
    }
  }
  for (const std::string& p : normalizers.json_paths) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
      size_t dot = p.find('.', start);
      parts.push_back(p.substr(start, dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    for (const auto& part : parts)
      if (part.empty()) return Status::InvalidArgument("JSON path '" + p + "' has an empty part");
    n.json_paths_.push_back(std::move(parts));
  }
  n.normalizers_ = std::move(normalizers);
  return n;
}

std::vector<EventField> RequestNormalizer::Normalize(std::vector<EventField> fields) const {
  std::vector<EventField> out;
  out.reserve(fields.size());
  for (EventField& f : fields) {
    bool ignored = false;
    for (const std::string& prefix : normalizers_.ignored_fields)
      ignored |= HasPrefixPath(f.path, prefix);
    if (ignored) continue;
    if (!json_paths_.empty() && !f.value.empty() && (f.value[0] == '{' || f.value[0] == '[')) {
      capnp::MallocMessageBuilder message;
      auto root = message.initRoot<capnp::JsonValue>();
      capnp::JsonCodec codec;
      // Not JSON after all: the value is compared as it is.
      auto error = kj::runCatchingExceptions(
          [&] { codec.decodeRaw(kj::ArrayPtr<const char>(f.value.data(), f.value.size()), root); });
      if (error == nullptr) {
        bool changed = false;
        for (const auto& path : json_paths_) changed |= BlankJsonPath(root, path, 0);
        if (changed) f.value = codec.encodeRaw(root.asReader()).cStr();
      }
    }
    for (const std::regex& re : patterns_) f.value = std::regex_replace(f.value, re, kVolatile);
    out.push_back(std::move(f));
  }
  return out;
}

uint64_t RequestNormalizer::Hash(const std::vector<EventField>& normalized) {
  return HashFields(normalized);
}

bool RequestNormalizer::trivial() const { return patterns_.empty() && json_paths_.empty(); }

namespace {

uint64_t H(const std::string& s) { return XXH3_64bits(s.data(), s.size()); }

// A model request hashed field by field without the generic flattener: the hot path of a
// replay, where every call resends its conversation. Usable when every ignored field is a
// whole part of the request (or outside it).
class ModelRequestHasher {
 public:
  explicit ModelRequestHasher(const std::vector<std::string>& ignored) {
    for (const std::string& f : ignored) {
      if (f == "request" || f == "request.model") model_ = false;
      if (f == "request" || f == "request.parameters") parameters_ = false;
      if (f == "request" || f == "request.messages") messages_ = false;
      if (f == "request" || f == "request.tools") tools_ = false;
      if (f == "request" || f == "request.headers") headers_ = false;
      if (f == "request" || f == "request.stream") stream_ = false;
      bool whole = f == "request" || f == "request.model" || f == "request.parameters" ||
                   f == "request.messages" || f == "request.tools" || f == "request.headers" ||
                   f == "request.stream";
      if (!whole && f.rfind("request", 0) == 0) usable_ = false;
    }
  }
  bool usable() const { return usable_; }

  // Field by field, stopping at the first difference: cheaper than hashing both sides.
  bool Equal(const ModelRequest& a, const ModelRequest& b,
             const std::function<bool(const Content&, const Content&)>& same) const {
    if (model_ && a.model != b.model) return false;
    if (parameters_ && a.parameters != b.parameters) return false;
    if (headers_ && a.headers != b.headers) return false;
    if (stream_ && a.stream != b.stream) return false;
    if (tools_) {
      if (a.tools.size() != b.tools.size()) return false;
      for (size_t i = 0; i < a.tools.size(); ++i)
        if (a.tools[i].name != b.tools[i].name ||
            a.tools[i].description != b.tools[i].description ||
            !same(a.tools[i].parameters_json, b.tools[i].parameters_json))
          return false;
    }
    if (messages_) {
      if (a.messages.size() != b.messages.size()) return false;
      for (size_t i = 0; i < a.messages.size(); ++i) {
        const ChatMessage& x = a.messages[i];
        const ChatMessage& y = b.messages[i];
        if (x.role != y.role || x.name != y.name || x.tool_call_id != y.tool_call_id ||
            !same(x.content, y.content))
          return false;
      }
    }
    return true;
  }

  uint64_t Hash(const ModelRequest& r, const std::function<uint64_t(const Content&)>& content) {
    XXH3_state_t state;  // On the stack: this runs for every served call.
    XXH3_64bits_reset(&state);
    auto add = [&](std::initializer_list<uint64_t> values) {
      XXH3_64bits_update(&state, values.begin(), values.size() * sizeof(uint64_t));
    };
    if (model_) add({1, H(r.model)});
    if (parameters_)
      for (const KeyValue& kv : r.parameters) add({2, H(kv.key), H(kv.value)});
    if (messages_)
      for (const ChatMessage& m : r.messages)
        add({3, H(m.role), content(m.content), H(m.name), H(m.tool_call_id)});
    if (tools_)
      for (const ToolSpec& t : r.tools)
        add({4, H(t.name), H(t.description), content(t.parameters_json)});
    if (headers_)
      for (const KeyValue& kv : r.headers) add({5, H(kv.key), H(kv.value)});
    if (stream_) add({6, r.stream ? 1u : 0u});
    return XXH3_64bits_digest(&state);
  }

 private:
  bool usable_ = true;
  bool model_ = true, parameters_ = true, messages_ = true, tools_ = true, headers_ = true,
       stream_ = true;
};

}  // namespace

std::optional<bool> RequestNormalizer::SameModelRequest(
    const ModelRequest& recorded, const ModelRequest& live,
    const std::function<bool(const Content&, const Content&)>& same_content) const {
  if (!trivial()) return std::nullopt;
  ModelRequestHasher fields(normalizers_.ignored_fields);
  if (!fields.usable()) return std::nullopt;
  return fields.Equal(recorded, live, same_content);
}

uint64_t RequestNormalizer::HashRequest(
    const Event& event, const std::function<uint64_t(const Content&)>& content_hash) const {
  BATON_CHECK(trivial());
  if (const ModelCall* call = event.As<ModelCall>()) {
    ModelRequestHasher fast(normalizers_.ignored_fields);
    if (fast.usable()) return fast.Hash(call->request, content_hash);
  }
  const std::vector<std::string> prefixes = RequestPrefixes(event.kind());
  std::function<bool(std::string_view)> keep = [&](std::string_view path) {
    bool requested = prefixes.empty();
    for (const std::string& prefix : prefixes) requested |= HasPrefixPath(path, prefix);
    if (!requested) return false;
    for (const std::string& ignored : normalizers_.ignored_fields)
      if (HasPrefixPath(path, ignored)) return false;
    return true;
  };
  return HashEventFields(event, keep, content_hash);
}

std::vector<std::string> RequestPrefixes(EventKind kind) {
  switch (kind) {
    case EventKind::kModelCall:
      return {"request"};
    case EventKind::kToolCall:
      return {"tool", "arguments"};
    case EventKind::kClockRead:
      return {"clock"};
    case EventKind::kRandomDraw:
      return {"stream"};
    case EventKind::kEnvRead:
      return {"name"};
    case EventKind::kContextRead:
      return {"key"};
    case EventKind::kMessageDelivery:
      return {"message_id"};
    default:
      return {};
  }
}

std::vector<EventField> RequestFields(const Event& event) {
  std::vector<EventField> all = FlattenEvent(event, EventHeaderFields::kBodyOnly);
  std::vector<std::string> keep = RequestPrefixes(event.kind());
  if (keep.empty()) return all;
  std::vector<EventField> out;
  for (EventField& f : all)
    for (const std::string& k : keep)
      if (HasPrefixPath(f.path, k)) {
        out.push_back(std::move(f));
        break;
      }
  return out;
}

}  // namespace baton
