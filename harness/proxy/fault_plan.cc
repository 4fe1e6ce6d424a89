#include "harness/proxy/fault_plan.h"

#include <cerrno>
#include <cstdlib>

namespace baton::proxy {
namespace {

std::optional<FaultKind> KindOf(std::string_view word) {
  if (word == "429" || word == "rate_limited") return FaultKind::kRateLimited;
  if (word == "503" || word == "500" || word == "502" || word == "server_error")
    return FaultKind::kServerError;
  if (word == "timeout" || word == "504") return FaultKind::kTimeout;
  if (word == "cut" || word == "stream_cut") return FaultKind::kStreamCut;
  return std::nullopt;
}

// A whole decimal number in [1, 2^53], or nullopt.
std::optional<uint64_t> Count(std::string_view s) {
  if (s.empty() || s.size() > 16) return std::nullopt;
  uint64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  if (n == 0 || n > (1ull << 53)) return std::nullopt;
  return n;
}

}  // namespace

Result<FaultPlan> FaultPlan::Parse(std::string_view spec) {
  FaultPlan plan;
  plan.spec_ = std::string(spec);
  auto bad = [&](std::string_view item, const std::string& why) {
    return Status::InvalidArgument("--faults '" + std::string(spec) + "': '" + std::string(item) +
                                   "' " + why);
  };
  size_t at = 0;
  while (at <= spec.size()) {
    size_t end = spec.find(',', at);
    if (end == std::string_view::npos) end = spec.size();
    std::string_view item = spec.substr(at, end - at);
    at = end + 1;
    if (item.empty()) {
      if (end == spec.size()) break;
      return bad(item, "is empty");
    }
    if (item.rfind("seed=", 0) == 0) {
      std::optional<uint64_t> seed = Count(item.substr(5));
      if (!seed) return bad(item, "needs a whole number from 1");
      plan.seed_ = *seed;
      continue;
    }
    size_t op = item.find_first_of("@%");
    if (op == std::string_view::npos)
      return bad(item, "is not KIND@AGENT:N, KIND@N, KIND%P or seed=S");
    std::optional<FaultKind> kind = KindOf(item.substr(0, op));
    if (!kind) return bad(item, "names no fault kind (429, 503, 500, timeout, cut)");
    Rule rule;
    rule.kind = *kind;
    std::string_view rest = item.substr(op + 1);
    if (item[op] == '%') {
      std::string p(rest);
      char* stop = nullptr;
      errno = 0;
      double v = std::strtod(p.c_str(), &stop);
      if (p.empty() || errno != 0 || stop != p.c_str() + p.size() || !(v > 0.0 && v <= 1.0))
        return bad(item, "needs a probability in (0, 1]");
      rule.probability = v;
    } else {
      size_t colon = rest.rfind(':');
      std::string_view number = colon == std::string_view::npos ? rest : rest.substr(colon + 1);
      if (colon != std::string_view::npos) {
        rule.agent = std::string(rest.substr(0, colon));
        if (rule.agent.empty()) return bad(item, "has an empty agent name");
      }
      std::optional<uint64_t> nth = Count(number);
      if (!nth) return bad(item, "needs a request number from 1");
      rule.nth = *nth;
    }
    plan.rules_.push_back(std::move(rule));
  }
  plan.rng_.seed(plan.seed_);
  return plan;
}

std::optional<FaultKind> FaultPlan::Next(const std::string& agent) {
  const uint64_t n = ++requests_;
  const uint64_t n_of_agent = ++requests_of_[agent];
  std::optional<FaultKind> out;
  for (const Rule& r : rules_) {
    if (r.nth != 0) {
      if (out) continue;
      if (r.agent.empty() ? r.nth == n : (r.agent == agent && r.nth == n_of_agent)) out = r.kind;
    } else {
      // Drawn for every request, fault or not, so that one rule does not shift another's.
      const double draw = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
      if (!out && draw < r.probability) out = r.kind;
    }
  }
  return out;
}

}  // namespace baton::proxy
