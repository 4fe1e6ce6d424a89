#include "assertions/finding.h"

#include <cstdio>
#include <cstdlib>
#include <ostream>

namespace baton {

namespace {
struct KindInfo {
  FindingKind kind;
  const char* name;
  const char* phrase;
};
constexpr KindInfo kKinds[] = {
    {FindingKind::kStaleContext, "stale_context", "stale context"},
    {FindingKind::kContextTooOld, "context_too_old", "outdated context"},
    {FindingKind::kLowQuality, "low_quality", "a low-quality handoff"},
    {FindingKind::kMisunderstood, "misunderstood", "a misunderstood handoff"},
    {FindingKind::kUncheckedConsumption, "unchecked_consumption", "an output used unchecked"},
    {FindingKind::kLoop, "loop", "an unbounded loop"},
    {FindingKind::kHiddenLatency, "hidden_latency",
     "a retry storm hidden from the reported latency"},
    {FindingKind::kUndelivered, "undelivered", "a message never delivered"},
    {FindingKind::kUnprocessed, "unprocessed", "a message never processed"},
};
}  // namespace

std::string_view FindingKindName(FindingKind kind) {
  for (const auto& k : kKinds)
    if (k.kind == kind) return k.name;
  return "?";
}

std::string_view FindingKindPhrase(FindingKind kind) {
  for (const auto& k : kKinds)
    if (k.kind == kind) return k.phrase;
  return "?";
}

std::optional<FindingKind> ParseFindingKind(std::string_view name) {
  for (const auto& k : kKinds)
    if (name == k.name) return k.kind;
  return std::nullopt;
}

std::string Duration(int64_t ns) {
  char buf[32];
  int64_t a = std::llabs(ns);
  if (a < 1'000'000'000) {
    std::snprintf(buf, sizeof buf, "%lld ms", static_cast<long long>(ns / 1'000'000));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f s", ns / 1e9);
  }
  return buf;
}

std::string Fixed2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string RelativeTime(int64_t mono_ns) {
  char buf[32];
  const char* sign = mono_ns < 0 ? "-" : "+";
  int64_t a = std::llabs(mono_ns);
  if (a < 10'000'000'000) {
    std::snprintf(buf, sizeof buf, "T%s%lldms", sign, static_cast<long long>(a / 1'000'000));
  } else {
    std::snprintf(buf, sizeof buf, "T%s%.1fs", sign, a / 1e9);
  }
  return buf;
}

void PrintTo(const Finding& f, std::ostream* os) {
  *os << FindingKindName(f.kind) << " at " << f.to << " <- " << f.from << ", #" << f.at_seq << ": "
      << f.sentence;
}

}  // namespace baton
