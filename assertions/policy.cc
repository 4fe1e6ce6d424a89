#include "assertions/policy.h"

#include <cmath>
#include <memory>

#include "base/file_io.h"
#include "base/json_parse.h"

namespace baton {

double Policy::MinQuality(const std::string& from, const std::string& to) const {
  auto it = min_quality_by_pair.find(from + "->" + to);
  return it == min_quality_by_pair.end() ? min_quality : it->second;
}

int Policy::MaxLoops(const std::string& a, const std::string& b) const {
  auto it = max_loops_by_pair.find(a + "<->" + b);
  if (it == max_loops_by_pair.end()) it = max_loops_by_pair.find(b + "<->" + a);
  return it == max_loops_by_pair.end() ? max_loops : it->second;
}

namespace {

using Json = capnp::JsonValue::Reader;

class PolicyParser {
 public:
  explicit PolicyParser(const std::string& where) : where_(where) {}

  Status Parse(Json root, Policy& p) {
    if (!root.isObject()) return Err("", "the policy must be a JSON object");
    for (auto field : root.getObject()) {
      std::string key = field.getName();
      Json v = field.getValue();
      if (key == "min_quality") {
        BATON_RETURN_IF_ERROR(Fraction(key, v, p.min_quality));
      } else if (key == "min_quality_by_pair") {
        BATON_RETURN_IF_ERROR(Map(key, v, [&](const std::string& k, Json x) -> Status {
          if (k.find("->") == std::string::npos)
            return Err(key + "." + k, "expected a pair written \"from->to\"");
          return Fraction(key + "." + k, x, p.min_quality_by_pair[k]);
        }));
      } else if (key == "max_staleness_ms") {
        BATON_RETURN_IF_ERROR(Integer(key, v, p.max_staleness_ms));
      } else if (key == "max_age_ms_by_key") {
        BATON_RETURN_IF_ERROR(Map(key, v, [&](const std::string& k, Json x) {
          return Integer(key + "." + k, x, p.max_age_ms_by_key[k]);
        }));
      } else if (key == "max_loops") {
        int64_t n = 0;
        BATON_RETURN_IF_ERROR(Integer(key, v, n));
        p.max_loops = static_cast<int>(n);
      } else if (key == "max_loops_by_pair") {
        BATON_RETURN_IF_ERROR(Map(key, v, [&](const std::string& k, Json x) -> Status {
          if (k.find("<->") == std::string::npos)
            return Err(key + "." + k, "expected a pair written \"a<->b\"");
          int64_t n = 0;
          BATON_RETURN_IF_ERROR(Integer(key + "." + k, x, n));
          p.max_loops_by_pair[k] = static_cast<int>(n);
          return Status::Ok();
        }));
      } else if (key == "require_checks" || key == "require_understanding") {
        if (!v.isBoolean()) return Err(key, "expected true or false");
        Requirement r = v.getBoolean() ? Requirement::kRequired : Requirement::kOff;
        (key == "require_checks" ? p.checks : p.understanding) = r;
      } else if (key == "max_hidden_latency_ratio") {
        if (!v.isNumber() || v.getNumber() < 1) return Err(key, "expected a number >= 1");
        p.max_hidden_latency_ratio = v.getNumber();
      } else if (key == "scorers") {
        if (!v.isArray()) return Err(key, "expected a list of scorer names");
        p.scorers.clear();
        for (auto s : v.getArray()) {
          if (!s.isString()) return Err(key, "expected a list of scorer names");
          p.scorers.push_back(s.getString());
        }
      } else {
        return Err(key, "unknown setting");
      }
    }
    return Status::Ok();
  }

 private:
  Status Err(const std::string& key, const std::string& what) const {
    return Status::InvalidArgument(where_ + (key.empty() ? "" : ": " + key) + ": " + what);
  }
  Status Fraction(const std::string& key, Json v, double& out) const {
    if (!v.isNumber() || v.getNumber() < 0 || v.getNumber() > 1)
      return Err(key, "expected a number in [0, 1]");
    out = v.getNumber();
    return Status::Ok();
  }
  Status Integer(const std::string& key, Json v, int64_t& out) const {
    // Bounded before the conversion: a double beyond int64's range is undefined to cast.
    if (!v.isNumber() || v.getNumber() < 0 || v.getNumber() != std::floor(v.getNumber()) ||
        v.getNumber() > 9007199254740992.0)
      return Err(key, "expected a whole number in [0, 2^53]");
    out = static_cast<int64_t>(v.getNumber());
    return Status::Ok();
  }
  template <typename F>
  Status Map(const std::string& key, Json v, F each) const {
    if (!v.isObject()) return Err(key, "expected an object");
    for (auto f : v.getObject())
      BATON_RETURN_IF_ERROR(each(std::string(f.getName()), f.getValue()));
    return Status::Ok();
  }

  std::string where_;
};

}  // namespace

Result<Policy> ParsePolicy(const std::string& json, const std::string& where) {
  auto doc = JsonDocument::Parse(json, where);
  if (!doc.ok()) return Status::InvalidArgument(doc.status().message());
  Policy p;
  BATON_RETURN_IF_ERROR(PolicyParser(where).Parse(doc->root(), p));
  return p;
}

Result<Policy> LoadPolicyFile(const std::string& path) {
  std::unique_ptr<Env> env = NewPosixEnv();
  // A policy is a few hundred bytes; a megabyte is certainly something else.
  auto text = ReadFileToString(*env, path, /*max_bytes=*/1 << 20);
  if (!text.ok()) return Status::InvalidArgument("the policy file " + text.status().message());
  return ParsePolicy(*text, path);
}

Result<Policy> LoadPolicyOrDefaults(const std::string& path) {
  if (path.empty()) return Policy{};
  return LoadPolicyFile(path);
}

}  // namespace baton
