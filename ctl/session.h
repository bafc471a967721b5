// One hfctl invocation: global options, the lazily opened connection, Ctrl-C handling,
// and the mapping from failures to exit codes. Single-threaded.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "ctl/output.h"
#include "hfd/client.h"

namespace hfd::ctl {

struct GlobalOptions {
  std::string socket;  // "" = client::DefaultSocketPath()
  bool json = false;
};

class Session {
 public:
  explicit Session(const GlobalOptions& options);
  const Output& out() const { return out_; }

  // Calls `method`; Ctrl-C cancels it on the daemon. On failure prints the error and
  // sets the exit code ExitCode() returns.
  Result<nlohmann::json> Call(const std::string& method, const nlohmann::json& params,
                              const client::NotificationHandler* on_notification = nullptr);
  int ExitCode() const { return exit_code_; }
  // Calls `method` like Call() but prints nothing and leaves the exit code alone: for
  // questions whose failure the caller handles (does this model have a chat template?).
  Result<nlohmann::json> Ask(const std::string& method, const nlohmann::json& params);

  // Files passed with every call from now on: the local model's, which hfctl opened with
  // the caller's rights (see OpenModelArgument).
  void PassFiles(client::LocalModelFiles files) { files_ = std::move(files); }

  // `hook` runs just before the session prints an error, so that a streaming command
  // can first end a partial line of output. Empty: no hook.
  void SetBeforeError(std::function<void()> hook) { before_error_ = std::move(hook); }

  // For interactive commands: from now on Ctrl-C never ends hfctl; each press cancels
  // the call in progress or wakes a poll() on stdin with EINTR (reads are restarted), and
  // sets the flag interrupted() reports until ClearInterrupt().
  void KeepRunningOnInterrupt();
  bool interrupted() const;
  void ClearInterrupt();

 private:
  Status Connect();

  GlobalOptions options_;
  Output out_;
  std::unique_ptr<client::Client> client_;
  client::LocalModelFiles files_;
  int exit_code_ = 0;
  std::function<void()> before_error_;
};

// The usual shape of a command: call, then print the result with `human` or as JSON.
// Returns the process exit code.
int CallAndPrint(Session& session, const std::string& method, const nlohmann::json& params,
                 const std::function<void(const nlohmann::json& result, const Output& out)>& human);

}  // namespace hfd::ctl
