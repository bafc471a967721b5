#include "bench/serve/daemon_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

extern char** environ;

namespace hfd::bench {

Result<std::unique_ptr<DaemonProcess>> DaemonProcess::Start(const std::string& hfd_binary,
                                                            std::vector<std::string> env) {
  char tmpl[] = "/tmp/hfd-serve-bench-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return ErrnoError("mkdtemp", errno);
  const std::filesystem::path dir = tmpl;
  const std::string socket = (dir / "hfd.sock").string();
  const std::string log = (dir / "hfd.log").string();
  std::vector<std::string> args = {hfd_binary, "--socket", socket, "--log-target", "stderr"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings = std::move(env);
  env_strings.insert(
      env_strings.end(),
      {"HFD_CONFIG=/dev/null", "HF_HUB_CACHE=" + (dir / "hub").string(), "HF_HUB_OFFLINE=1"});
  const size_t ours = env_strings.size();
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view inherited(*e);
    const std::string_view name = inherited.substr(0, inherited.find('=') + 1);
    const bool overridden =
        std::any_of(env_strings.begin(), env_strings.begin() + static_cast<std::ptrdiff_t>(ours),
                    [&](const std::string& set) { return set.rfind(name, 0) == 0; });
    if (!overridden) env_strings.emplace_back(inherited);
  }
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return ErrnoError("starting " + hfd_binary, rc);
  std::unique_ptr<DaemonProcess> daemon(new DaemonProcess(dir, pid));
  daemon->socket_ = socket;
  for (int i = 0; i < 300; ++i) {
    if (client::Client::Connect(socket).ok()) return daemon;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Unavailable("hfd did not start listening on " + socket + " within 30 s; see " + log);
}

DaemonProcess::DaemonProcess(std::filesystem::path dir, pid_t pid)
    : dir_(std::move(dir)), pid_(pid) {}

DaemonProcess::~DaemonProcess() {
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 200; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

Result<std::unique_ptr<client::Client>> DaemonProcess::Connect() const {
  return client::Client::Connect(socket_);
}

}  // namespace hfd::bench
