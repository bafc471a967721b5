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
#include <vector>

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

// A descriptor passed with a request, and the name the daemon knows it by: the file's
// relative path inside the model ("config.json", "model-00001-of-00002.safetensors", a
// GGUF file's base name). docs/protocol.md, "Passing local files".
struct PassedFd {
  std::string name;
  int fd = -1;  // borrowed: stays open, and the caller's, during the call
};

struct CallOptions {
  // When set to true (from another thread or a signal handler) the client sends
  // `cancel` for the call and keeps waiting for its final response, which is then
  // normally a kCancelled error. Must outlive the call.
  const std::atomic<bool>* cancel = nullptr;
  // Gives up with kDeadlineExceeded after this many milliseconds; 0 waits for ever.
  std::uint32_t timeout_ms = 0;
  // Files sent with the request: the client adds their names as its `files` param (which
  // `params` must not hold) and sends the descriptors with the request's bytes. At most
  // 256; names as docs/protocol.md allows them (kInvalidArgument otherwise).
  std::vector<PassedFd> files;
};

// A local model's files, opened by this process with its own rights, to be passed with
// requests (CallOptions::files = files()) so that the daemon reads them without opening
// the path itself. Owns its descriptors and closes them when destroyed. Move-only; not
// thread-safe.
class LocalModelFiles {
 public:
  LocalModelFiles() = default;
  ~LocalModelFiles();
  LocalModelFiles(LocalModelFiles&& other) noexcept;
  LocalModelFiles& operator=(LocalModelFiles&& other) noexcept;
  LocalModelFiles(const LocalModelFiles&) = delete;
  LocalModelFiles& operator=(const LocalModelFiles&) = delete;

  // Takes ownership of `fd`, to be passed under `name`.
  void Add(std::string name, int fd);
  // The descriptors in the order added; borrowed views, valid while this object lives.
  const std::vector<PassedFd>& files() const { return files_; }

 private:
  void CloseAll();

  std::vector<PassedFd> files_;
};

// Opens the model at `path` with this process's rights (read-only, close-on-exec, and
// non-blocking so that a FIFO cannot hang the caller):
// - a `.gguf` file, named by its base name, with the other parts of a split set
//   (`name-00001-of-00003.gguf`: all three parts, in order);
// - a model directory: those of config.json, generation_config.json, tokenizer.json,
//   tokenizer_config.json, special_tokens_map.json, chat_template.jinja,
//   chat_template.json, tokenizer.model and model.safetensors.index.json that exist, then
//   every *.safetensors and every *.gguf file in it.
// Anything else, or a model file that is not a regular file (a FIFO, a device, a
// directory), is an error that names it.
Result<LocalModelFiles> OpenLocalModel(const std::string& path);

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
