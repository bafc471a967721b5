#include "daemon/socket_stream.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>

#include "proto/passed_files.h"

namespace hfd::daemon {
namespace {

constexpr std::size_t kReadChunk = std::size_t{64} << 10;
// Queued messages handed to one sendmsg.
constexpr std::size_t kMaxIovecs = 64;

// Every descriptor in the SCM_RIGHTS messages of `msg`, owned, so that none leaks
// whatever happens next.
std::vector<UniqueFd> TakeDescriptors(msghdr& msg) {
  std::vector<UniqueFd> fds;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    const unsigned char* data = CMSG_DATA(c);
    for (std::size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, data + i * sizeof(int), sizeof(int));
      fds.emplace_back(fd);
    }
  }
  return fds;
}

bool PeerGone(int err) { return err == EPIPE || err == ECONNRESET; }

}  // namespace

Result<UniqueFd> AcceptConnection(uv_stream_t* listener) {
  // libuv has accepted the socket but hands it over only to a handle of its own:
  // duplicate the descriptor and let that handle close the original.
  auto* pipe = new uv_pipe_t;
  uv_pipe_init(listener->loop, pipe, 0);
  const int rc = uv_accept(listener, reinterpret_cast<uv_stream_t*>(pipe));
  UniqueFd fd;
  int dup_errno = 0;
  if (rc == 0) {
    uv_os_fd_t accepted = -1;
    uv_fileno(reinterpret_cast<uv_handle_t*>(pipe), &accepted);
    fd.Reset(::fcntl(accepted, F_DUPFD_CLOEXEC, 3));
    dup_errno = errno;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(pipe),
           [](uv_handle_t* handle) { delete reinterpret_cast<uv_pipe_t*>(handle); });
  if (rc != 0) return Unavailable(std::string("accept: ") + uv_strerror(rc));
  if (!fd.valid()) return ErrnoError("duplicating an accepted connection", dup_errno);
  return fd;
}

Result<std::unique_ptr<SocketStream>> SocketStream::Open(uv_loop_t* loop, UniqueFd fd,
                                                         Delegate& delegate) {
  auto* poll = new uv_poll_t;
  if (int rc = uv_poll_init(loop, poll, fd.get()); rc != 0) {
    delete poll;  // never initialised: no close callback to wait for
    return Internal(std::string("cannot watch a connection: ") + uv_strerror(rc));
  }
  return std::unique_ptr<SocketStream>(new SocketStream(std::move(fd), delegate, poll));
}

SocketStream::SocketStream(UniqueFd fd, Delegate& delegate, uv_poll_t* poll)
    : fd_(std::move(fd)), delegate_(delegate), poll_(poll) {
  poll_->data = this;
}

SocketStream::~SocketStream() = default;

void SocketStream::SetReading(bool reading) {
  if (closing_ || reading == reading_) return;
  reading_ = reading;
  UpdatePoll();
}

void SocketStream::UpdatePoll() {
  if (closing_) return;
  const int events = (reading_ ? UV_READABLE : 0) | (queued_bytes_ > 0 ? UV_WRITABLE : 0);
  if (events == polled_events_) return;
  polled_events_ = events;
  if (events == 0) {
    uv_poll_stop(poll_);
  } else {
    uv_poll_start(poll_, events, &SocketStream::OnPoll);
  }
}

Status SocketStream::Write(std::string bytes) {
  if (closing_ || bytes.empty()) return Status::Ok();
  queued_bytes_ += bytes.size();
  output_.push_back(std::move(bytes));
  // Behind earlier output: the writable callback sends it in turn.
  if (output_.size() > 1) return Status::Ok();
  return Flush();
}

Status SocketStream::Flush() {
  while (!output_.empty()) {
    iovec iov[kMaxIovecs];
    std::size_t count = 0;
    std::size_t skip = written_of_front_;
    for (auto it = output_.begin(); it != output_.end() && count < kMaxIovecs; ++it, ++count) {
      iov[count].iov_base = it->data() + skip;
      iov[count].iov_len = it->size() - skip;
      skip = 0;
    }
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = count;
    ssize_t sent = ::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (PeerGone(errno)) return Unavailable("the client disconnected");
      return ErrnoError("write", errno);
    }
    queued_bytes_ -= static_cast<std::size_t>(sent);
    while (sent > 0) {
      const std::size_t left = output_.front().size() - written_of_front_;
      if (static_cast<std::size_t>(sent) < left) {
        written_of_front_ += static_cast<std::size_t>(sent);
        break;
      }
      sent -= static_cast<ssize_t>(left);
      output_.pop_front();
      written_of_front_ = 0;
    }
  }
  UpdatePoll();
  return Status::Ok();
}

void SocketStream::ShutdownWrite() {
  if (!closing_) ::shutdown(fd_.get(), SHUT_WR);
}

void SocketStream::Close() {
  if (closing_) return;
  closing_ = true;
  output_.clear();
  queued_bytes_ = 0;
  // uv_close stops the watcher at once, so the descriptor may be closed right after.
  uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* handle) {
    auto* self = static_cast<SocketStream*>(handle->data);
    delete reinterpret_cast<uv_poll_t*>(handle);
    self->poll_ = nullptr;
    self->delegate_.OnClosed();
  });
  fd_.Reset();
}

void SocketStream::OnPoll(uv_poll_t* handle, int status, int events) {
  auto* self = static_cast<SocketStream*>(handle->data);
  if (self->closing_) return;
  if (status < 0) {
    self->delegate_.OnHangup(uv_strerror(status));
    return;
  }
  if ((events & UV_WRITABLE) != 0 && self->queued_bytes_ > 0) {
    if (Status flushed = self->Flush(); !flushed.ok()) {
      self->delegate_.OnHangup(flushed.message());
      return;
    }
    if (self->queued_bytes_ == 0) self->delegate_.OnDrained();
    if (self->closing_) return;
  }
  if ((events & UV_READABLE) != 0 && self->reading_) self->Read();
}

void SocketStream::Read() {
  char* buffer = delegate_.InputBuffer(kReadChunk);
  iovec iov{buffer, kReadChunk};
  // Room for exactly the descriptors one sendmsg may carry: more is MSG_CTRUNC.
  alignas(cmsghdr) char control[CMSG_SPACE(proto::kMaxFdsPerSendmsg * sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n;
  do {
    n = ::recvmsg(fd_.get(), &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    delegate_.OnHangup(PeerGone(errno) ? "client disconnected" : std::strerror(errno));
    return;
  }
  std::vector<UniqueFd> fds = TakeDescriptors(msg);
  if ((msg.msg_flags & MSG_CTRUNC) != 0) {
    delegate_.OnInputError(TooLarge(
        "descriptors passed on one sendmsg were cut off: send at most " +
        std::to_string(proto::kMaxFdsPerSendmsg) +
        " per sendmsg (docs/protocol.md, \"Passing local files\"); if you did, hfd has run "
        "out of descriptors"));
    return;
  }
  if (n == 0) {
    delegate_.OnHangup("client disconnected");
    return;
  }
  delegate_.OnInput(static_cast<std::size_t>(n), std::move(fds));
}

}  // namespace hfd::daemon
