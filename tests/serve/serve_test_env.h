// Shared pieces of the serve unit tests: the test model written once per process, a
// manager on the CPU backend, and jobs that report to a test through futures.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "serve/model_manager.h"

namespace hfd::serve::testing {

// The test model's path (written on first use into a directory removed at exit).
const std::filesystem::path& TestModelPath();
// A second test model with other weights (another resident model for eviction tests).
const std::filesystem::path& OtherTestModelPath();

// The scripted harmony model of harmony_test_model.h, written on first use.
const std::filesystem::path& HarmonyTestModelPath();

// Manager options for tests: CPU backend with one thread, the given budget (0: automatic).
ManagerOptions TestManagerOptions(int64_t memory_budget_bytes = 0);

// A local model file as a source; fails the test when it cannot be opened.
ModelSource TestSource(const std::filesystem::path& path);

LoadRequest TestLoad(const std::filesystem::path& source);

// A gate a job's token callback waits on, to hold a slot busy while a test arranges the
// queue behind it.
class Gate {
 public:
  void Open();
  // Waits until open (generous timeout: the tests fail rather than hang).
  void Wait();
  // Called by the job: marks that it reached the gate, then waits.
  void Arrive();
  // Waits until a job arrived.
  bool WaitArrived();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  int arrived_ = 0;
};

// A job whose result lands in `result` and whose text is collected.
struct TestJob {
  std::shared_ptr<Job> job = std::make_shared<Job>();
  std::shared_ptr<std::promise<Result<JobResult>>> done =
      std::make_shared<std::promise<Result<JobResult>>>();
  std::shared_future<Result<JobResult>> result = done->get_future().share();
  std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<std::atomic<int>> queued_position = std::make_shared<std::atomic<int>>(0);
};

// A greedy job over `prompt` with `max_tokens`, no end-of-sequence ids (so the length is
// predictable); `gate` (may be null) is waited on at the first token. `order` (may be null)
// records the job's `tag` when it finishes.
TestJob MakeJob(const std::string& prompt, int32_t max_tokens, Gate* gate = nullptr,
                std::vector<int>* order = nullptr, std::mutex* order_mu = nullptr, int tag = 0);

// Waits for a job's result (generous timeout); fails the test on timeout.
Result<JobResult> Await(const TestJob& job);

}  // namespace hfd::serve::testing
