// Socket activation through systemd's own tools: systemd-socket-activate hands hfd a
// listening socket exactly as a .socket unit does.
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "tests/daemon/harness.h"
#include "tests/support/fixtures.h"

namespace hfd::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// Starts hfd under systemd-socket-activate on `socket`, exiting after 1 idle second.
std::unique_ptr<ChildProcess> Activate(const std::string& socket,
                                       const std::filesystem::path& log) {
  return ChildProcess::Start(SocketActivateCommand(socket, {BinaryFromEnv("HFD_BIN"), "--idle-exit",
                                                            "1", "--log-target", "stderr"}),
                             {}, log);
}

json StatusViaHfctl(const std::string& socket) {
  CommandResult r =
      RunCommand({BinaryFromEnv("HFCTL_BIN"), "--socket", socket, "--json", "status"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0 ? json::parse(r.out) : json();
}

TEST(SocketActivation, ServesThenExitsWhenIdleThenServesAgainOnTheSamePath) {
  if (::access(kSocketActivatePath, X_OK) != 0) {
    GTEST_SKIP() << kSocketActivatePath << " is not installed (Debian package: systemd)";
  }
  char tmpl[] = "/tmp/hfd-activate-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::filesystem::path dir = tmpl;
  const std::string socket = (dir / "hfd.sock").string();

  auto first = Activate(socket, dir / "first.log");
  ASSERT_TRUE(WaitForSocket(socket, 30s));  // this connection itself triggers the exec
  const json status = StatusViaHfctl(socket);
  EXPECT_EQ(status["activation"], "socket-activated");
  EXPECT_EQ(status["socket"], socket);
  // systemd-socket-activate execs hfd in its own process.
  EXPECT_EQ(status["pid"], first->pid());
  EXPECT_EQ(first->WaitExit(60s), std::optional<int>(0)) << "hfd did not exit when idle";
  EXPECT_TRUE(std::filesystem::exists(socket)) << "the activator's socket file stays";

  auto second = Activate(socket, dir / "second.log");
  ASSERT_TRUE(WaitForSocket(socket, 30s));
  const json again = StatusViaHfctl(socket);
  EXPECT_EQ(again["activation"], "socket-activated");
  EXPECT_EQ(again["pid"], second->pid());
  EXPECT_EQ(second->WaitExit(60s), std::optional<int>(0));
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

// Restart on the next connection after an idle exit needs a real service manager.
TEST(SocketActivation, RestartsOnTheNextConnectionUnderAUserManager) {
  if (RunCommand({"/usr/bin/systemctl", "--user", "show-environment"}).exit_code != 0) {
    GTEST_SKIP() << "no systemd user manager is running here (systemctl --user fails); "
                    "the restart-on-connection path is only testable under a real manager";
  }
  char tmpl[] = "/tmp/hfd-manager-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::filesystem::path dir = tmpl;
  const std::string socket = (dir / "hfd.sock").string();
  const std::string unit = "hfd-test-" + std::to_string(::getpid());
  CommandResult started =
      RunCommand({"/usr/bin/systemd-run", "--user", "--unit=" + unit,
                  "--socket-property=ListenStream=" + socket, "--property=Type=notify",
                  BinaryFromEnv("HFD_BIN"), "--idle-exit", "1", "--log-target", "journal"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  const json first = StatusViaHfctl(socket);
  EXPECT_EQ(first["activation"], "socket-activated");
  // Wait for the idle exit, then connect again: the manager starts a new process.
  bool restarted = false;
  for (int i = 0; i < 60 && !restarted; ++i) {
    std::this_thread::sleep_for(1s);
    const json again = StatusViaHfctl(socket);
    restarted = again.contains("pid") && again["pid"] != first["pid"];
  }
  RunCommand({"/usr/bin/systemctl", "--user", "stop", unit + ".socket", unit + ".service"});
  EXPECT_TRUE(restarted);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace hfd::testing
