// How long models stay resident: keep_alive (a duration, 0, negative) and least-recently-
// used eviction under the `[models] memory_budget` of the configuration file.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <algorithm>
#include <fstream>

#include "common/units.h"
#include "tests/serve_process/serve_harness.h"

namespace hfd::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr int kCtx = 256;

class Residency : public ServeTest {
 protected:
  json Load(const std::string& model, const json& extra = json::object()) {
    json params = {{"model", model}, {"backend", "cpu"}, {"ctx", kCtx}};
    params.update(extra);
    return CallOk("load", params);
  }
  bool Resident(const std::string& model) {
    const json models = PsModels();
    return std::any_of(models.begin(), models.end(),
                       [&](const json& m) { return m.value("model", "") == model; });
  }
};

TEST_F(Residency, KeepAliveOfOneSecondUnloadsWhenIdle) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  const std::string model = models_.llama3_q8.string();
  const json loaded = Load(model, {{"keep_alive", 1}});
  EXPECT_EQ(loaded.value("keep_alive_seconds", 0.0), 1.0) << loaded.dump();
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  const Streamed s = StreamCall(*client, "generate", ShortGenerate(model));
  ASSERT_TRUE(s.status.ok()) << s.status.ToString();
  EXPECT_TRUE(Eventually([&] { return PsModels().empty(); }, 60s))
      << "still resident: " << PsModels().dump();
  // The log names the model it loaded and unloaded (at info level, the default).
  const std::string log = DaemonLog();
  EXPECT_NE(log.find("loaded " + model + " on "), std::string::npos) << log;
  EXPECT_NE(log.find("unloading " + model + ": idle for its keep_alive"), std::string::npos) << log;
}

TEST_F(Residency, KeepAliveZeroUnloadsRightAfterTheRequest) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  const std::string model = models_.llama3_q8.string();
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  json params = ShortGenerate(model);
  params["keep_alive"] = 0;
  const Streamed s = StreamCall(*client, "generate", params);
  ASSERT_TRUE(s.status.ok()) << s.status.ToString();
  EXPECT_TRUE(s.Saw("loading")) << "the model was not resident, so it was loaded first";
  EXPECT_TRUE(Eventually([&] { return PsModels().empty(); }, 30s))
      << "still resident: " << PsModels().dump();
}

TEST_F(Residency, NegativeKeepAliveNeverExpires) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  const std::string model = models_.llama3_q8.string();
  Load(model, {{"keep_alive", -1}});
  const json models = PsModels();
  ASSERT_EQ(models.size(), 1u);
  EXPECT_TRUE(models[0]["expires_in_seconds"].is_null()) << models.dump();
  // A later load of the same model updates keep_alive; the entry stays one model.
  const json again = Load(model, {{"keep_alive", "5m"}});
  EXPECT_EQ(again.value("keep_alive_seconds", 0.0), 300.0) << again.dump();
  EXPECT_EQ(PsModels().size(), 1u);
}

TEST_F(Residency, LeastRecentlyUsedIsEvictedUnderTheMemoryBudget) {
  const std::vector<std::string> models = {models_.llama3_q8.string(), models_.qwen2_q8.string(),
                                           models_.llama2_q4km.string()};
  // What each model takes at this context, measured on a daemon without a budget.
  std::vector<std::int64_t> bytes;
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  for (const std::string& m : models) {
    bytes.push_back(Load(m).value("memory_bytes", std::int64_t{0}));
    ASSERT_GT(bytes.back(), 0) << m;
  }
  StopDaemon();

  // Any two fit, all three do not.
  const std::int64_t total = bytes[0] + bytes[1] + bytes[2];
  const std::int64_t budget = total - *std::min_element(bytes.begin(), bytes.end()) / 2;
  ASSERT_NO_FATAL_FAILURE(
      StartDaemon("[models]\nmemory_budget = " + std::to_string(budget) + "\n"));
  EXPECT_EQ(CallOk("ps").value("memory_budget_bytes", std::int64_t{0}), budget);
  Load(models[0]);
  Load(models[1]);
  // Using the first makes the second the least recently used.
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(StreamCall(*client, "generate", ShortGenerate(models[0], 2)).status.ok());
  Load(models[2]);

  EXPECT_TRUE(Resident(models[0]));
  EXPECT_FALSE(Resident(models[1])) << "the least recently used model was not evicted";
  EXPECT_NE(DaemonLog().find("evicting idle model " + models[1] + " to make room for " + models[2]),
            std::string::npos)
      << DaemonLog();
  EXPECT_TRUE(Resident(models[2]));
  const json ps = CallOk("ps");
  EXPECT_LE(ps.value("memory_used_bytes", std::int64_t{0}), budget) << ps.dump();
}

TEST_F(Residency, AModelLargerThanTheBudgetIsOutOfMemory) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon("[models]\nmemory_budget = \"1MiB\"\n"));
  auto loaded = Call("load", {{"model", models_.llama3_q8.string()}, {"ctx", kCtx}});
  ASSERT_FALSE(loaded.ok()) << loaded->dump();
  EXPECT_EQ(loaded.status().code(), ErrorCode::kOutOfMemory) << loaded.status().ToString();
  EXPECT_TRUE(PsModels().empty());
}

// The sizes a load of `model` at kCtx reports on a daemon without limits.
struct LoadSizes {
  std::int64_t memory = 0, weights = 0;
};

// HFD_TEST_MEMINFO pointed at a /proc/meminfo stand-in for the daemons started meanwhile.
class FakeMemInfo {
 public:
  FakeMemInfo(const std::filesystem::path& path, std::int64_t available_bytes) {
    std::ofstream(path) << "MemTotal:       " << 2 * available_bytes / 1024
                        << " kB\nMemFree:        1024 kB\nMemAvailable:   "
                        << available_bytes / 1024 << " kB\nBuffers:        0 kB\n";
    ::setenv("HFD_TEST_MEMINFO", path.c_str(), 1);
  }
  ~FakeMemInfo() { ::unsetenv("HFD_TEST_MEMINFO"); }
  FakeMemInfo(const FakeMemInfo&) = delete;
  FakeMemInfo& operator=(const FakeMemInfo&) = delete;
};

class MemoryLimits : public Residency {
 protected:
  LoadSizes Measure(const std::string& model) {
    StartDaemon();
    const json loaded = Load(model);
    StopDaemon();
    return {loaded.value("memory_bytes", std::int64_t{0}),
            loaded.value("weights_bytes", std::int64_t{0})};
  }
};

TEST_F(MemoryLimits, OverTheBudgetIsRefusedWithBothSizesAndWhatToDo) {
  const std::string model = models_.llama3_q8.string();
  const LoadSizes sizes = Measure(model);
  ASSERT_GT(sizes.weights, 0);
  // Half the weights: no ctx makes it fit, so it is refused rather than clamped.
  const std::int64_t budget = sizes.weights / 2;
  ASSERT_NO_FATAL_FAILURE(
      StartDaemon("[models]\nmemory_budget = " + std::to_string(budget) + "\n"));
  const Result<json> loaded = Call("load", {{"model", model}, {"backend", "cpu"}, {"ctx", kCtx}});
  ASSERT_FALSE(loaded.ok()) << loaded->dump();
  EXPECT_EQ(loaded.status().code(), ErrorCode::kOutOfMemory);
  const std::string& message = loaded.status().message();
  EXPECT_NE(message.find("needs " + FormatBytes(sizes.memory) + " (weights " +
                         FormatBytes(sizes.weights)),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("of the " + FormatBytes(budget) + " memory budget"), std::string::npos)
      << message;
  EXPECT_NE(message.find("a smaller --ctx or a smaller quant"), std::string::npos) << message;
  EXPECT_TRUE(PsModels().empty());
}

TEST_F(MemoryLimits, OverTheMachinesAvailableMemoryIsRefusedWithBothSizes) {
  const std::string model = models_.llama3_q8.string();
  const LoadSizes sizes = Measure(model);
  ASSERT_GT(sizes.weights, 0);
  const std::int64_t available = sizes.weights / 2 / 1024 * 1024;
  const FakeMemInfo meminfo(cache_.path() / "meminfo", available);
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  const Result<json> loaded = Call("load", {{"model", model}, {"backend", "cpu"}, {"ctx", kCtx}});
  ASSERT_FALSE(loaded.ok()) << loaded->dump();
  EXPECT_EQ(loaded.status().code(), ErrorCode::kOutOfMemory);
  const std::string& message = loaded.status().message();
  EXPECT_NE(message.find("needs " + FormatBytes(sizes.memory)), std::string::npos) << message;
  EXPECT_NE(
      message.find("this machine has only " + FormatBytes(available) + " available (MemAvailable"),
      std::string::npos)
      << message;
  EXPECT_NE(message.find("a smaller --ctx or a smaller quant"), std::string::npos) << message;
}

TEST_F(MemoryLimits, PsShowsTheExpertsAndTheWeightBytesInMemoryAfterAGenerate) {
  const std::string model = (fixtures_ / "arch/tiny-qwen2moe-Q8_0.gguf").string();
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  Load(model);
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(StreamCall(*client, "generate", ShortGenerate(model, 4)).status.ok());
  const json models = PsModels();
  ASSERT_EQ(models.size(), 1u);
  const json& m = models[0];
  EXPECT_GT(m.value("expert_count", 0), 1) << m.dump();
  EXPECT_GT(m.value("expert_used_count", 0), 0) << m.dump();
  const auto resident = m.value("resident_weights_bytes", std::int64_t{0});
  EXPECT_GT(resident, 0) << m.dump();
  // Whole pages: at most the weights rounded up to a page per tensor.
  EXPECT_LE(resident, m.value("weights_bytes", std::int64_t{0}) + (std::int64_t{1} << 20))
      << m.dump();
}

TEST_F(Residency, InitialLoadModelsAreResidentAfterStartAndAFailingOneIsOnlyLogged) {
  const std::string model = models_.llama3_q8.string();
  ASSERT_NO_FATAL_FAILURE(
      StartDaemon("[models]\ninitial_load = [\"" + model + "\", \"/nonexistent/model.gguf\"]\n"));
  EXPECT_TRUE(Eventually([&] { return Resident(model); }, 60s))
      << "not resident after start: " << PsModels().dump();
  EXPECT_EQ(PsModels().size(), 1u) << PsModels().dump();
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  const Streamed s = StreamCall(*client, "generate", ShortGenerate(model));
  ASSERT_TRUE(s.status.ok()) << s.status.ToString();
  EXPECT_FALSE(s.Saw("loading")) << "the model was loaded at start, not by the request";
}

}  // namespace
}  // namespace hfd::testing
