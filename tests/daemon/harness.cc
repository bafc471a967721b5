#include "tests/daemon/harness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "proto/validate.h"

extern char** environ;

namespace hfd::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::vector<std::string> Environment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  for (const auto& add : extra) {
    const std::string name = add.substr(0, add.find('=') + 1);
    std::erase_if(env, [&](const std::string& e) { return e.rfind(name, 0) == 0; });
    env.push_back(add);
  }
  return env;
}

int DecodeWaitStatus(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Forks and execs; the child's stdout and stderr go to the given fds.
pid_t Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env, int out_fd,
            int err_fd) {
  std::vector<std::string> args = argv;
  std::vector<std::string> envs = Environment(env);
  std::vector<char*> c_args = CStrings(args);
  std::vector<char*> c_env = CStrings(envs);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    const int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, 0);
    ::execve(c_args[0], c_args.data(), c_env.data());
    ::_exit(127);
  }
  return pid;
}

std::string ReadAll(int fd) {
  std::string out;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof(buffer))) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) out.append(buffer, static_cast<std::size_t>(n));
  }
  return out;
}

int ConnectUnix(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

std::string BinaryFromEnv(const char* env_name) {
  const char* value = std::getenv(env_name);
  return value != nullptr ? value : "";
}

std::vector<std::string> SocketActivateCommand(const std::string& socket,
                                               const std::vector<std::string>& hfd_args) {
  std::vector<std::string> argv = {kSocketActivatePath, "--listen=" + socket,
                                   "--setenv=HFD_CONFIG=/dev/null"};
  for (const char* name :
       {"HF_ENDPOINT", "HF_HUB_CACHE", "HF_HOME", "HF_HUB_OFFLINE", "PATH", "VK_ICD_FILENAMES",
        "VK_DRIVER_FILES", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
    if (const char* value = std::getenv(name)) {
      argv.push_back(std::string("--setenv=") + name + "=" + value);
    }
  }
  argv.insert(argv.end(), hfd_args.begin(), hfd_args.end());
  return argv;
}

std::unique_ptr<ChildProcess> ChildProcess::Start(const std::vector<std::string>& argv,
                                                  const std::vector<std::string>& env,
                                                  const std::filesystem::path& log_path) {
  const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) return nullptr;
  const pid_t pid = Spawn(argv, env, log, log);
  ::close(log);
  if (pid < 0) return nullptr;
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid));
}

ChildProcess::~ChildProcess() {
  if (!exit_) {
    Kill();
    WaitExit(std::chrono::seconds(10));
  }
}

std::optional<int> ChildProcess::WaitExit(std::chrono::milliseconds timeout) {
  if (exit_) return exit_;
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_ = DecodeWaitStatus(status);
      return exit_;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::optional<int> ChildProcess::Terminate() {
  if (!exit_) ::kill(pid_, SIGTERM);
  return WaitExit(std::chrono::seconds(20));
}

void ChildProcess::Kill() {
  if (!exit_) ::kill(pid_, SIGKILL);
}

bool WaitForSocket(const std::string& path, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    const int fd = ConnectUnix(path);
    if (fd >= 0) {
      ::close(fd);
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::vector<std::string>& env) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) return {};
  const pid_t pid = Spawn(argv, env, out[1], err[1]);
  ::close(out[1]);
  ::close(err[1]);
  CommandResult result;
  // stderr is small (one error line); read stdout first, then stderr.
  result.out = ReadAll(out[0]);
  result.err = ReadAll(err[0]);
  ::close(out[0]);
  ::close(err[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = DecodeWaitStatus(status);
  return result;
}

double MetricValue(const std::string& exposition, const std::string& name) {
  const auto pos = exposition.find("\n" + name + " ");
  return pos == std::string::npos ? -1 : std::stod(exposition.substr(pos + name.size() + 2));
}

std::unique_ptr<RawClient> RawClient::Connect(const std::string& path) {
  const int fd = ConnectUnix(path);
  if (fd < 0) return nullptr;
  return std::unique_ptr<RawClient>(new RawClient(fd));
}

RawClient::RawClient(int fd) : fd_(fd), decoder_(proto::Limits{}) {}

RawClient::~RawClient() { ::close(fd_); }

bool RawClient::Send(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

Result<proto::Message> RawClient::Receive(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    auto next = decoder_.Next();
    if (!next.ok()) return next.status();
    if (next.value()) return proto::ParseMessage(next.value()->get(), decoder_.limits());
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return DeadlineExceeded("no message in time");
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
    char* buffer = decoder_.WriteBuffer(65536);
    const ssize_t n = ::recv(fd_, buffer, 65536, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Unavailable("connection closed");
    decoder_.Commit(static_cast<std::size_t>(n));
  }
}

bool RawClient::WaitClosed(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  char buffer[65536];
  while (Clock::now() < deadline) {
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, 100) <= 0) continue;
    const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) return true;
  }
  return false;
}

DaemonFixture::DaemonFixture(std::vector<std::string> extra_args, std::string config_toml) {
  char tmpl[] = "/tmp/hfd-test-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return;
  dir_ = tmpl;
  socket_ = (dir_ / "hfd.sock").string();
  const std::string hfd = BinaryFromEnv("HFD_BIN");
  if (hfd.empty()) return;
  std::vector<std::string> argv{hfd, "--socket", socket_, "--log-target", "stderr"};
  if (!config_toml.empty()) {
    std::ofstream(dir_ / "hfd.toml") << config_toml;
    argv.push_back("--config");
    argv.push_back((dir_ / "hfd.toml").string());
  }
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  // Derived weights of local models in the test's folder, not the user's cache, unless the
  // test names a folder that outlives one daemon.
  const char* derived = std::getenv("HFD_DERIVED_DIR");
  process_ =
      ChildProcess::Start(argv,
                          {"HFD_CONFIG=/dev/null",
                           "HFD_DERIVED_DIR=" + (derived != nullptr ? std::string(derived)
                                                                    : (dir_ / "derived").string())},
                          dir_ / "hfd.log");
  started_ = process_ != nullptr && WaitForSocket(socket_, std::chrono::seconds(30));
}

DaemonFixture::~DaemonFixture() {
  process_.reset();
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

std::string DaemonFixture::Log() const {
  std::ifstream in(dir_ / "hfd.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace hfd::testing
