#include "replayer/request_normalizer.h"

#include <algorithm>
#include <array>
#include <optional>
#include <type_traits>
#include <utility>

#include "base/json_parse.h"
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
      // Not JSON after all: the value is compared as it is.
      if (auto doc = JsonDocument::Parse(f.value, f.path); doc.ok()) {
        bool changed = false;
        for (const auto& path : json_paths_) changed |= BlankJsonPath(doc->mutable_root(), path, 0);
        if (changed) f.value = JsonText(doc->root());
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

// A model request hashed and compared field by field without the generic flattener: the hot
// path of a replay, where every call resends its conversation. Driven by the same field list
// as JSON output and diffs (VisitModelRequestFields), so no request field can be missed.
// Usable when every ignored field is a whole field of the request (or outside it).
class ModelRequestHasher {
 public:
  explicit ModelRequestHasher(const std::vector<std::string>& ignored) {
    enabled_.fill(true);
    for (const std::string& f : ignored) {
      if (f.rfind("request", 0) != 0) continue;  // Outside the request.
      bool handled = f == "request";
      size_t i = 0;
      VisitModelRequestFields([&](std::string_view name, auto member) {
        bool names_field =
            f.size() >= 8 + name.size() && f[7] == '.' && f.compare(8, name.size(), name) == 0;
        if (f == "request" || (names_field && f.size() == 8 + name.size())) {
          enabled_[i] = false;
          handled = true;
        } else if (names_field && f[8 + name.size()] == '.') {
          // One key of a key-value field ("request.parameters.stream", as the proxy ignores
          // transport-only parameters): skipped by key, the field still compared.
          using Field = std::decay_t<decltype(std::declval<ModelRequest>().*member)>;
          if constexpr (std::is_same_v<Field, std::vector<KeyValue>>) {
            ignored_keys_[i].push_back(f.substr(9 + name.size()));
            handled = true;
          }
        }
        ++i;
      });
      if (!handled) usable_ = false;
    }
  }
  bool usable() const { return usable_; }

  // Field by field, stopping at the first difference: cheaper than hashing both sides.
  bool Equal(const ModelRequest& a, const ModelRequest& b,
             const std::function<bool(const Content&, const Content&)>& same,
             size_t known_equal_messages) const {
    bool equal = true;
    size_t i = 0;
    VisitModelRequestFields([&](std::string_view, auto member) {
      if (equal && enabled_[i]) {
        using Field = std::decay_t<decltype(a.*member)>;
        if constexpr (std::is_same_v<Field, std::vector<KeyValue>>) {
          equal = ignored_keys_[i].empty() ? a.*member == b.*member
                                           : Kept(a.*member, i) == Kept(b.*member, i);
        } else if constexpr (std::is_same_v<Field, MessageList>) {
          equal = FieldEqual(a.*member, b.*member, same, known_equal_messages);
        } else {
          equal = FieldEqual(a.*member, b.*member, same);
        }
      }
      ++i;
    });
    return equal;
  }

  uint64_t Hash(const ModelRequest& r, const std::function<uint64_t(const Content&)>& content) {
    XXH3_state_t state;  // On the stack: this runs for every served call.
    XXH3_64bits_reset(&state);
    size_t i = 0;
    VisitModelRequestFields([&](std::string_view, auto member) {
      if (enabled_[i]) {
        uint64_t tag = i + 1;
        XXH3_64bits_update(&state, &tag, sizeof tag);
        using Field = std::decay_t<decltype(r.*member)>;
        if constexpr (std::is_same_v<Field, std::vector<KeyValue>>) {
          if (ignored_keys_[i].empty())
            HashField(state, r.*member, content);
          else
            HashField(state, Kept(r.*member, i), content);
        } else {
          HashField(state, r.*member, content);
        }
      }
      ++i;
    });
    return XXH3_64bits_digest(&state);
  }

 private:
  using SameContent = std::function<bool(const Content&, const Content&)>;
  using ContentHash = std::function<uint64_t(const Content&)>;

  // The entries of key-value field i whose keys are not ignored.
  std::vector<KeyValue> Kept(const std::vector<KeyValue>& kvs, size_t i) const {
    std::vector<KeyValue> kept;
    for (const KeyValue& kv : kvs)
      if (std::find(ignored_keys_[i].begin(), ignored_keys_[i].end(), kv.key) ==
          ignored_keys_[i].end())
        kept.push_back(kv);
    return kept;
  }

  static bool FieldEqual(const std::string& a, const std::string& b, const SameContent&) {
    return a == b;
  }
  static bool FieldEqual(bool a, bool b, const SameContent&) { return a == b; }
  static bool FieldEqual(const std::vector<KeyValue>& a, const std::vector<KeyValue>& b,
                         const SameContent&) {
    return a == b;
  }
  static bool FieldEqual(const MessageList& a, const MessageList& b, const SameContent& same,
                         size_t known_equal) {
    if (a.size() != b.size()) return false;
    for (size_t i = known_equal; i < a.size(); ++i)
      if (a[i].role != b[i].role || a[i].name != b[i].name ||
          a[i].tool_call_id != b[i].tool_call_id || a[i].extra != b[i].extra ||
          !same(a[i].content, b[i].content))
        return false;
    return true;
  }
  static bool FieldEqual(const std::vector<ToolSpec>& a, const std::vector<ToolSpec>& b,
                         const SameContent& same) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (a[i].name != b[i].name || a[i].description != b[i].description ||
          !same(a[i].parameters_json, b[i].parameters_json))
        return false;
    return true;
  }

  static void Add(XXH3_state_t& state, std::initializer_list<uint64_t> values) {
    XXH3_64bits_update(&state, values.begin(), values.size() * sizeof(uint64_t));
  }
  static void HashField(XXH3_state_t& state, const std::string& v, const ContentHash&) {
    Add(state, {H(v)});
  }
  static void HashField(XXH3_state_t& state, bool v, const ContentHash&) {
    Add(state, {v ? 1u : 0u});
  }
  static void HashField(XXH3_state_t& state, const std::vector<KeyValue>& kvs, const ContentHash&) {
    for (const KeyValue& kv : kvs) Add(state, {H(kv.key), H(kv.value)});
  }
  static void HashField(XXH3_state_t& state, const MessageList& messages,
                        const ContentHash& content) {
    for (const ChatMessage& m : messages)
      Add(state, {H(m.role), content(m.content), H(m.name), H(m.tool_call_id), H(m.extra)});
  }
  static void HashField(XXH3_state_t& state, const std::vector<ToolSpec>& tools,
                        const ContentHash& content) {
    for (const ToolSpec& t : tools)
      Add(state, {H(t.name), H(t.description), content(t.parameters_json)});
  }

  bool usable_ = true;
  std::array<bool, kModelRequestFieldCount> enabled_{};
  std::array<std::vector<std::string>, kModelRequestFieldCount> ignored_keys_{};
};

}  // namespace

std::optional<bool> RequestNormalizer::SameModelRequest(
    const ModelRequest& recorded, const ModelRequest& live,
    const std::function<bool(const Content&, const Content&)>& same_content,
    size_t known_equal_messages) const {
  if (!trivial()) return std::nullopt;
  ModelRequestHasher fields(normalizers_.ignored_fields);
  if (!fields.usable()) return std::nullopt;
  BATON_CHECK(known_equal_messages <= recorded.messages.size() &&
              known_equal_messages <= live.messages.size());
  return fields.Equal(recorded, live, same_content, known_equal_messages);
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
