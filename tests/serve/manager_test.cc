// The model manager: load dedupe, keep_alive expiry, LRU eviction under the memory
// budget, out_of_memory, reloads with other settings, ctx clamping, shutdown.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
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

// Records the notices of a load.
struct Notices {
  std::vector<std::string> seen;
  std::function<void(const std::string&)> Callback() {
    return [this](const std::string& n) { seen.push_back(n); };
  }
  bool Has(const std::string& part) const {
    return std::any_of(seen.begin(), seen.end(),
                       [&](const std::string& n) { return n.find(part) != std::string::npos; });
  }
};

TEST(Manager, AnIdleModelIsReloadedWithTheSettingsAskedFor) {
  ModelManager manager(TestManagerOptions(), nullptr);
  LoadRequest load = TestLoad(TestModelPath());
  load.options.ctx = 128;
  load.options.keep_alive_seconds = -1;
  ASSERT_TRUE(manager.Acquire(load).ok());
  Notices notices;
  load.options.ctx = 64;
  load.options.keep_alive_seconds.reset();
  load.on_notice = notices.Callback();
  bool loaded = false;
  auto reloaded = manager.Acquire(load, &loaded);
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().ToString();
  EXPECT_TRUE(loaded);
  EXPECT_EQ((*reloaded)->ctx(), 64);
  EXPECT_TRUE(notices.Has("was loaded with ctx 128; reloading it")) << notices.seen.size();
  // What the request did not ask for is kept.
  EXPECT_EQ((*reloaded)->Info().keep_alive_seconds, -1);
  ASSERT_EQ(manager.Ps().size(), 1u);
  // The same settings again: served as it is.
  load.options.ctx = 64;
  auto same = manager.Acquire(load, &loaded);
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(loaded);
  EXPECT_EQ(*same, *reloaded);
}

TEST(Manager, ABusyModelIsNotReloadedAndAUseCallerNever) {
  ModelManager manager(TestManagerOptions(), nullptr);
  LoadRequest load = TestLoad(TestModelPath());
  load.options.ctx = 128;
  auto model = manager.Acquire(load);
  ASSERT_TRUE(model.ok());
  Gate gate;
  TestJob running = MakeJob("running", 4, &gate);
  ASSERT_TRUE((*model)->Submit(running.job).ok());
  ASSERT_TRUE(gate.WaitArrived());
  model->reset();
  load.options.ctx = 64;
  const Status busy = manager.Acquire(load).status();
  EXPECT_EQ(busy.code(), ErrorCode::kBusy) << busy.ToString();
  EXPECT_NE(busy.message().find("loaded with ctx 128 and has 1 running"), std::string::npos)
      << busy.message();
  gate.Open();
  ASSERT_TRUE(Await(running).ok());
  load.may_evict_others = false;
  EXPECT_EQ(manager.Acquire(load).status().code(), ErrorCode::kInvalidArgument);
  load.may_evict_others = true;
  load.options.max_concurrency = 2;
  auto wider = manager.Acquire(load);
  ASSERT_TRUE(wider.ok()) << wider.status().ToString();
  EXPECT_EQ((*wider)->Info().max_concurrency, 2);
}

TEST(Manager, AnAskedCtxIsClampedToTheModelAndTheBudgetWithANotice) {
  ModelManager manager(TestManagerOptions(), nullptr);
  LoadRequest load = TestLoad(TestModelPath());
  Notices notices;
  load.on_notice = notices.Callback();
  load.options.ctx = 4096;  // the test model is trained for 512
  auto model = manager.Acquire(load);
  ASSERT_TRUE(model.ok());
  EXPECT_EQ((*model)->ctx(), 512);
  EXPECT_TRUE(
      notices.Has("ctx 4096 is more than test-model.gguf was trained for: loaded with "
                  "its maximum, ctx 512"));
  model->reset();
  // Asking for 4096 again is what it was loaded for: no reload.
  bool loaded = true;
  ASSERT_TRUE(manager.Acquire(load, &loaded).ok());
  EXPECT_FALSE(loaded);

  const int64_t small = ModelBytes(TestModelPath(), 128);
  ModelManager tight(TestManagerOptions(small), nullptr);
  Notices budget;
  load.on_notice = budget.Callback();
  load.options.ctx = 512;
  auto fitted = tight.Acquire(load);
  ASSERT_TRUE(fitted.ok()) << fitted.status().ToString();
  EXPECT_LE((*fitted)->ctx(), 128);
  EXPECT_GE((*fitted)->ctx(), 112);
  EXPECT_TRUE(budget.Has("ctx 512 needs ")) << budget.seen.size();
  EXPECT_TRUE(budget.Has("memory budget: loaded with ctx " + std::to_string((*fitted)->ctx())));
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

TEST(Manager, ABatchedModelsKvPoolIsSizedFromTheBudgetAndRequestsWaitForBlocks) {
  // Four batched slots of ctx 128 in a budget that leaves KV room for two whole contexts:
  // the pool holds two (not four, not less), and four requests that together need more
  // than it holds all finish with what each gives alone.
  constexpr int32_t kSlots = 4;
  constexpr int32_t kCtx = 128;
  auto files = model::OpenModelFiles(TestModelPath());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  const MemoryEstimate e = EstimateMemory(**files, kCtx, TestManagerOptions().prefill_batch);
  const int64_t budget =
      e.with_kv(kSlots, 2 * e.kv_bytes_per_slot) + 8 * e.kv_bytes_per_position;  // < a block more
  ModelManager manager(TestManagerOptions(budget), nullptr);
  LoadRequest load = TestLoad(TestModelPath());
  load.options.ctx = kCtx;
  load.options.max_concurrency = kSlots;
  auto model = manager.Acquire(load);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const ResidentInfo info = (*model)->Info();
  EXPECT_EQ(info.ctx, kCtx);
  EXPECT_EQ(info.kv_cache_bytes, 2 * e.kv_bytes_per_slot);
  EXPECT_LE(info.memory_bytes, budget);

  // 100 tokens each: 7 of the pool's 16 blocks.
  const std::vector<std::string> prompts = {"one", "two two", "three three three", "four"};
  std::vector<std::string> alone;
  for (const std::string& prompt : prompts) {
    TestJob job = MakeJob(prompt, 100);
    ASSERT_TRUE((*model)->Submit(job.job).ok());
    Result<JobResult> done = Await(job);
    ASSERT_TRUE(done.ok()) << done.status().ToString();
    alone.push_back(done->run.result.text);
  }
  std::vector<TestJob> jobs;
  jobs.reserve(prompts.size());
  for (const std::string& prompt : prompts) jobs.push_back(MakeJob(prompt, 100));
  for (const TestJob& job : jobs) ASSERT_TRUE((*model)->Submit(job.job).ok());
  for (size_t i = 0; i < jobs.size(); ++i) {
    Result<JobResult> done = Await(jobs[i]);
    ASSERT_TRUE(done.ok()) << done.status().ToString();
    EXPECT_EQ(done->run.result.tokens.size(), 100u) << prompts[i];
    EXPECT_EQ(done->run.result.text, alone[i]) << prompts[i];
  }
}

}  // namespace
}  // namespace hfd::serve::testing
