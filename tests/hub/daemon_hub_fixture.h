// A real hfd on a test Hub server and a fresh cache, driven through hfctl: the fixture of
// the Hub tests that go through the daemon (pull, ls, rm, quants, tokens, joined pulls).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/daemon/harness.h"
#include "tests/hub/test_hub_server.h"

namespace hfd::hub::testing {

// The JSON lines hfctl --json printed (an unparsable line is a discarded value).
inline std::vector<nlohmann::json> JsonLines(const std::string& out) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line, nullptr, false));
  }
  return lines;
}

// Lay out the Hub's repos (hub_) before SetUp, or in the test before StartDaemon.
class DaemonHubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hub_.AddFile("org/tiny", "main", "config.json", TinyLlamaConfigJson());
    hub_.AddFile("org/tiny", "main", "tokenizer.json", "{}");
    hub_.AddRandomFile("org/tiny", "main", "model.safetensors", 3 << 20, 1);
    ASSERT_TRUE(hub_.Start({"hf_known"}, 2));
    // The daemon resolves Hub settings from its own environment, inherited from here.
    ::setenv("HF_ENDPOINT", hub_.endpoint().c_str(), 1);
    ::setenv("HF_HUB_CACHE", (cache_.path() / "hub").c_str(), 1);
    ::setenv("HF_HOME", cache_.path().c_str(), 1);
    ::unsetenv("HF_TOKEN");
    ::unsetenv("HF_HUB_OFFLINE");
    ASSERT_NO_FATAL_FAILURE(StartDaemon());
  }

  // (Re)starts the daemon with these hfd arguments and configuration.
  void StartDaemon(std::vector<std::string> args = {"--backend", "cpu"},
                   const std::string& config_toml = "") {
    daemon_.reset();
    daemon_ = std::make_unique<::hfd::testing::DaemonFixture>(std::move(args), config_toml);
    ASSERT_TRUE(daemon_->started()) << daemon_->Log();
  }

  // Serves `fixture` (a file under the fixtures folder) as `name` in `repo`'s main branch,
  // through a link: the test Hub reads the file itself.
  void ServeFixture(const std::string& repo, const std::filesystem::path& fixture,
                    const std::string& name) {
    const std::filesystem::path revision = hub_.root() / repo / "revisions/main";
    std::filesystem::create_directories(revision);
    std::filesystem::create_symlink(fixture, revision / name);
  }

  std::vector<std::string> HfctlArgv(std::vector<std::string> args) const {
    args.insert(args.begin(),
                {::hfd::testing::BinaryFromEnv("HFCTL_BIN"), "--socket", daemon_->socket()});
    return args;
  }
  ::hfd::testing::CommandResult Hfctl(std::vector<std::string> args,
                                      const std::vector<std::string>& env = {}) const {
    return ::hfd::testing::RunCommand(HfctlArgv(std::move(args)), env);
  }
  // hfctl with `input` on its stdin.
  ::hfd::testing::CommandResult HfctlWithInput(const std::string& input,
                                               std::vector<std::string> args,
                                               const std::vector<std::string>& env = {}) const {
    std::vector<std::string> argv{"/bin/sh", "-c", "input=$1; shift; printf %s \"$input\" | \"$@\"",
                                  "sh", input};
    for (std::string& a : HfctlArgv(std::move(args))) argv.push_back(std::move(a));
    return ::hfd::testing::RunCommand(argv, env);
  }

  TestHubServer hub_;
  ::hfd::testing::TempDir cache_;
  std::unique_ptr<::hfd::testing::DaemonFixture> daemon_;
};

}  // namespace hfd::hub::testing
