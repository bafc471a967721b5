// What a method handler gets for one request: who asked, the named arguments, the files
// passed with it, a cancellation flag, and the means to stream notifications and send the
// one reply.
//
// Threading: the accessors, Notify, Reply and ReplyError may be called from any thread
// (the loop thread or a worker); output is encoded on the calling thread and handed to
// the loop thread in order. connection() is for the loop thread only.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/connection.h"
#include "daemon/loop_poster.h"
#include "daemon/passed_file.h"
#include "daemon/peer.h"
#include "hfd/status.h"

namespace hfd::daemon {

class RequestContext {
 public:
  // Called once on the loop thread when the reply has been queued (or dropped because the
  // client left), with the error sent (OK on success).
  using FinishHook = std::function<void(const Status& error)>;

  RequestContext(std::shared_ptr<Connection> connection, LoopPoster& poster, std::uint32_t msgid,
                 std::string method, nlohmann::json params, std::vector<PassedFile> files,
                 std::shared_ptr<std::atomic<bool>> cancel_flag, FinishHook on_finish);
  // A handler that never replied is a bug: the client still gets an Internal error.
  ~RequestContext();
  RequestContext(const RequestContext&) = delete;
  RequestContext& operator=(const RequestContext&) = delete;

  const PeerCredentials& peer() const { return peer_; }
  std::uint32_t msgid() const { return msgid_; }
  const std::string& method() const { return method_; }
  // The named arguments, without `files` (see TakePassedFiles).
  const nlohmann::json& params() const { return params_; }
  std::chrono::steady_clock::time_point received() const { return received_; }

  // The descriptors passed with the request, paired with the names its `files` param gave
  // them, in that order (docs/protocol.md, "Passing local files"); empty when none were.
  // The first call takes them all, later calls get none. Those never taken are closed when
  // the context is destroyed.
  std::vector<PassedFile> TakePassedFiles();

  // True once the client sent `cancel` for this msgid, disconnected, or the daemon is
  // shutting down. Long handlers poll it and end with ReplyError(Cancelled(...)).
  bool cancelled() const { return cancel_flag_->load(); }
  const std::atomic<bool>& cancel_flag() const { return *cancel_flag_; }

  // Sends notification [2, method, [params]] with params["msgid"] set to this request's
  // msgid. Ignored after the reply.
  void Notify(std::string_view method, nlohmann::json params);
  // The final response; only the first Reply/ReplyError counts.
  void Reply(nlohmann::json result);
  void ReplyError(const Status& error);

  // The connection the request came on. Loop thread only.
  Connection& connection() { return *connection_; }

 private:
  void Finish(const Status& error, const nlohmann::json& result);

  std::shared_ptr<Connection> connection_;
  LoopPoster& poster_;
  const std::uint32_t msgid_;
  const std::string method_;
  const nlohmann::json params_;
  std::mutex files_mutex_;
  std::vector<PassedFile> files_;  // guarded by files_mutex_
  const PeerCredentials peer_;
  const std::chrono::steady_clock::time_point received_;
  std::shared_ptr<std::atomic<bool>> cancel_flag_;
  FinishHook on_finish_;
  std::atomic<bool> replied_{false};
};

}  // namespace hfd::daemon
