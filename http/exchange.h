// One HTTP request's answer on its way from the serving core's threads to the connection
// thread that writes it: body bytes in order, whether the answer is committed (a 200 and
// a stream may start) and its end. The connection thread waits on an eventfd together
// with the client's socket, so a client that hangs up sets the cancel flag at once and
// its generation stops within a token, whatever it was waiting for.
//
// Threading: the producer methods may be called from any thread; the Wait* and Read
// methods from the one connection thread. Shared by both sides through a shared_ptr.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <mutex>
#include <string>

#include "hfd/status.h"

namespace hfd::http {

class Exchange {
 public:
  // `client_fd` is the connection's socket, watched for a hang-up (not owned); -1: none.
  explicit Exchange(int client_fd);
  ~Exchange();
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  // Producer side.
  // The request was accepted: its status line can go out before the body is complete.
  void Commit();
  // Appends body bytes (and commits).
  void Write(std::string_view bytes);
  // The answer is complete.
  void End();
  // The request failed before it was committed: the connection thread answers `error`
  // with an error status instead of a body. After Commit the translator writes the error
  // into the body itself and calls End.
  void Fail(Status error);

  // Consumer side. Each returns false when the client hung up (the cancel flag is then
  // set).
  bool WaitCommittedOrEnded();
  bool WaitEnded();
  // Moves up to `max` buffered bytes into `out`, waiting for some: the byte count, -1 at
  // the end of the body, -2 when the client hung up.
  ssize_t Read(char* out, size_t max);

  bool committed() const;
  // The failure passed to Fail (OK if none).
  Status error() const;
  // The whole body, once ended (non-streamed answers).
  std::string TakeBody();
  // Set when the client went away; pass to the serving core as the request's cancel.
  const std::atomic<bool>* cancel_flag() const { return &cancel_; }
  void Cancel() { cancel_ = true; }

 private:
  template <typename Ready>
  bool WaitUntil(Ready ready);
  void Wake();

  const int client_fd_;
  const int event_fd_;
  std::atomic<bool> cancel_{false};
  mutable std::mutex mu_;
  std::string buffer_;      // GUARDED_BY(mu_)
  bool committed_ = false;  // GUARDED_BY(mu_)
  bool ended_ = false;      // GUARDED_BY(mu_)
  Status error_;            // GUARDED_BY(mu_)
};

}  // namespace hfd::http
