// Status and Result<T>: expected failures as values. A Status carries a code and a
// message that names what went wrong and where (file, byte offset, field).
#ifndef BATON_BASE_STATUS_H_
#define BATON_BASE_STATUS_H_

#include <cassert>
#include <cstdlib>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace baton {

// Assertions that stay on in release builds: for bugs, never for bad input (bad input is a
// Status). BATON_CHECK_EQ and friends print both values; BATON_CHECK_MSG adds a message
// built from the values at hand ("seq 7 after 9").
#define BATON_CHECK(cond)                                                       \
  do {                                                                          \
    if (!(cond)) ::baton::internal::CheckFailed(#cond, __FILE__, __LINE__, {}); \
  } while (0)
#define BATON_CHECK_MSG(cond, message)                                                 \
  do {                                                                                 \
    if (!(cond)) ::baton::internal::CheckFailed(#cond, __FILE__, __LINE__, (message)); \
  } while (0)
#define BATON_CHECK_OP_(a, op, b)                                                    \
  do {                                                                               \
    const auto& baton_a_ = (a);                                                      \
    const auto& baton_b_ = (b);                                                      \
    if (!(baton_a_ op baton_b_))                                                     \
      ::baton::internal::CheckFailed(#a " " #op " " #b, __FILE__, __LINE__,          \
                                     ::baton::internal::Values(baton_a_, baton_b_)); \
  } while (0)
#define BATON_CHECK_EQ(a, b) BATON_CHECK_OP_(a, ==, b)
#define BATON_CHECK_NE(a, b) BATON_CHECK_OP_(a, !=, b)
#define BATON_CHECK_LT(a, b) BATON_CHECK_OP_(a, <, b)
#define BATON_CHECK_LE(a, b) BATON_CHECK_OP_(a, <=, b)

namespace internal {
[[noreturn]] void CheckFailed(const char* expr, const char* file, int line,
                              std::string_view context);
template <typename T>
std::string ValueText(const T& v) {
  if constexpr (std::is_arithmetic_v<T>) {
    return std::to_string(v);
  } else if constexpr (std::is_enum_v<T>) {
    return std::to_string(static_cast<std::underlying_type_t<T>>(v));
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    return "\"" + std::string(std::string_view(v)) + "\"";
  } else {
    return "(a value of " + std::to_string(sizeof(T)) + " bytes)";
  }
}
template <typename A, typename B>
std::string Values(const A& a, const B& b) {
  return "values: " + ValueText(a) + " and " + ValueText(b);
}
}  // namespace internal

class [[nodiscard]] Status {
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
    kUnavailable,         // A remote peer failed; the call may be retried.
    kDeadlineExceeded,    // A remote peer did not answer in time; the call may be retried.
  };
  // The stable lower-case name of a code ("unavailable"), as ToString() prefixes it.
  static std::string_view CodeName(Code code);
  // The code named by CodeName, or nullopt.
  static std::optional<Code> CodeFromName(std::string_view name);

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
  static Status DeadlineExceeded(std::string msg) {
    return {Code::kDeadlineExceeded, std::move(msg)};
  }
  static Status FromCode(Code code, std::string msg) {
    return code == Code::kOk ? Status() : Status(code, std::move(msg));
  }
  // Whether trying the same call again may succeed (a peer that failed or timed out).
  bool retryable() const { return code_ == Code::kUnavailable || code_ == Code::kDeadlineExceeded; }
  static Status FailedPrecondition(std::string msg) {
    return {Code::kFailedPrecondition, std::move(msg)};
  }

  bool ok() const { return code_ == Code::kOk; }
  // For a failure that is deliberately not acted on (a best-effort cleanup): says so.
  void IgnoreError() const {}
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

// For GoogleTest's messages: the code and message, not the object's bytes.
void PrintTo(const Status& status, std::ostream* os);

}  // namespace baton

#define BATON_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::baton::Status baton_status_ = (expr);        \
    if (!baton_status_.ok()) return baton_status_; \
  } while (0)

// Declares or assigns `lhs` from a Result<T> expression, or returns its error status:
//   BATON_ASSIGN_OR_RETURN(std::string text, ReadFileToString(env, path));
#define BATON_ASSIGN_OR_RETURN(lhs, expr) \
  BATON_ASSIGN_OR_RETURN_IMPL_(BATON_STATUS_CONCAT_(baton_result_, __LINE__), lhs, expr)
#define BATON_STATUS_CONCAT_INNER_(a, b) a##b
#define BATON_STATUS_CONCAT_(a, b) BATON_STATUS_CONCAT_INNER_(a, b)
#define BATON_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()

#endif  // BATON_BASE_STATUS_H_
