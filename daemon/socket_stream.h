// A connected Unix stream socket served on the libuv loop through a uv_poll_t: read with
// recvmsg, so that descriptors passed with SCM_RIGHTS arrive with the bytes they came on,
// and written from an output queue of its own. Loop thread only.
//
// Why not libuv's uv_pipe_t with ipc=1, which also receives descriptors: its control
// buffer holds 64 of them and it ignores MSG_CTRUNC, so the rest of a larger batch is
// closed by the kernel without a word and the descriptors after it would be paired with
// the wrong names; here a truncated control message is an error (docs/protocol.md,
// "Passing local files").
#pragma once

#include <uv.h>

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "common/unique_fd.h"
#include "hfd/status.h"

namespace hfd::daemon {

// Takes the connection libuv has accepted on `listener` as a descriptor of our own
// (non-blocking, close-on-exec).
Result<UniqueFd> AcceptConnection(uv_stream_t* listener);

class SocketStream {
 public:
  // What the stream reports, from libuv callbacks on the loop thread.
  class Delegate {
   public:
    virtual ~Delegate() = default;
    // Room for the next read, at least `size` bytes, valid until OnInput.
    virtual char* InputBuffer(std::size_t size) = 0;
    // `size` bytes were read into the buffer, with the descriptors passed on them.
    virtual void OnInput(std::size_t size, std::vector<UniqueFd> fds) = 0;
    // The peer broke the transport's rules (a truncated control message); what came with
    // it was dropped.
    virtual void OnInputError(const Status& error) = 0;
    // The peer hung up, or the socket failed.
    virtual void OnHangup(const std::string& reason) = 0;
    // Output that had to wait for the socket has all been written.
    virtual void OnDrained() = 0;
    // The handle is gone; the last call. The delegate may destroy the stream in it.
    virtual void OnClosed() = 0;
  };

  // Serves `fd`, a connected socket, on `loop`; nothing is read until SetReading(true).
  static Result<std::unique_ptr<SocketStream>> Open(uv_loop_t* loop, UniqueFd fd,
                                                    Delegate& delegate);
  // Close() must have been called, and OnClosed delivered, before destruction.
  ~SocketStream();
  SocketStream(const SocketStream&) = delete;
  SocketStream& operator=(const SocketStream&) = delete;

  int fd() const { return fd_.get(); }
  bool closing() const { return closing_; }
  // Bytes accepted by Write() that the kernel has not taken yet.
  std::size_t queued_bytes() const { return queued_bytes_; }

  void SetReading(bool reading);
  // Queues `bytes` and writes at once what the socket takes; an error when the peer is
  // gone (the caller closes the stream). No-op once closing.
  Status Write(std::string bytes);
  // Ends the write side: the peer reads to the end of what was written, then EOF.
  // Call when queued_bytes() is 0.
  void ShutdownWrite();
  // Stops reading and writing and closes the socket; unwritten output is dropped.
  // OnClosed follows from the loop.
  void Close();

 private:
  SocketStream(UniqueFd fd, Delegate& delegate, uv_poll_t* poll);
  static void OnPoll(uv_poll_t* handle, int status, int events);
  void Read();
  // Writes queued output until the socket would block.
  Status Flush();
  void UpdatePoll();

  UniqueFd fd_;
  Delegate& delegate_;
  uv_poll_t* poll_;  // owned; freed in its close callback
  std::deque<std::string> output_;
  std::size_t written_of_front_ = 0;  // bytes of output_.front() already sent
  std::size_t queued_bytes_ = 0;
  bool reading_ = false;
  bool closing_ = false;
  int polled_events_ = 0;
};

}  // namespace hfd::daemon
