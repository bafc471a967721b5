// hfd client library: a synchronous connection to the hfd daemon over its Unix socket,
// speaking MessagePack-RPC (docs/protocol.md). hfctl uses it for everything.
//
// Thread-compatible: one Client must not be used by two threads at once, except that a
// call's cancel flag may be set from any thread or from a signal handler.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hfd/status.h"

namespace hfd::client {

// The socket a client uses without an explicit path: $HFD_SOCKET, else
// $XDG_RUNTIME_DIR/hfd.sock (root: /run/hfd/hfd.sock), falling back to the system
// instance's /run/hfd/hfd.sock when the user's socket does not exist.
std::string DefaultSocketPath();

// Called for each notification of a streaming call: its method and params map (which
// carries the request's "msgid").
using NotificationHandler =
    std::function<void(const std::string& method, const nlohmann::json& params)>;

struct CallOptions {
  // When set to true (from another thread or a signal handler) the client sends
  // `cancel` for the call and keeps waiting for its final response, which is then
  // normally a kCancelled error. Must outlive the call.
  const std::atomic<bool>* cancel = nullptr;
  // Gives up with kDeadlineExceeded after this many milliseconds; 0 waits for ever.
  std::uint32_t timeout_ms = 0;
};

class Client {
 public:
  // Connects to the daemon's socket ("" = DefaultSocketPath()). When nothing listens
  // there the error is kUnavailable and its message says how to start the daemon.
  static Result<std::unique_ptr<Client>> Connect(std::string_view socket_path = "");

  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Calls `method` with named arguments (a JSON object, or null for none) and returns
  // its result, or the daemon's error as a Status with the daemon's code.
  Result<nlohmann::json> Call(std::string_view method,
                              const nlohmann::json& params = nlohmann::json::object(),
                              const CallOptions& options = {});

  // As Call, passing each notification carrying this request's msgid to `on_notification`
  // (on the calling thread) before returning the final result.
  Result<nlohmann::json> CallStreaming(std::string_view method, const nlohmann::json& params,
                                       const NotificationHandler& on_notification,
                                       const CallOptions& options = {});

  const std::string& socket_path() const { return socket_path_; }

 private:
  class Impl;
  Client(std::string socket_path, std::unique_ptr<Impl> impl);

  std::string socket_path_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hfd::client
