// Interop with the Hub maintainers' JavaScript client (@huggingface/hub, pinned in
// tests/hub/interop/package-lock.json): it downloads from the test Hub server into a cache
// that hfd then uses with no network, and it reads a cache that hfd wrote.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>

#include "hub/cache_admin.h"
#include "tests/hub/pull_test_base.h"

namespace hfd::hub::testing {
namespace {

namespace fs = std::filesystem;

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) result.output.append(buf.data(), n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string Quote(const std::string& s) { return "'" + s + "'"; }

class InteropTest : public PullTestBase {
 protected:
  void SetUp() override {
    if (RunCommand("command -v node && command -v npm").exit_code != 0) {
      // Under CI a real-client test never passes by not running.
      if (::hfd::testing::RunningInCi()) GTEST_FAIL() << "node/npm not installed";
      GTEST_SKIP() << "node/npm not installed: the @huggingface/hub interop test does not run";
    }
    const char* build = std::getenv("HFD_BUILD_DIR");
    work_ = fs::path(build != nullptr ? build : fs::temp_directory_path().string()) / "hub-interop";
    fs::create_directories(work_);
    for (const char* f : {"package.json", "package-lock.json", "interop.mjs"}) {
      fs::copy_file(fs::path(HFD_HUB_INTEROP_DIR) / f, work_ / f,
                    fs::copy_options::overwrite_existing);
    }
    if (!fs::exists(work_ / "node_modules/@huggingface/hub/package.json")) {
      const CommandResult ci =
          RunCommand("cd " + Quote(work_.string()) + " && npm ci --no-audit --no-fund");
      if (ci.exit_code != 0) {
        if (::hfd::testing::RunningInCi()) GTEST_FAIL() << "npm ci failed:\n" << ci.output;
        GTEST_SKIP() << "npm ci failed (no access to the npm registry?):\n" << ci.output;
      }
    }
    PullTestBase::SetUp();
  }

  CommandResult Node(const std::string& args) {
    return RunCommand("cd " + Quote(work_.string()) + " && node interop.mjs " + args);
  }

  fs::path work_;
};

TEST_F(InteropTest, JavascriptClientDownloadsAndHfdUsesTheCacheOffline) {
  AddTinyModel("org/tiny", "main", 200000);
  ::hfd::testing::TempDir js_cache;
  const CommandResult js =
      Node("download " + hub_.endpoint() + " " + Quote(js_cache.path()) + " org/tiny main");
  ASSERT_EQ(js.exit_code, 0) << js.output;

  HubConfig offline = Config();
  offline.cache_dir = js_cache.path();
  offline.offline = true;
  hub_.Reset();
  auto pulled = Puller(offline, {}).Pull(*ParseModelRef("org/tiny"), Options(), {}, nullptr);
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  EXPECT_EQ(pulled->files,
            (std::vector<std::string>{"config.json", "model.safetensors", "tokenizer.json"}));
  EXPECT_EQ(ReadSnapshotFile(*pulled, "model.safetensors").size(), 200000u);
  EXPECT_TRUE(hub_.Log().empty());

  auto listed = ListCache(js_cache.path());
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  ASSERT_EQ(listed->front().revisions.size(), 1u);
  EXPECT_EQ(listed->front().revisions[0].commit, pulled->commit);
  EXPECT_EQ(listed->front().revisions[0].refs, std::vector<std::string>{"main"});
}

TEST_F(InteropTest, JavascriptClientReadsHfdsCache) {
  AddTinyModel("org/tiny", "main", 200000);
  auto pulled = Pull("org/tiny");
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();

  const CommandResult scan = Node("scan " + Quote(cache_dir()));
  ASSERT_EQ(scan.exit_code, 0) << scan.output;
  const nlohmann::json cache = nlohmann::json::parse(scan.output, nullptr, false);
  ASSERT_TRUE(cache.is_object()) << scan.output;
  EXPECT_TRUE(cache["warnings"].empty()) << scan.output;
  ASSERT_EQ(cache["repos"].size(), 1u) << scan.output;
  const nlohmann::json& repo = cache["repos"][0];
  EXPECT_EQ(repo["id"], "org/tiny");
  ASSERT_EQ(repo["revisions"].size(), 1u);
  EXPECT_EQ(repo["revisions"][0]["commit"], pulled->commit);
  EXPECT_EQ(repo["revisions"][0]["refs"], nlohmann::json::array({"main"}));
  EXPECT_EQ(repo["revisions"][0]["files"],
            nlohmann::json({"config.json", "model.safetensors", "tokenizer.json"}));

  // The JS client finds hfd's files in place and fetches only what hfd did not select.
  hub_.Reset();
  const CommandResult js = Node("download " + hub_.endpoint() + " " + Quote(cache_dir()) +
                                " org/tiny " + pulled->commit);
  ASSERT_EQ(js.exit_code, 0) << js.output;
  EXPECT_TRUE(hub_.Requests("storage").empty());
  for (const auto& r : hub_.Requests("resolve")) {
    EXPECT_NE(r["path"].get<std::string>().find("README.md"), std::string::npos) << r.dump();
  }
}

}  // namespace
}  // namespace hfd::hub::testing
