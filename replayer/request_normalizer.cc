#include "replayer/request_normalizer.h"

#include <capnp/compat/json.h>
#include <capnp/message.h>
#include <kj/exception.h>
#include <xxhash.h>

namespace baton {
namespace {

constexpr const char* kVolatile = "<volatile>";

bool HasPrefixPath(const std::string& path, const std::string& prefix) {
  if (path.compare(0, prefix.size(), prefix) != 0) return false;
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
  XXH3_state_t* state = XXH3_createState();
  BATON_CHECK(state != nullptr);
  XXH3_64bits_reset(state);
  for (const EventField& f : normalized) {
    // Lengths first, so that ("ab","c") and ("a","bc") differ.
    uint64_t lengths[2] = {f.path.size(), f.value.size()};
    XXH3_64bits_update(state, lengths, sizeof(lengths));
    XXH3_64bits_update(state, f.path.data(), f.path.size());
    XXH3_64bits_update(state, f.value.data(), f.value.size());
  }
  uint64_t h = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  return h;
}

std::vector<EventField> RequestFields(const Event& event) {
  std::vector<EventField> all = FlattenEvent(event, EventHeaderFields::kBodyOnly);
  std::vector<std::string> keep;
  switch (event.kind()) {
    case EventKind::kModelCall:
      keep = {"request"};
      break;
    case EventKind::kToolCall:
      keep = {"tool", "arguments"};
      break;
    case EventKind::kClockRead:
      keep = {"clock"};
      break;
    case EventKind::kRandomDraw:
      keep = {"stream"};
      break;
    case EventKind::kEnvRead:
      keep = {"name"};
      break;
    case EventKind::kContextRead:
      keep = {"key"};
      break;
    case EventKind::kMessageDelivery:
      keep = {"message_id"};
      break;
    default:
      return all;
  }
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
