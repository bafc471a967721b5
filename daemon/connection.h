// One client connection: decodes its byte stream, queues the descriptors passed on it
// until a request claims them, writes encoded messages with a cap on unsent output, and
// tracks the requests in flight on it so they can be cancelled. Loop thread only (except
// where a method says otherwise); kept alive by shared_ptr (request contexts hold one) but
// its socket is closed when the connection closes.
#pragma once

#include <uv.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <msgpack.hpp>

#include "common/unique_fd.h"
#include "daemon/peer.h"
#include "daemon/socket_stream.h"
#include "proto/decoder.h"

namespace hfd::daemon {

class Connection;

// What a connection reports to whoever owns it (the server).
class ConnectionOwner {
 public:
  virtual ~ConnectionOwner() = default;
  // One decoded object (not yet validated).
  virtual void OnObject(Connection& connection, const msgpack::object& object) = 0;
  // The handle is gone; the owner drops its reference.
  virtual void OnClosed(Connection& connection) = 0;
};

class Connection : public std::enable_shared_from_this<Connection>, private SocketStream::Delegate {
 public:
  Connection(ConnectionOwner& owner, std::uint64_t id, const proto::Limits& limits,
             std::size_t max_output_bytes);
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Accepts a pending connection from `server`, reads the peer's credentials and starts
  // reading. On error the connection is closed and OnClosed is never called.
  Status Accept(uv_stream_t* server);

  // Queues bytes for the client. A client whose unsent output exceeds max_output_bytes is
  // not reading: it is disconnected rather than let memory grow. No-op once closed.
  void Send(std::string bytes);
  // Sends a protocol_error notification, then closes once it is written.
  void FailStream(const Status& error);
  // Closes now (pending output is dropped) and cancels its requests.
  void Close(const std::string& reason);
  // For shutdown: answers every request in flight with `why` and cancels it, stops reading,
  // drops whatever their handlers send later, and closes once the answers are written.
  void Drain(const Status& why);

  bool closed() const { return closed_; }
  std::uint64_t id() const { return id_; }
  const PeerCredentials& peer() const { return peer_; }
  // Bytes accepted by Send() that the kernel has not taken yet.
  std::size_t queued_output_bytes() const;

  // Output that worker threads have encoded and posted to the loop but the loop has not
  // passed to Send() yet. Thread-safe; lets producers wait instead of queuing without
  // bound when the loop falls behind.
  void AddPostedBytes(std::ptrdiff_t delta) { posted_bytes_ += delta; }
  std::size_t posted_bytes() const { return static_cast<std::size_t>(posted_bytes_.load()); }
  std::size_t max_output_bytes() const { return max_output_bytes_; }

  // In-flight requests, by msgid: the flag their handler watches.
  // Returns nullptr when msgid is already in flight.
  std::shared_ptr<std::atomic<bool>> BeginRequest(std::uint32_t msgid);
  void EndRequest(std::uint32_t msgid);
  // Sets the request's cancel flag; false when no such request is in flight.
  bool CancelRequest(std::uint32_t msgid);

  // Removes and returns the first `count` passed descriptors not yet claimed by a request
  // (fewer when fewer are waiting), in the order they arrived.
  std::vector<UniqueFd> TakePassedFds(std::size_t count);

 private:
  // SocketStream::Delegate
  char* InputBuffer(std::size_t size) override;
  void OnInput(std::size_t size, std::vector<UniqueFd> fds) override;
  void OnInputError(const Status& error) override;
  void OnHangup(const std::string& reason) override;
  void OnDrained() override;
  void OnClosed() override;

  void ProcessInput();
  void CloseAfterOutput();
  bool Congested() const;
  void CancelAll();
  void UpdateReading();

  ConnectionOwner& owner_;
  const std::uint64_t id_;
  const std::size_t max_output_bytes_;
  proto::FrameDecoder decoder_;
  PeerCredentials peer_;
  std::unique_ptr<SocketStream> stream_;  // set by Accept; closed with the connection
  std::deque<UniqueFd> passed_fds_;       // received, not yet claimed by a request
  bool closed_ = false;
  bool failing_ = false;     // FailStream: stop reading, close after flush
  bool draining_ = false;    // Drain: requests answered, send nothing more, close after flush
  bool processing_ = false;  // inside ProcessInput (it is re-entered through Send)
  std::map<std::uint32_t, std::shared_ptr<std::atomic<bool>>> in_flight_;
  std::atomic<std::ptrdiff_t> posted_bytes_{0};
};

}  // namespace hfd::daemon
