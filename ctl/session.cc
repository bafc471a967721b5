#include "ctl/session.h"

#include <csignal>

#include "ctl/exit_codes.h"

namespace hfd::ctl {
namespace {

std::atomic<bool> g_interrupted{false};
bool g_keep_running = false;

extern "C" void OnInterrupt(int) { g_interrupted.store(true); }

// First Ctrl-C: ask the daemon to cancel; the default action returns for a second one,
// unless the command is interactive (then every Ctrl-C only cancels).
void InstallInterruptHandler() {
  struct sigaction action {};
  action.sa_handler = OnInterrupt;
  action.sa_flags = g_keep_running ? SA_RESTART : SA_RESETHAND;
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

void Session::KeepRunningOnInterrupt() {
  g_keep_running = true;
  InstallInterruptHandler();
}

bool Session::interrupted() const { return g_interrupted.load(); }

void Session::ClearInterrupt() { g_interrupted.store(false); }

Result<nlohmann::json> Session::Call(const std::string& method, const nlohmann::json& params,
                                     const client::NotificationHandler* on_notification) {
  if (Status connected = Connect(); !connected.ok()) {
    if (before_error_) before_error_();
    out_.Error(connected);
    exit_code_ = kExitUnreachable;
    return connected;
  }
  client::CallOptions options;
  options.cancel = &g_interrupted;
  options.files = files_.files();
  Result<nlohmann::json> result =
      on_notification != nullptr ? client_->CallStreaming(method, params, *on_notification, options)
                                 : client_->Call(method, params, options);
  if (!result.ok()) {
    if (before_error_) before_error_();
    out_.Error(result.status());
    exit_code_ = kExitDaemonError;
  }
  return result;
}

Result<nlohmann::json> Session::Ask(const std::string& method, const nlohmann::json& params) {
  HFD_RETURN_IF_ERROR(Connect());
  client::CallOptions options;
  options.cancel = &g_interrupted;
  options.files = files_.files();
  return client_->Call(method, params, options);
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
