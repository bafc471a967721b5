// A gpt-oss safetensors checkpoint named by its local path, through a real hfd: its repacked
// experts are written once to the daemon's folder (the client sees the build), mapped by
// later loads and daemons, rebuilt when the source changes, and pruned at start once the
// model folder is gone.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>

#include "tests/cpu/gptoss_twin.h"
#include "tests/serve_process/serve_harness.h"

namespace hfd::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kTinyGptOssVocab = 3072;  // tiny-gptoss.config.json's vocab_size

// A WordLevel tokenizer.json with one token per id of tiny gpt-oss's vocabulary: enough to
// load it (the test looks at its weights, not its text).
void WriteTokenizer(const fs::path& dir, int vocab) {
  json tokens = json::object();
  for (int i = 0; i < vocab; ++i) tokens["t" + std::to_string(i)] = i;
  const json tokenizer = {
      {"model", {{"type", "WordLevel"}, {"unk_token", "t0"}, {"vocab", tokens}}},
      {"pre_tokenizer", {{"type", "WhitespaceSplit"}}}};
  std::ofstream(dir / "tokenizer.json") << tokenizer.dump();
}

class LocalDerivedWeights : public ServeTest {
 protected:
  void SetUp() override {
    ServeTest::SetUp();
    const Status written = WriteTinyGptOssTwin(HFD_MOE_TESTDATA, model_dir_);
    ASSERT_TRUE(written.ok()) << written.ToString();
    WriteTokenizer(model_dir_, kTinyGptOssVocab);
    // One folder for every daemon this test starts, as a real daemon's cache outlives it.
    ::setenv("HFD_DERIVED_DIR", derived_.c_str(), 1);
  }
  void TearDown() override {
    ::unsetenv("HFD_DERIVED_DIR");
    ServeTest::TearDown();
  }

  // Loads the model and returns the `building` progress the load reported ({bytes, total}).
  std::vector<std::pair<uint64_t, uint64_t>> Load() {
    std::vector<std::pair<uint64_t, uint64_t>> building;
    auto client = Connect();
    if (client == nullptr) return building;
    const Streamed s = StreamCall(
        *client, "load", {{"model", model_dir_.string()}, {"backend", "cpu"}, {"ctx", 64}},
        [&building](const std::string& method, const json& params) {
          if (method == "loading" && params.value("phase", "") == "building") {
            EXPECT_EQ(params.value("file", "").rfind("gpt-oss-experts-", 0), 0u) << params.dump();
            building.emplace_back(params.value("bytes", uint64_t{0}),
                                  params.value("total", uint64_t{0}));
          }
        });
    EXPECT_TRUE(s.status.ok()) << s.status.ToString() << DaemonLog();
    CallOk("unload", {{"model", model_dir_.string()}});
    return building;
  }

  std::vector<fs::path> Derived() const {
    std::vector<fs::path> out;
    if (!fs::exists(derived_)) return out;
    for (const auto& e : fs::directory_iterator(derived_)) out.push_back(e.path());
    return out;
  }

  fs::path model_dir_ = cache_.path() / "models" / "gptoss";
  fs::path derived_ = cache_.path() / "daemon-cache" / "derived";
};

TEST_F(LocalDerivedWeights, WrittenOnceMappedAfterRebuiltWhenChangedPrunedWhenGone) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  const auto first = Load();
  ASSERT_FALSE(first.empty()) << DaemonLog();
  EXPECT_GT(first.back().second, 0u);
  EXPECT_EQ(first.back().first, first.back().second);  // the client saw it finish
  const std::vector<fs::path> built = Derived();
  ASSERT_EQ(built.size(), 1u);
  const fs::file_time_type written_at = fs::last_write_time(built[0]);

  // Another load, and another daemon: mapped, not built.
  EXPECT_TRUE(Load().empty());
  StopDaemon();
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  EXPECT_TRUE(Load().empty()) << DaemonLog();
  EXPECT_EQ(Derived(), built);
  EXPECT_EQ(fs::last_write_time(built[0]), written_at);

  // The source changes: the load builds again and the old file goes.
  const fs::path weights = model_dir_ / "model.safetensors";
  fs::last_write_time(weights, fs::last_write_time(weights) - std::chrono::hours(1));
  EXPECT_FALSE(Load().empty());
  const std::vector<fs::path> rebuilt = Derived();
  ASSERT_EQ(rebuilt.size(), 1u);
  EXPECT_NE(rebuilt, built);

  // The model folder goes: the next daemon removes its file at start.
  StopDaemon();
  fs::remove_all(model_dir_);
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  EXPECT_TRUE(Eventually([this] { return Derived().empty(); }, std::chrono::seconds(30)))
      << DaemonLog();
}

}  // namespace
}  // namespace hfd::testing
