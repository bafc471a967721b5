#include "ctl/session.h"

#include <csignal>

#include "ctl/exit_codes.h"

namespace hfd::ctl {
namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void OnInterrupt(int) { g_interrupted.store(true); }

// First Ctrl-C: ask the daemon to cancel; the default action returns for a second one.
void InstallInterruptHandler() {
  struct sigaction action {};
  action.sa_handler = OnInterrupt;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
}

}  // namespace

Session::Session(const GlobalOptions& options) : options_(options), out_(options.json) {}

Status Session::Connect() {
  if (client_) return Status::Ok();
  Result<std::unique_ptr<client::Client>> client = client::Client::Connect(options_.socket);
  if (!client.ok()) return client.status();
  client_ = std::move(client).value();
  InstallInterruptHandler();
  return Status::Ok();
}

Result<nlohmann::json> Session::Call(const std::string& method, const nlohmann::json& params,
                                     const client::NotificationHandler* on_notification) {
  if (Status connected = Connect(); !connected.ok()) {
    out_.Error(connected);
    exit_code_ = kExitUnreachable;
    return connected;
  }
  client::CallOptions options;
  options.cancel = &g_interrupted;
  Result<nlohmann::json> result =
      on_notification != nullptr ? client_->CallStreaming(method, params, *on_notification, options)
                                 : client_->Call(method, params, options);
  if (!result.ok()) {
    out_.Error(result.status());
    exit_code_ = kExitDaemonError;
  }
  return result;
}

int CallAndPrint(Session& session, const std::string& method, const nlohmann::json& params,
                 const std::function<void(const nlohmann::json&, const Output&)>& human) {
  Result<nlohmann::json> result = session.Call(method, params);
  if (!result.ok()) return session.ExitCode();
  if (session.out().json()) {
    session.out().Json(*result);
  } else {
    human(*result, session.out());
  }
  return kExitOk;
}

}  // namespace hfd::ctl
