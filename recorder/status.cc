#include "recorder/status.h"

#include <cstdio>

namespace baton {

namespace internal {
void CheckFailed(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "baton: internal check failed: %s at %s:%d\n", expr, file, line);
  std::abort();
}
}  // namespace internal

std::string Status::ToString() const {
  const char* name = "ok";
  switch (code_) {
    case Code::kOk:
      return "ok";
    case Code::kInvalidArgument:
      name = "invalid argument";
      break;
    case Code::kNotFound:
      name = "not found";
      break;
    case Code::kIOError:
      name = "I/O error";
      break;
    case Code::kCorruption:
      name = "corruption";
      break;
    case Code::kNotSupported:
      name = "not supported";
      break;
    case Code::kNotABatonFile:
      name = "not a .baton file";
      break;
    case Code::kFailedPrecondition:
      name = "failed precondition";
      break;
    case Code::kDiverged:
      name = "replay diverged";
      break;
    case Code::kUnavailable:
      name = "unavailable";
      break;
  }
  return std::string(name) + ": " + message_;
}

}  // namespace baton
