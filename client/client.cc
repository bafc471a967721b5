#include "hfd/client.h"

#include <chrono>
#include <optional>

#include "client/connection.h"
#include "proto/codec.h"
#include "proto/decoder.h"
#include "proto/message.h"
#include "proto/passed_files.h"
#include "proto/socket_path.h"
#include "proto/validate.h"

namespace hfd::client {
namespace {

using Clock = std::chrono::steady_clock;

// How often a waiting call looks at its cancel flag.
constexpr int kCancelPollMs = 50;
constexpr std::size_t kReadChunk = 64 * 1024;

proto::Limits ClientLimits() {
  proto::Limits limits;
  // The client trusts the daemon more than the daemon trusts clients: results such as
  // model lists or metrics may be large.
  limits.max_message_bytes = 256u << 20;
  limits.max_string_bytes = 128u << 20;
  limits.max_array_items = 1u << 22;
  limits.max_map_entries = 1u << 20;
  return limits;
}

// The request, with the names of the files passed with it as its `files` param, checked
// as the daemon will check them.
Result<std::string> EncodeCall(std::uint32_t msgid, std::string_view method,
                               const nlohmann::json& params, const std::vector<PassedFd>& files) {
  if (files.empty()) return proto::EncodeRequest(msgid, method, params);
  nlohmann::json with_files = params.is_null() ? nlohmann::json::object() : params;
  if (with_files.contains(proto::kFilesParam)) {
    return InvalidArgument(std::string("pass files with CallOptions::files, not as a '") +
                           proto::kFilesParam + "' param");
  }
  nlohmann::json& names = with_files[proto::kFilesParam] = nlohmann::json::array();
  for (const PassedFd& file : files) names.push_back(file.name);
  HFD_RETURN_IF_ERROR(proto::ParseFilesParam(with_files).status());
  return proto::EncodeRequest(msgid, method, with_files);
}

}  // namespace

class Client::Impl {
 public:
  explicit Impl(SocketConnection connection)
      : connection_(std::move(connection)), decoder_(ClientLimits()) {}

  Result<nlohmann::json> Call(std::string_view method, const nlohmann::json& params,
                              const NotificationHandler* on_notification,
                              const CallOptions& options);

 private:
  // The next message from the daemon; nullopt when the wait ended (timeout, signal).
  Result<std::optional<proto::Message>> Receive(int timeout_ms);
  // What to report for a request the daemon closed the connection on before taking it
  // all: its protocol_error, when it sent one first (a message over its limits).
  Status WhyRefused(const Status& send_error);
  // Milliseconds the next wait may last.
  int WaitBudget(const CallOptions& options, Clock::time_point deadline, bool cancel_sent) const;

  SocketConnection connection_;
  proto::FrameDecoder decoder_;
  std::uint32_t next_msgid_ = 1;
};

Result<std::optional<proto::Message>> Client::Impl::Receive(int timeout_ms) {
  for (;;) {
    HFD_ASSIGN_OR_RETURN(std::optional<msgpack::object_handle> object, decoder_.Next());
    if (object) {
      Result<proto::Message> message = proto::ParseMessage(object->get(), decoder_.limits());
      if (!message.ok()) return message.status().WithContext("the daemon sent a bad message");
      return std::optional<proto::Message>(std::move(message).value());
    }
    char* buffer = decoder_.WriteBuffer(kReadChunk);
    HFD_ASSIGN_OR_RETURN(std::size_t n, connection_.ReadSome(buffer, kReadChunk, timeout_ms));
    if (n == 0) return std::optional<proto::Message>();
    decoder_.Commit(n);
  }
}

Status Client::Impl::WhyRefused(const Status& send_error) {
  if (send_error.code() != ErrorCode::kUnavailable) return send_error;
  for (;;) {
    // What the daemon sent is already here: read it without waiting.
    Result<std::optional<proto::Message>> message = Receive(0);
    if (!message.ok() || !message->has_value()) return send_error;
    if ((*message)->type == proto::MessageType::kNotification &&
        (*message)->method == proto::kProtocolErrorNotification) {
      return proto::ErrorFromJson((*message)->params).WithContext("hfd refused the message");
    }
  }
}

int Client::Impl::WaitBudget(const CallOptions& options, Clock::time_point deadline,
                             bool cancel_sent) const {
  int budget = -1;
  if (options.cancel != nullptr && !cancel_sent) budget = kCancelPollMs;
  if (options.timeout_ms != 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    const int left_ms = static_cast<int>(std::max<long long>(left, 0));
    budget = budget < 0 ? left_ms : std::min(budget, left_ms);
  }
  return budget;
}

Result<nlohmann::json> Client::Impl::Call(std::string_view method, const nlohmann::json& params,
                                          const NotificationHandler* on_notification,
                                          const CallOptions& options) {
  if (!params.is_null() && !params.is_object()) {
    return InvalidArgument("params must be a JSON object of named arguments");
  }
  const std::uint32_t msgid = next_msgid_++;
  HFD_ASSIGN_OR_RETURN(const std::string request, EncodeCall(msgid, method, params, options.files));
  std::vector<int> fds;
  for (const PassedFd& file : options.files) fds.push_back(file.fd);
  if (Status sent = connection_.WriteAll(request, fds); !sent.ok()) return WhyRefused(sent);
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(options.timeout_ms);
  bool cancel_sent = false;
  for (;;) {
    if (options.cancel != nullptr && !cancel_sent && options.cancel->load()) {
      HFD_RETURN_IF_ERROR(
          connection_.WriteAll(proto::EncodeRequest(next_msgid_++, "cancel", {{"msgid", msgid}})));
      cancel_sent = true;
    }
    if (options.timeout_ms != 0 && Clock::now() >= deadline) {
      return DeadlineExceeded("no answer from hfd to '" + std::string(method) + "' within " +
                              std::to_string(options.timeout_ms) + " ms");
    }
    HFD_ASSIGN_OR_RETURN(std::optional<proto::Message> message,
                         Receive(WaitBudget(options, deadline, cancel_sent)));
    if (!message) continue;
    switch (message->type) {
      case proto::MessageType::kResponse:
        // Responses to anything else (our own cancel requests) are not this call's answer.
        if (message->msgid != msgid) continue;
        if (!message->error.ok()) return message->error;
        return std::move(message->result);
      case proto::MessageType::kNotification:
        if (message->method == proto::kProtocolErrorNotification) {
          return proto::ErrorFromJson(message->params).WithContext("hfd refused the message");
        }
        if (on_notification != nullptr && message->params.is_object() &&
            message->params.value("msgid", nlohmann::json()) == msgid) {
          (*on_notification)(message->method, message->params);
        }
        continue;
      case proto::MessageType::kRequest:
        continue;  // the daemon sends none; ignore rather than fail
    }
  }
}

std::string DefaultSocketPath() { return proto::DefaultClientSocketPath(); }

Client::Client(std::string socket_path, std::unique_ptr<Impl> impl)
    : socket_path_(std::move(socket_path)), impl_(std::move(impl)) {}

Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::Connect(std::string_view socket_path) {
  std::string path = socket_path.empty() ? DefaultSocketPath() : std::string(socket_path);
  HFD_ASSIGN_OR_RETURN(SocketConnection connection, SocketConnection::Connect(path));
  return std::unique_ptr<Client>(
      new Client(std::move(path), std::make_unique<Impl>(std::move(connection))));
}

Result<nlohmann::json> Client::Call(std::string_view method, const nlohmann::json& params,
                                    const CallOptions& options) {
  return impl_->Call(method, params, nullptr, options);
}

Result<nlohmann::json> Client::CallStreaming(std::string_view method, const nlohmann::json& params,
                                             const NotificationHandler& on_notification,
                                             const CallOptions& options) {
  return impl_->Call(method, params, &on_notification, options);
}

}  // namespace hfd::client
