#include "daemon/connection.h"

#include <spdlog/spdlog.h>

#include "proto/codec.h"
#include "proto/message.h"
#include "proto/passed_files.h"

namespace hfd::daemon {

Connection::Connection(ConnectionOwner& owner, std::uint64_t id, const proto::Limits& limits,
                       std::size_t max_output_bytes)
    : owner_(owner), id_(id), max_output_bytes_(max_output_bytes), decoder_(limits) {}

Connection::~Connection() = default;

Status Connection::Accept(uv_stream_t* server) {
  Status accepted = [&]() -> Status {
    HFD_ASSIGN_OR_RETURN(UniqueFd fd, AcceptConnection(server));
    Result<PeerCredentials> peer = ReadPeerCredentials(fd.get());
    if (!peer.ok()) return peer.status().WithContext("cannot read the peer's credentials");
    peer_ = std::move(peer).value();
    HFD_ASSIGN_OR_RETURN(stream_, SocketStream::Open(server->loop, std::move(fd), *this));
    return Status::Ok();
  }();
  if (!accepted.ok()) {
    closed_ = true;
    return accepted;
  }
  UpdateReading();
  return Status::Ok();
}

std::size_t Connection::queued_output_bytes() const {
  return closed_ ? 0 : stream_->queued_bytes();
}

void Connection::Send(std::string bytes) {
  if (closed_ || draining_) return;
  if (Status written = stream_->Write(std::move(bytes)); !written.ok()) {
    Close(written.message());
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
  stream_->SetReading(!failing_ && !draining_ && !Congested());
}

void Connection::FailStream(const Status& error) {
  if (closed_ || failing_) return;
  spdlog::warn("connection {} ({}): {}; closing it", id_, DescribePeer(peer_), error.ToString());
  failing_ = true;
  UpdateReading();
  Send(proto::EncodeNotification(proto::kProtocolErrorNotification, proto::ErrorToJson(error)));
  if (!closed_ && stream_->queued_bytes() == 0) CloseAfterOutput();
}

void Connection::Drain(const Status& why) {
  if (closed_ || failing_ || draining_) return;
  for (const auto& [msgid, flag] : in_flight_) {
    flag->store(true);
    Send(proto::EncodeResponse(msgid, why, nullptr));
  }
  in_flight_.clear();
  draining_ = true;  // the requests are answered: what their handlers send later is dropped
  UpdateReading();
  if (!closed_ && stream_->queued_bytes() == 0) CloseAfterOutput();
}

// The last output is written: the client reads it, then the end of the stream.
void Connection::CloseAfterOutput() {
  stream_->ShutdownWrite();
  Close(draining_ ? "daemon shutting down" : "protocol error");
}

void Connection::Close(const std::string& reason) {
  if (closed_) return;
  closed_ = true;
  spdlog::debug("connection {} ({}) closed: {}", id_, DescribePeer(peer_), reason);
  CancelAll();
  passed_fds_.clear();
  stream_->Close();
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

std::vector<UniqueFd> Connection::TakePassedFds(std::size_t count) {
  std::vector<UniqueFd> fds;
  while (fds.size() < count && !passed_fds_.empty()) {
    fds.push_back(std::move(passed_fds_.front()));
    passed_fds_.pop_front();
  }
  return fds;
}

char* Connection::InputBuffer(std::size_t size) { return decoder_.WriteBuffer(size); }

void Connection::OnInput(std::size_t size, std::vector<UniqueFd> fds) {
  // Queued before the bytes they came on are decoded, so the request that names them
  // finds them.
  for (UniqueFd& fd : fds) passed_fds_.push_back(std::move(fd));
  if (passed_fds_.size() > proto::kMaxFilesPerRequest) {
    FailStream(TooLarge("more than " + std::to_string(proto::kMaxFilesPerRequest) +
                        " passed descriptors wait for a request that names them in '" +
                        proto::kFilesParam + "' (docs/protocol.md, \"Passing local files\")"));
    return;
  }
  decoder_.Commit(size);
  ProcessInput();
}

void Connection::OnInputError(const Status& error) { FailStream(error); }

void Connection::OnHangup(const std::string& reason) { Close(reason); }

void Connection::OnDrained() {
  if (failing_ || draining_) {
    CloseAfterOutput();
    return;
  }
  UpdateReading();
  ProcessInput();
}

void Connection::OnClosed() {
  stream_.reset();
  owner_.OnClosed(*this);
}

// Dispatches complete messages until the input runs out or the client's unread output
// grows too large; the rest waits in the decoder until writes drain (see OnDrained).
void Connection::ProcessInput() {
  if (processing_ || closed_) return;
  processing_ = true;
  // Keep this object alive even if a handler drops the owner's reference.
  auto self = shared_from_this();
  while (!closed_ && !failing_ && !draining_ && !Congested()) {
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
