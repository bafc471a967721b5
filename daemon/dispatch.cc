// Server: from a decoded object to a running handler (validation, lookup, policy,
// bookkeeping). The rest of the server is in server.cc.
#include <spdlog/spdlog.h>

#include "daemon/server.h"
#include "proto/codec.h"
#include "proto/validate.h"

namespace hfd::daemon {
namespace {

// The method label for metrics: unknown names are folded into one label value so a
// client cannot grow the registry.
constexpr const char* kUnknownMethodLabel = "(unknown)";

std::string KnownMethods(const MethodRegistry& methods) {
  std::string out;
  for (const std::string& name : methods.Names()) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

void Server::OnObject(Connection& connection, const msgpack::object& object) {
  Result<proto::Message> message = proto::ParseMessage(object, services_.config.limits);
  if (!message.ok()) {
    services_.server_metrics.protocol_errors.Increment({"invalid_message"});
    spdlog::debug("connection {}: invalid message: {}", connection.id(),
                  message.status().message());
    if (std::optional<std::uint32_t> msgid = proto::PeekMsgid(object)) {
      connection.Send(proto::EncodeResponse(*msgid, message.status(), nullptr));
    } else {
      connection.Send(proto::EncodeNotification(proto::kProtocolErrorNotification,
                                                proto::ErrorToJson(message.status())));
    }
    return;
  }
  if (message->type != proto::MessageType::kRequest) {
    // Clients have nothing to notify the daemon of, and it sends no requests to answer.
    services_.server_metrics.protocol_errors.Increment({"unexpected_message"});
    spdlog::debug("connection {}: ignoring a message of type {}", connection.id(),
                  static_cast<int>(message->type));
    return;
  }
  Dispatch(connection, std::move(message).value());
}

void Server::RejectRequest(Connection& connection, std::uint32_t msgid, const std::string& label,
                           const Status& error) {
  services_.server_metrics.request_errors.Increment(
      {label, std::string(ErrorCodeName(error.code()))});
  spdlog::debug("connection {} ({}): {} #{} refused: {}", connection.id(),
                DescribePeer(connection.peer()), label, msgid, error.ToString());
  connection.Send(proto::EncodeResponse(msgid, error, nullptr));
}

void Server::Dispatch(Connection& connection, proto::Message request) {
  const Method* method = methods_.Find(request.method);
  const std::string label = method != nullptr ? request.method : kUnknownMethodLabel;
  ServerMetrics& m = services_.server_metrics;
  m.requests.Increment({label});
  if (method == nullptr) {
    RejectRequest(connection, request.msgid, label,
                  NotFound("unknown method '" + request.method +
                           "'; this daemon knows: " + KnownMethods(methods_)));
    return;
  }
  if (shutting_down_) {
    RejectRequest(connection, request.msgid, label, Unavailable("hfd is shutting down"));
    return;
  }
  const PeerCredentials& peer = connection.peer();
  if (Status allowed = serve::RequireRights(services_.policy.RightsOf(peer), method->rights,
                                            "method '" + request.method + "'");
      !allowed.ok()) {
    RejectRequest(connection, request.msgid, label, allowed);
    return;
  }
  std::shared_ptr<std::atomic<bool>> cancel_flag = connection.BeginRequest(request.msgid);
  if (cancel_flag == nullptr) {
    RejectRequest(connection, request.msgid, label,
                  InvalidArgument("msgid " + std::to_string(request.msgid) +
                                  " is already in flight on this connection; use a new msgid"));
    return;
  }
  if (method->rights == serve::Rights::kManage) {
    spdlog::info("{} #{} from {}", request.method, request.msgid, DescribePeer(peer));
  } else {
    spdlog::debug("{} #{} from {}", request.method, request.msgid, DescribePeer(peer));
  }
  ++in_flight_;
  m.requests_in_flight.Set(static_cast<double>(in_flight_));
  const auto received = std::chrono::steady_clock::now();
  auto on_finish = [this, label, received](const Status& error) {
    --in_flight_;
    last_activity_ = std::chrono::steady_clock::now();
    ServerMetrics& metrics = services_.server_metrics;
    metrics.requests_in_flight.Set(static_cast<double>(in_flight_));
    metrics.request_duration_ms.Observe(
        std::chrono::duration<double, std::milli>(last_activity_ - received).count(), {label});
    if (!error.ok()) {
      metrics.request_errors.Increment({label, std::string(ErrorCodeName(error.code()))});
    }
  };
  auto ctx = std::make_shared<RequestContext>(connection.shared_from_this(), poster_, request.msgid,
                                              std::move(request.method), std::move(request.params),
                                              std::move(cancel_flag), std::move(on_finish));
  StartHandler(*method, std::move(ctx));
}

void Server::StartHandler(const Method& method, std::shared_ptr<RequestContext> ctx) {
  auto run = [handler = method.handler, ctx] {
    try {
      handler(ctx);
    } catch (const std::exception& e) {
      ctx->ReplyError(Internal("method '" + ctx->method() + "' failed: " + e.what()));
    }
  };
  if (method.execution == Execution::kLoop) {
    run();
  } else if (!workers_->Submit(std::move(run))) {
    ctx->ReplyError(Unavailable("hfd is shutting down"));
  }
}

}  // namespace hfd::daemon
