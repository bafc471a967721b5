// The model manager: load dedupe, keep_alive expiry, LRU eviction under the memory
// budget, out_of_memory, option mismatches, shutdown.
#include <gtest/gtest.h>

#include <thread>

#include "engine/model/model_files.h"
#include "serve/memory_estimate.h"
#include "tests/serve/serve_test_env.h"
#include "tests/support/fixtures.h"

namespace hfd::serve::testing {
namespace {

// Polls `done` until it holds or a generous deadline passes (no timing assertion: the
// deadline only turns a hang into a failure).
template <typename Fn>
bool Eventually(Fn done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

int64_t ModelBytes(const std::filesystem::path& path, int32_t ctx) {
  auto files = model::OpenModelFiles(path);
  EXPECT_TRUE(files.ok());
  return EstimateMemory(**files, ctx, TestManagerOptions().prefill_batch).total(1);
}

TEST(Manager, ConcurrentLoadsOfOneModelShareOneLoad) {
  ModelManager manager(TestManagerOptions(), nullptr);
  constexpr int kCallers = 4;
  std::vector<std::shared_ptr<ResidentModel>> got(kCallers);
  std::vector<bool> loaded(kCallers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&, i] {
      bool did_load = false;
      auto model = manager.Acquire(TestLoad(TestModelPath()), &did_load);
      ASSERT_TRUE(model.ok()) << model.status().ToString();
      got[i] = *model;
      loaded[i] = did_load;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::count(loaded.begin(), loaded.end(), true), 1);
  for (const auto& model : got) EXPECT_EQ(model, got.front());
  ASSERT_EQ(manager.Ps().size(), 1u);
  EXPECT_EQ(manager.Ps().front().backend, "cpu");
}

TEST(Manager, KeepAliveUnloadsAnIdleModel) {
  ModelManager manager(TestManagerOptions(), nullptr);
  LoadRequest load = TestLoad(TestModelPath());
  load.options.keep_alive_seconds = 0.05;
  {
    auto model = manager.Acquire(load);
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    TestJob job = MakeJob("hello", 2);
    ASSERT_TRUE((*model)->Submit(job.job).ok());
    EXPECT_TRUE(Await(job).ok());
  }
  EXPECT_TRUE(Eventually([&] { return manager.Ps().empty(); }));
  EXPECT_FALSE(manager.HasResidentModels());
}

TEST(Manager, NegativeKeepAliveNeverExpires) {
  ModelManager manager(TestManagerOptions(), nullptr);
  LoadRequest load = TestLoad(TestModelPath());
  load.options.keep_alive_seconds = -1;
  auto model = manager.Acquire(load);
  ASSERT_TRUE(model.ok());
  EXPECT_FALSE((*model)->ExpiresAt().has_value());
  EXPECT_FALSE(manager.Ps().front().expires_in_seconds.has_value());
  // A later request with a keep_alive updates it.
  load.options.keep_alive_seconds = 30;
  ASSERT_TRUE(manager.Acquire(load).ok());
  EXPECT_TRUE((*model)->ExpiresAt().has_value());
}

TEST(Manager, EvictsTheLeastRecentlyUsedIdleModelToFit) {
  const int64_t one = ModelBytes(TestModelPath(), 64);
  ModelManager manager(TestManagerOptions(one + one / 2), nullptr);  // room for one model
  LoadRequest first = TestLoad(TestModelPath());
  first.options.ctx = 64;
  ASSERT_TRUE(manager.Acquire(first).ok());
  LoadRequest second = TestLoad(OtherTestModelPath());
  second.options.ctx = 64;
  auto other = manager.Acquire(second);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  const std::vector<ResidentInfo> ps = manager.Ps();
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps.front().path, OtherTestModelPath());
}

// A caller without the manage level (may_evict_others false) makes room only from its
// own idle models: another user's idle model stays, and the refusal says who may.
TEST(Manager, OnlyManagersEvictOtherUsersModels) {
  const int64_t one = ModelBytes(TestModelPath(), 64);
  ModelManager manager(TestManagerOptions(one + one / 2), nullptr);  // room for one model
  LoadRequest first = TestLoad(TestModelPath());
  first.options.ctx = 64;
  first.owner = 1001;
  ASSERT_TRUE(manager.Acquire(first).ok());
  LoadRequest second = TestLoad(OtherTestModelPath());
  second.options.ctx = 64;
  second.owner = 1002;
  second.may_evict_others = false;
  const Status refused = manager.Acquire(second).status();
  EXPECT_EQ(refused.code(), ErrorCode::kPermissionDenied) << refused.ToString();
  EXPECT_NE(refused.message().find("'manage'"), std::string::npos) << refused.message();
  ASSERT_EQ(manager.Ps().size(), 1u);
  EXPECT_EQ(manager.Ps().front().path, TestModelPath());
  // The owner of the idle model may replace it with its own next one.
  second.owner = 1001;
  ASSERT_TRUE(manager.Acquire(second).ok());
  EXPECT_EQ(manager.Ps().front().path, OtherTestModelPath());
}

TEST(Manager, NeverEvictsAModelInUse) {
  const int64_t one = ModelBytes(TestModelPath(), 64);
  ModelManager manager(TestManagerOptions(one + one / 2), nullptr);
  LoadRequest first = TestLoad(TestModelPath());
  first.options.ctx = 64;
  auto held = manager.Acquire(first);  // held, as a request being admitted holds it
  ASSERT_TRUE(held.ok());
  LoadRequest second = TestLoad(OtherTestModelPath());
  second.options.ctx = 64;
  const Status s = manager.Acquire(second).status();
  EXPECT_EQ(s.code(), ErrorCode::kOutOfMemory);
  EXPECT_NE(s.message().find("memory budget"), std::string::npos) << s.message();
  EXPECT_EQ(manager.Ps().size(), 1u);
}

TEST(Manager, DefaultContextShrinksToFitTheBudget) {
  const int64_t small = ModelBytes(TestModelPath(), 64);
  ModelManager manager(TestManagerOptions(small), nullptr);
  auto model = manager.Acquire(TestLoad(TestModelPath()));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_LE((*model)->ctx(), 64);
  EXPECT_GE((*model)->ctx(), 16);
  EXPECT_LE((*model)->memory_bytes(), small);
}

TEST(Manager, TooSmallABudgetIsOutOfMemory) {
  ModelManager manager(TestManagerOptions(1024), nullptr);
  const Status s = manager.Acquire(TestLoad(TestModelPath())).status();
  EXPECT_EQ(s.code(), ErrorCode::kOutOfMemory);
}

TEST(Manager, ResidentModelRefusesOtherSettings) {
  ModelManager manager(TestManagerOptions(), nullptr);
  LoadRequest load = TestLoad(TestModelPath());
  load.options.ctx = 128;
  ASSERT_TRUE(manager.Acquire(load).ok());
  load.options.ctx = 64;
  EXPECT_EQ(manager.Acquire(load).status().code(), ErrorCode::kInvalidArgument);
  load.options.ctx.reset();
  load.options.max_concurrency = 2;
  EXPECT_EQ(manager.Acquire(load).status().code(), ErrorCode::kInvalidArgument);
  load.options.max_concurrency.reset();
  EXPECT_TRUE(manager.Acquire(load).ok());
}

TEST(Manager, ABadModelFileIsAnErrorAndLeavesNothingBehind) {
  hfd::testing::TempDir dir;
  const auto path = dir.path() / "not-a-model.gguf";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fputs("GGUF but not really", f);
  std::fclose(f);
  ModelManager manager(TestManagerOptions(), nullptr);
  EXPECT_FALSE(manager.Acquire(TestLoad(path)).ok());
  EXPECT_FALSE(manager.HasResidentModels());
}

TEST(Manager, ShutdownEndsRequestsAndRefusesLoads) {
  ModelManager manager(TestManagerOptions(), nullptr);
  auto model = manager.Acquire(TestLoad(TestModelPath()));
  ASSERT_TRUE(model.ok());
  Gate gate;
  TestJob running = MakeJob("running", -1, &gate);
  ASSERT_TRUE((*model)->Submit(running.job).ok());
  ASSERT_TRUE(gate.WaitArrived());
  std::thread opener([&, raw = model->get()] {
    while (!raw->stopping()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    gate.Open();
  });
  manager.Shutdown(Unavailable("shutting down"));
  opener.join();
  EXPECT_EQ(Await(running).status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(manager.Acquire(TestLoad(TestModelPath())).status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ((*model)->Submit(MakeJob("late", 1).job).code(), ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace hfd::serve::testing
