// The installed units must satisfy `systemd-analyze verify`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "tests/daemon/harness.h"
#include "tests/support/fixtures.h"

namespace hfd::testing {
namespace {

constexpr const char* kAnalyze = "/usr/bin/systemd-analyze";

// Copies a configured unit, pointing ExecStart at the hfd just built (verify checks that
// the binary exists).
std::filesystem::path StageUnit(const std::filesystem::path& from,
                                const std::filesystem::path& to_dir) {
  std::ifstream in(from);
  std::stringstream text;
  text << in.rdbuf();
  std::string unit = text.str();
  const std::string built = BinaryFromEnv("HFD_BIN");
  const auto pos = unit.find("ExecStart=");
  if (pos != std::string::npos) {
    const auto end = unit.find_first_of(" \n", pos);
    unit.replace(pos, end - pos, "ExecStart=" + built);
  }
  const std::filesystem::path out = to_dir / from.filename();
  std::ofstream(out) << unit;
  return out;
}

void Verify(const std::string& flavour, const std::vector<std::string>& extra_env) {
  const std::filesystem::path units = std::getenv("HFD_UNITS_DIR");
  TempDir dir;
  std::vector<std::string> argv{kAnalyze};
  if (flavour == "user") argv.push_back("--user");
  argv.push_back("verify");
  for (const char* name : {"hfd.socket", "hfd-http.socket", "hfd-http-tcp.socket", "hfd.service"}) {
    argv.push_back(StageUnit(units / flavour / name, dir.path()).string());
  }
  CommandResult r = RunCommand(argv, extra_env);
  EXPECT_EQ(r.exit_code, 0) << flavour << " units:\n" << r.out << r.err;
  EXPECT_EQ(r.err, "") << "systemd-analyze warned about the " << flavour << " units";
}

TEST(SystemdUnits, VerifyCleanly) {
  if (::access(kAnalyze, X_OK) != 0) GTEST_SKIP() << "systemd-analyze is not installed";
  ASSERT_NE(std::getenv("HFD_UNITS_DIR"), nullptr);
  Verify("system", {});
  // User units resolve %t against a runtime directory; give them a private one.
  TempDir runtime;
  std::filesystem::permissions(runtime.path(), std::filesystem::perms::owner_all);
  Verify("user", {"XDG_RUNTIME_DIR=" + runtime.path().string()});
}

}  // namespace
}  // namespace hfd::testing
