// Status and Result<T>: expected failures as values. A Status carries a code and a
// message that names what went wrong and where (file, byte offset, field).
#ifndef BATON_RECORDER_STATUS_H_
#define BATON_RECORDER_STATUS_H_

#include <cassert>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace baton {

// Assertion that stays on in release builds: for bugs, never for bad input.
#define BATON_CHECK(cond)                                                   \
  do {                                                                      \
    if (!(cond)) ::baton::internal::CheckFailed(#cond, __FILE__, __LINE__); \
  } while (0)

namespace internal {
[[noreturn]] void CheckFailed(const char* expr, const char* file, int line);
}

class Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,     // The caller passed something unusable.
    kNotFound,            // A file or blob that is not there.
    kIOError,             // The operating system refused a read or write.
    kCorruption,          // Bytes that fail a checksum or do not parse.
    kNotSupported,        // A newer format than this reader understands.
    kNotABatonFile,       // Wrong magic.
    kFailedPrecondition,  // An operation at the wrong time (e.g. record after close).
    kDiverged,            // A replayed run did something the recording did not.
    kUnavailable,         // A remote peer failed or timed out; the call may be retried.
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return {Code::kInvalidArgument, std::move(msg)};
  }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status IOError(std::string msg) { return {Code::kIOError, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {Code::kCorruption, std::move(msg)}; }
  static Status NotSupported(std::string msg) { return {Code::kNotSupported, std::move(msg)}; }
  static Status NotABatonFile(std::string msg) { return {Code::kNotABatonFile, std::move(msg)}; }
  static Status Diverged(std::string msg) { return {Code::kDiverged, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
  static Status FailedPrecondition(std::string msg) {
    return {Code::kFailedPrecondition, std::move(msg)};
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design.
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    BATON_CHECK(!status_.ok());
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & {
    BATON_CHECK(ok());
    return *value_;
  }
  const T& value() const& {
    BATON_CHECK(ok());
    return *value_;
  }
  T&& value() && {
    BATON_CHECK(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace baton

#define BATON_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::baton::Status baton_status_ = (expr);        \
    if (!baton_status_.ok()) return baton_status_; \
  } while (0)

#endif  // BATON_RECORDER_STATUS_H_
