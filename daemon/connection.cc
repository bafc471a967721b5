#include "daemon/connection.h"

#include <spdlog/spdlog.h>

#include "proto/codec.h"
#include "proto/message.h"

namespace hfd::daemon {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

struct WriteRequest {
  uv_write_t req;
  std::string bytes;
};

}  // namespace

Connection::Connection(ConnectionOwner& owner, std::uint64_t id, const proto::Limits& limits,
                       std::size_t max_output_bytes)
    : owner_(owner),
      id_(id),
      max_output_bytes_(max_output_bytes),
      decoder_(limits),
      pipe_(new uv_pipe_t) {
  pipe_->data = this;
}

Connection::~Connection() {
  // Only reached when the handle was never initialised (Accept failed early).
  delete pipe_;
}

Status Connection::Accept(uv_stream_t* server) {
  uv_pipe_init(server->loop, pipe_, 0);
  if (int rc = uv_accept(server, reinterpret_cast<uv_stream_t*>(pipe_)); rc != 0) {
    Close(std::string("accept failed: ") + uv_strerror(rc));
    return Unavailable(std::string("accept: ") + uv_strerror(rc));
  }
  uv_os_fd_t fd = -1;
  uv_fileno(reinterpret_cast<uv_handle_t*>(pipe_), &fd);
  Result<PeerCredentials> peer = ReadPeerCredentials(fd);
  if (!peer.ok()) {
    Close("cannot read peer credentials: " + peer.status().message());
    return peer.status();
  }
  peer_ = std::move(peer).value();
  UpdateReading();
  return Status::Ok();
}

std::size_t Connection::queued_output_bytes() const {
  return closed_ ? 0 : uv_stream_get_write_queue_size(reinterpret_cast<uv_stream_t*>(pipe_));
}

void Connection::Send(std::string bytes) {
  if (closed_) return;
  auto* write = new WriteRequest{{}, std::move(bytes)};
  write->req.data = this;
  uv_buf_t buf = uv_buf_init(write->bytes.data(), static_cast<unsigned>(write->bytes.size()));
  const int rc = uv_write(&write->req, reinterpret_cast<uv_stream_t*>(pipe_), &buf, 1,
                          [](uv_write_t* req, int status) {
                            auto* self = static_cast<Connection*>(req->data);
                            delete reinterpret_cast<WriteRequest*>(req);
                            if (status != 0) return;
                            self->UpdateReading();
                            self->ProcessInput();
                          });
  if (rc != 0) {
    delete write;
    Close(std::string("write failed: ") + uv_strerror(rc));
    return;
  }
  if (queued_output_bytes() > max_output_bytes_) {
    Close("the client is not reading: more than " + std::to_string(max_output_bytes_) +
          " bytes of output are waiting");
    return;
  }
  UpdateReading();
}

bool Connection::Congested() const { return queued_output_bytes() > max_output_bytes_ / 2; }

// Backpressure: while a lot of output waits, stop reading new requests from this client.
void Connection::UpdateReading() {
  if (closed_) return;
  const bool want = !failing_ && !Congested();
  auto* stream = reinterpret_cast<uv_stream_t*>(pipe_);
  if (want && !reading_) {
    reading_ = uv_read_start(stream, &Connection::OnAlloc, &Connection::OnRead) == 0;
  } else if (!want && reading_) {
    uv_read_stop(stream);
    reading_ = false;
  }
}

void Connection::FailStream(const Status& error) {
  if (closed_ || failing_) return;
  spdlog::warn("connection {} ({}): {}; closing it", id_, DescribePeer(peer_), error.ToString());
  failing_ = true;
  UpdateReading();
  Send(proto::EncodeNotification(proto::kProtocolErrorNotification, proto::ErrorToJson(error)));
  if (closed_) return;
  auto* shutdown = new uv_shutdown_t;
  shutdown->data = this;
  const int rc =
      uv_shutdown(shutdown, reinterpret_cast<uv_stream_t*>(pipe_), [](uv_shutdown_t* req, int) {
        auto* self = static_cast<Connection*>(req->data);
        delete req;
        self->Close("protocol error");
      });
  if (rc != 0) {
    delete shutdown;
    Close("protocol error");
  }
}

void Connection::Close(const std::string& reason) {
  if (closed_) return;
  closed_ = true;
  reading_ = false;
  spdlog::debug("connection {} ({}) closed: {}", id_, DescribePeer(peer_), reason);
  CancelAll();
  uv_close(reinterpret_cast<uv_handle_t*>(pipe_), [](uv_handle_t* handle) {
    auto* self = static_cast<Connection*>(handle->data);
    delete reinterpret_cast<uv_pipe_t*>(handle);
    self->pipe_ = nullptr;
    self->owner_.OnClosed(*self);
  });
}

std::shared_ptr<std::atomic<bool>> Connection::BeginRequest(std::uint32_t msgid) {
  auto [it, inserted] = in_flight_.try_emplace(msgid, nullptr);
  if (!inserted) return nullptr;
  it->second = std::make_shared<std::atomic<bool>>(closed_);
  return it->second;
}

void Connection::EndRequest(std::uint32_t msgid) { in_flight_.erase(msgid); }

bool Connection::CancelRequest(std::uint32_t msgid) {
  auto it = in_flight_.find(msgid);
  if (it == in_flight_.end()) return false;
  it->second->store(true);
  return true;
}

void Connection::CancelAll() {
  for (auto& [msgid, flag] : in_flight_) flag->store(true);
}

void Connection::OnAlloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
  auto* self = static_cast<Connection*>(handle->data);
  *buf = uv_buf_init(self->decoder_.WriteBuffer(kReadChunk), kReadChunk);
}

void Connection::OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t*) {
  auto* self = static_cast<Connection*>(stream->data);
  if (nread < 0) {
    self->Close(nread == UV_EOF ? "client disconnected" : uv_strerror(static_cast<int>(nread)));
    return;
  }
  if (nread > 0) self->HandleInput(static_cast<std::size_t>(nread));
}

void Connection::HandleInput(std::size_t nread) {
  decoder_.Commit(nread);
  ProcessInput();
}

// Dispatches complete messages until the input runs out or the client's unread output
// grows too large; the rest waits in the decoder until writes drain (see Send).
void Connection::ProcessInput() {
  if (processing_ || closed_) return;
  processing_ = true;
  // Keep this object alive even if a handler drops the owner's reference.
  auto self = shared_from_this();
  while (!closed_ && !failing_ && !Congested()) {
    Result<std::optional<msgpack::object_handle>> next = decoder_.Next();
    if (!next.ok()) {
      FailStream(next.status());
      break;
    }
    if (!next.value()) break;
    owner_.OnObject(*this, next.value()->get());
  }
  processing_ = false;
}

}  // namespace hfd::daemon
