// Admission, FIFO order, busy, cancellation and max_concurrency on a real resident model
// (the tiny test model on the CPU backend).
#include <gtest/gtest.h>

#include "tests/serve/serve_test_env.h"

namespace hfd::serve::testing {
namespace {

std::shared_ptr<ResidentModel> LoadTestModel(ModelManager& manager, int32_t max_concurrency,
                                             int32_t max_queue) {
  LoadRequest load = TestLoad(TestModelPath());
  load.options.max_concurrency = max_concurrency;
  load.options.max_queue = max_queue;
  Result<std::shared_ptr<ResidentModel>> model = manager.Acquire(load);
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return model.ok() ? *model : nullptr;
}

TEST(Scheduling, QueuesInOrderThenAnswersBusy) {
  ModelManager manager(TestManagerOptions(), nullptr);
  auto model = LoadTestModel(manager, 1, 2);
  ASSERT_NE(model, nullptr);
  Gate gate;
  std::vector<int> order;
  std::mutex order_mu;
  TestJob running = MakeJob("first", 4, &gate, &order, &order_mu, 0);
  ASSERT_TRUE(model->Submit(running.job).ok());
  ASSERT_TRUE(gate.WaitArrived());  // the slot is busy until the gate opens
  TestJob second = MakeJob("second", 4, nullptr, &order, &order_mu, 1);
  TestJob third = MakeJob("third", 4, nullptr, &order, &order_mu, 2);
  ASSERT_TRUE(model->Submit(second.job).ok());
  ASSERT_TRUE(model->Submit(third.job).ok());
  EXPECT_EQ(*second.queued_position, 1);
  EXPECT_EQ(*third.queued_position, 2);
  EXPECT_EQ(model->Info().queued, 2);

  TestJob rejected = MakeJob("fourth", 4);
  const Status busy = model->Submit(rejected.job);
  EXPECT_EQ(busy.code(), ErrorCode::kBusy);
  EXPECT_NE(busy.message().find("1 running, 2 queued"), std::string::npos) << busy.message();

  gate.Open();
  for (const TestJob* job : {&running, &second, &third}) {
    Result<JobResult> r = Await(*job);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->run.result.tokens.size(), 4u);
  }
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(model->Info().requests_served, 3u);
  EXPECT_TRUE(model->Idle());
}

TEST(Scheduling, CancelRunningEndsItAndFreesTheSlot) {
  ModelManager manager(TestManagerOptions(), nullptr);
  auto model = LoadTestModel(manager, 1, 4);
  ASSERT_NE(model, nullptr);
  Gate gate;
  TestJob running = MakeJob("to be cancelled", -1, &gate);
  TestJob next = MakeJob("next", 3);
  ASSERT_TRUE(model->Submit(running.job).ok());
  ASSERT_TRUE(gate.WaitArrived());
  ASSERT_TRUE(model->Submit(next.job).ok());
  *running.cancel = true;
  gate.Open();
  Result<JobResult> cancelled = Await(running);
  EXPECT_EQ(cancelled.status().code(), ErrorCode::kCancelled);
  Result<JobResult> after = Await(next);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->run.result.tokens.size(), 3u);
}

TEST(Scheduling, CancelledQueuedRequestIsAnsweredAndRemoved) {
  ModelManager manager(TestManagerOptions(), nullptr);
  auto model = LoadTestModel(manager, 1, 4);
  ASSERT_NE(model, nullptr);
  Gate gate;
  std::vector<int> order;
  std::mutex order_mu;
  TestJob running = MakeJob("running", 8, &gate, &order, &order_mu, 0);
  TestJob cancelled = MakeJob("cancelled while queued", 8, nullptr, &order, &order_mu, 1);
  TestJob kept = MakeJob("kept", 2, nullptr, &order, &order_mu, 2);
  ASSERT_TRUE(model->Submit(running.job).ok());
  ASSERT_TRUE(gate.WaitArrived());
  ASSERT_TRUE(model->Submit(cancelled.job).ok());
  ASSERT_TRUE(model->Submit(kept.job).ok());
  *cancelled.cancel = true;
  gate.Open();  // the running request's next token sweeps the queue
  EXPECT_EQ(Await(cancelled).status().code(), ErrorCode::kCancelled);
  EXPECT_TRUE(Await(running).ok());
  EXPECT_TRUE(Await(kept).ok());
  ASSERT_EQ(order.size(), 3u);
  EXPECT_EQ(order[0], 1) << "the cancelled queued request is answered before the running one ends";
  EXPECT_EQ(model->Info().requests_served, 2u);
}

TEST(Scheduling, UnloadCancelsRunningAndQueuedRequests) {
  ModelManager manager(TestManagerOptions(), nullptr);
  auto model = LoadTestModel(manager, 1, 4);
  ASSERT_NE(model, nullptr);
  Gate gate;
  TestJob running = MakeJob("running", -1, &gate);
  TestJob queued = MakeJob("queued", 4);
  ASSERT_TRUE(model->Submit(running.job).ok());
  ASSERT_TRUE(gate.WaitArrived());
  ASSERT_TRUE(model->Submit(queued.job).ok());
  // Unload holds the model until its requests ended, which needs the gate open: open it
  // once the unload has begun, so the running request notices it at its next token.
  const ResidentModel* raw = model.get();
  model.reset();
  std::thread opener([&] {
    while (!raw->stopping()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    gate.Open();
  });
  Result<int> unloaded = manager.Unload(TestModelPath());
  opener.join();
  ASSERT_TRUE(unloaded.ok()) << unloaded.status().ToString();
  EXPECT_EQ(*unloaded, 2);
  for (const TestJob* job : {&running, &queued}) {
    const Status s = Await(*job).status();
    EXPECT_EQ(s.code(), ErrorCode::kCancelled);
    EXPECT_NE(s.message().find("unloaded"), std::string::npos) << s.message();
  }
  EXPECT_TRUE(manager.Ps().empty());
  EXPECT_EQ(manager.Unload(TestModelPath()).status().code(), ErrorCode::kNotFound);
}

TEST(Scheduling, TwoSlotsRunSideBySideWithTheSameResults) {
  ModelManager manager(TestManagerOptions(), nullptr);
  auto model = LoadTestModel(manager, 2, 0);
  ASSERT_NE(model, nullptr);
  Gate gate_a, gate_b;
  TestJob a = MakeJob("the same prompt", 12, &gate_a);
  TestJob b = MakeJob("the same prompt", 12, &gate_b);
  ASSERT_TRUE(model->Submit(a.job).ok());
  ASSERT_TRUE(model->Submit(b.job).ok());
  // Both reached their first token before either may go on: they run at once.
  ASSERT_TRUE(gate_a.WaitArrived());
  ASSERT_TRUE(gate_b.WaitArrived());
  EXPECT_EQ(model->Info().running, 2);
  TestJob c = MakeJob("no room", 1);
  EXPECT_EQ(model->Submit(c.job).code(), ErrorCode::kBusy);
  gate_a.Open();
  gate_b.Open();
  Result<JobResult> ra = Await(a), rb = Await(b);
  ASSERT_TRUE(ra.ok() && rb.ok());
  EXPECT_EQ(ra->run.result.text, rb->run.result.text);
  EXPECT_EQ(ra->run.result.tokens.size(), 12u);
}

// The second of two slots gets a prompt that starts like the first one's, which runs: how
// many of its tokens the prefix cache held, with the cache on or off (models.prefix_cache).
int64_t SharedPrefixTokens(bool prefix_cache) {
  ManagerOptions options = TestManagerOptions();
  options.prefix_cache = prefix_cache;
  ModelManager manager(options, nullptr);
  auto model = LoadTestModel(manager, 2, 0);
  if (model == nullptr) return -1;
  EXPECT_EQ(model->Info().prefix_cache, prefix_cache);
  const std::string system(80, 's');
  Gate gate;
  TestJob first = MakeJob(system + " first", 4, &gate);
  EXPECT_TRUE(model->Submit(first.job).ok());
  EXPECT_TRUE(gate.WaitArrived());
  TestJob second = MakeJob(system + " second", 4);
  EXPECT_TRUE(model->Submit(second.job).ok());
  Result<JobResult> done = Await(second);
  gate.Open();
  EXPECT_TRUE(Await(first).ok());
  if (!done.ok()) return -1;
  const ResidentInfo info = model->Info();
  EXPECT_EQ(info.prefix_tokens_saved, done->run.cached_tokens);
  EXPECT_EQ(info.prefix_hits, prefix_cache ? 1 : 0);
  if (!prefix_cache) {
    EXPECT_EQ(info.prefix_lookups, 0);
  }
  return done->run.cached_tokens;
}

TEST(Scheduling, ThePrefixCacheSharesASystemPromptUnlessSwitchedOff) {
  EXPECT_EQ(SharedPrefixTokens(true), 80);
  EXPECT_EQ(SharedPrefixTokens(false), 0);
}

TEST(Scheduling, CancelEndsARequestWaitingForKvBlocksAtOnce) {
  // A pool of one 64-position context: the first request holds 3 of its 4 blocks while it
  // waits at its first token, so the second, needing 2, waits for blocks; cancelled, it
  // is answered at once, not when the first goes on.
  ManagerOptions options = TestManagerOptions();
  options.kv_pool_tokens = 64;
  ModelManager manager(options, nullptr);
  LoadRequest load = TestLoad(TestModelPath());
  load.options.ctx = 64;
  load.options.max_concurrency = 2;
  Result<std::shared_ptr<ResidentModel>> model = manager.Acquire(load);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  ASSERT_EQ((*model)->Info().kv_blocks_total, 4);
  Gate gate;
  TestJob holder = MakeJob(std::string(40, 'h'), 4, &gate);
  ASSERT_TRUE((*model)->Submit(holder.job).ok());
  ASSERT_TRUE(gate.WaitArrived());
  TestJob waiter = MakeJob(std::string(30, 'w'), 4);
  ASSERT_TRUE((*model)->Submit(waiter.job).ok());
  EXPECT_EQ(waiter.result.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
  const auto cancelled_at = std::chrono::steady_clock::now();
  *waiter.cancel = true;
  const bool answered =
      waiter.result.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  const auto waited = std::chrono::steady_clock::now() - cancelled_at;
  gate.Open();
  ASSERT_TRUE(answered);
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(waited).count(), 500);
  EXPECT_EQ(Await(waiter).status().code(), ErrorCode::kCancelled);
  EXPECT_TRUE(Await(holder).ok());
}

}  // namespace
}  // namespace hfd::serve::testing
