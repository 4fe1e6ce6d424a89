#include "base/status.h"

#include <array>
#include <cstdio>
#include <ostream>

namespace baton {

namespace internal {
void CheckFailed(const char* expr, const char* file, int line, std::string_view context) {
  std::fprintf(stderr, "baton: internal check failed: %s at %s:%d%s%.*s\n", expr, file, line,
               context.empty() ? "" : ": ", static_cast<int>(context.size()), context.data());
  std::abort();
}
}  // namespace internal

namespace {
// Indexed by Status::Code.
constexpr std::array<std::string_view, 12> kCodeNames = {"ok",
                                                         "invalid argument",
                                                         "not found",
                                                         "I/O error",
                                                         "corruption",
                                                         "not supported",
                                                         "not a .baton file",
                                                         "failed precondition",
                                                         "replay diverged",
                                                         "unavailable",
                                                         "deadline exceeded",
                                                         ""};
}  // namespace

std::string_view Status::CodeName(Code code) {
  auto i = static_cast<size_t>(code);
  return i + 1 < kCodeNames.size() ? kCodeNames[i] : std::string_view("unknown");
}

std::optional<Status::Code> Status::CodeFromName(std::string_view name) {
  for (size_t i = 0; i + 1 < kCodeNames.size(); ++i)
    if (kCodeNames[i] == name) return static_cast<Code>(i);
  return std::nullopt;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(CodeName(code_)) + ": " + message_;
}

void PrintTo(const Status& status, std::ostream* os) { *os << status.ToString(); }

}  // namespace baton
