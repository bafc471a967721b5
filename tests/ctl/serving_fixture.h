// The fixture of hfctl's serving tests: a real hfd that pulls the quick start's demo model
// (tools/hfd-make-demo-model) from the test Hub server, and helpers to run hfctl against
// it and read its JSON lines.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tests/ctl/pty_process.h"
#include "tests/daemon/harness.h"
#include "tests/hub/test_hub_server.h"

namespace hfd::testing {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::seconds;

inline constexpr const char* kModel = "demo/tiny-random-llama";

// The JSON lines hfctl --json printed.
inline std::vector<json> JsonLines(const std::string& out) {
  std::vector<json> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(json::parse(line, nullptr, false));
  }
  return lines;
}

// The {"result": ...} lines of a --json run or chat.
inline std::vector<json> Results(const std::string& out) {
  std::vector<json> results;
  for (const json& line : JsonLines(out)) {
    if (line.is_object() && line.contains("result")) results.push_back(line["result"]);
  }
  return results;
}

class ServingCommands : public ::testing::Test {
 protected:
  // The demo model is written once and copied into each test's Hub.
  static void SetUpTestSuite() {
    suite_dir_ = new TempDir();
    make_ = RunCommand({BinaryFromEnv("HFD_MAKE_DEMO_MODEL_BIN"), "--vocab", HFD_DEMO_VOCAB,
                        "--out", (suite_dir_->path() / "demo.gguf").string()});
  }
  static void TearDownTestSuite() { delete suite_dir_; }

  void SetUp() override {
    ASSERT_EQ(make_.exit_code, 0) << make_.err;
    const fs::path revision = hub_.root() / kModel / "revisions/main";
    fs::create_directories(revision);
    fs::copy_file(suite_dir_->path() / "demo.gguf", revision / "tiny-random-llama-Q8_0.gguf");
    ASSERT_TRUE(hub_.Start());
    // The daemon resolves Hub settings from its own environment, inherited from here.
    ::setenv("HF_ENDPOINT", hub_.endpoint().c_str(), 1);
    ::setenv("HF_HOME", cache_.path().c_str(), 1);
    ::setenv("HF_HUB_CACHE", (cache_.path() / "hub").c_str(), 1);
    ::unsetenv("HF_TOKEN");
    ::unsetenv("HF_HUB_OFFLINE");
    daemon_ = std::make_unique<DaemonFixture>();
    ASSERT_TRUE(daemon_->started()) << daemon_->Log();
  }

  std::vector<std::string> Argv(std::vector<std::string> args) const {
    args.insert(args.begin(), {BinaryFromEnv("HFCTL_BIN"), "--socket", daemon_->socket()});
    return args;
  }
  CommandResult Hfctl(std::vector<std::string> args) const { return RunCommand(Argv(args)); }
  // hfctl with `input` piped into its stdin.
  CommandResult HfctlWithInput(const std::string& input, std::vector<std::string> args) const {
    std::vector<std::string> argv{"/bin/sh", "-c", "input=$1; shift; printf %s \"$input\" | \"$@\"",
                                  "sh", input};
    for (std::string& a : Argv(args)) argv.push_back(std::move(a));
    return RunCommand(argv);
  }
  // The greedy completion of `prompt` as the daemon's result reports it.
  json GreedyResult(const std::string& prompt, const std::string& max_tokens) const {
    CommandResult r =
        Hfctl({"--json", "run", kModel, prompt, "-n", max_tokens, "--temperature", "0"});
    EXPECT_EQ(r.exit_code, 0) << r.err << daemon_->Log();
    const std::vector<json> results = Results(r.out);
    return results.size() == 1 ? results[0] : json();
  }

  static inline TempDir* suite_dir_ = nullptr;
  static inline CommandResult make_;
  hub::testing::TestHubServer hub_;
  TempDir cache_;
  std::unique_ptr<DaemonFixture> daemon_;
};

}  // namespace hfd::testing
