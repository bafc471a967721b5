// Errors as values: every operation that can fail returns a Status or a Result<T>.
// The message is written for the person who will read it: what went wrong and what to do.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace hfd {

// Stable error categories. The wire protocol exposes these numbers (docs/protocol.md),
// so values are never renumbered; new codes are appended.
enum class ErrorCode : int {
  kOk = 0,
  kInvalidArgument = 1,   // the caller's input is wrong
  kNotFound = 2,          // a model, file, method or request id does not exist
  kPermissionDenied = 3,  // policy or filesystem permissions refuse the operation
  kUnavailable = 4,       // a resource (network, device, daemon) cannot be reached now
  kCorrupt = 5,           // data failed validation (bad file, checksum mismatch)
  kUnsupported = 6,       // valid but not implemented (architecture, tensor type, ...)
  kIo = 7,                // an operating-system I/O call failed
  kOutOfMemory = 8,       // host or device memory exhausted, or over a configured budget
  kBusy = 9,              // a queue is full; retry later
  kCancelled = 10,        // the operation was cancelled by a client or by shutdown
  kInternal = 11,         // a bug: an invariant did not hold
  kTooLarge = 12,         // a message or object exceeds a configured limit
  kUnauthenticated = 13,  // credentials are missing or were rejected
  kDeadlineExceeded = 14  // a timeout or retry budget ran out
};

// Returns a short stable name for a code ("invalid_argument", ...).
std::string_view ErrorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  // By reference from a Status that outlives the call, by value from a temporary one, so
  // that `const std::string& m = f().message();` holds a live string either way.
  const std::string& message() const& { return message_; }
  std::string message() && { return std::move(message_); }

  // "code_name: message", for logs and test failure output.
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context: `, keeping the code.
  Status WithContext(std::string_view context) const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
inline Status PermissionDenied(std::string m) {
  return {ErrorCode::kPermissionDenied, std::move(m)};
}
inline Status Unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
inline Status Corrupt(std::string m) { return {ErrorCode::kCorrupt, std::move(m)}; }
inline Status Unsupported(std::string m) { return {ErrorCode::kUnsupported, std::move(m)}; }
inline Status IoError(std::string m) { return {ErrorCode::kIo, std::move(m)}; }
inline Status OutOfMemory(std::string m) { return {ErrorCode::kOutOfMemory, std::move(m)}; }
inline Status Busy(std::string m) { return {ErrorCode::kBusy, std::move(m)}; }
inline Status Cancelled(std::string m) { return {ErrorCode::kCancelled, std::move(m)}; }
inline Status Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }
inline Status TooLarge(std::string m) { return {ErrorCode::kTooLarge, std::move(m)}; }
inline Status Unauthenticated(std::string m) { return {ErrorCode::kUnauthenticated, std::move(m)}; }
inline Status DeadlineExceeded(std::string m) {
  return {ErrorCode::kDeadlineExceeded, std::move(m)};
}

// Status for a failed POSIX call: `what` plus strerror(errno_value).
Status ErrnoError(std::string_view what, int errno_value);

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok() && "a Result must not hold an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // The error; OK when a value is held. By reference from a Result that outlives the call
  // (so `r.status().message()` lives as long as r), by value from a temporary one.
  const Status& status() const& { return ok() ? OkStatus() : std::get<Status>(v_); }
  Status status() && { return ok() ? Status::Ok() : std::get<Status>(std::move(v_)); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  static const Status& OkStatus() {
    static const Status kOk;
    return kOk;
  }

  std::variant<T, Status> v_;
};

}  // namespace hfd

#define HFD_STATUS_CONCAT_INNER(a, b) a##b
#define HFD_STATUS_CONCAT(a, b) HFD_STATUS_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function if `expr` is not OK.
#define HFD_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::hfd::Status hfd_status_ = (expr);        \
    if (!hfd_status_.ok()) return hfd_status_; \
  } while (0)

// Evaluates a Result<T> expression; on error returns its Status, else moves the value into lhs.
#define HFD_ASSIGN_OR_RETURN(lhs, expr) \
  HFD_ASSIGN_OR_RETURN_IMPL(HFD_STATUS_CONCAT(hfd_result_, __LINE__), lhs, expr)
#define HFD_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return std::move(tmp).status();  \
  lhs = std::move(tmp).value()
