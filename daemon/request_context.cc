#include "daemon/request_context.h"

#include <thread>
#include <utility>

#include "proto/codec.h"

namespace hfd::daemon {
namespace {

constexpr auto kProducerWait = std::chrono::milliseconds(1);

}  // namespace

RequestContext::RequestContext(std::shared_ptr<Connection> connection, LoopPoster& poster,
                               std::uint32_t msgid, std::string method, nlohmann::json params,
                               std::vector<PassedFile> files,
                               std::shared_ptr<std::atomic<bool>> cancel_flag, FinishHook on_finish)
    : connection_(std::move(connection)),
      poster_(poster),
      msgid_(msgid),
      method_(std::move(method)),
      params_(std::move(params)),
      files_(std::move(files)),
      peer_(connection_->peer()),
      received_(std::chrono::steady_clock::now()),
      cancel_flag_(std::move(cancel_flag)),
      on_finish_(std::move(on_finish)) {}

RequestContext::~RequestContext() {
  if (!replied_.load()) {
    ReplyError(Internal("method '" + method_ + "' finished without a reply (a bug in hfd)"));
  }
}

std::vector<PassedFile> RequestContext::TakePassedFiles() {
  std::lock_guard lock(files_mutex_);
  return std::exchange(files_, {});
}

void RequestContext::Notify(std::string_view method, nlohmann::json params) {
  if (replied_.load()) return;
  if (!params.is_object()) params = nlohmann::json{{"value", std::move(params)}};
  params["msgid"] = msgid_;
  std::string bytes = proto::EncodeNotification(method, params);
  if (poster_.OnLoopThread()) {
    connection_->Send(std::move(bytes));
    return;
  }
  // A worker producing faster than the loop writes waits here; the loop disconnects a
  // client that does not read, which cancels this request and ends the wait.
  while (connection_->posted_bytes() > connection_->max_output_bytes() && !cancelled()) {
    std::this_thread::sleep_for(kProducerWait);
  }
  const auto size = static_cast<std::ptrdiff_t>(bytes.size());
  connection_->AddPostedBytes(size);
  poster_.Post([connection = connection_, bytes = std::move(bytes), size]() mutable {
    connection->AddPostedBytes(-size);
    connection->Send(std::move(bytes));
  });
}

void RequestContext::Reply(nlohmann::json result) { Finish(Status::Ok(), result); }

void RequestContext::ReplyError(const Status& error) {
  Finish(error.ok() ? Internal("a handler replied with an error that is OK") : error, nullptr);
}

void RequestContext::Finish(const Status& error, const nlohmann::json& result) {
  if (replied_.exchange(true)) return;
  poster_.RunOnLoop([connection = connection_, msgid = msgid_, error,
                     bytes = proto::EncodeResponse(msgid_, error, result),
                     on_finish = std::move(on_finish_)]() mutable {
    connection->EndRequest(msgid);
    connection->Send(std::move(bytes));
    if (on_finish) on_finish(error);
  });
}

}  // namespace hfd::daemon
