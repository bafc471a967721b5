#include "tests/serve/serve_test_env.h"

#include <fstream>

#include <gtest/gtest.h>

#include "tests/serve/harmony_test_model.h"
#include "tests/serve/test_model.h"
#include "tests/support/fixtures.h"

namespace hfd::serve::testing {
namespace {

constexpr auto kGenerous = std::chrono::seconds(60);

const std::filesystem::path& ModelDir() {
  static hfd::testing::TempDir* dir = new hfd::testing::TempDir();  // lives until exit
  return dir->path();
}

std::filesystem::path WriteOnce(const char* name, uint64_t seed) {
  const std::filesystem::path path = ModelDir() / name;
  const Status s = WriteTestModel(path, seed);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return path;
}

}  // namespace

const std::filesystem::path& TestModelPath() {
  static const std::filesystem::path path = WriteOnce("test-model.gguf", 7);
  return path;
}

const std::filesystem::path& OtherTestModelPath() {
  static const std::filesystem::path path = WriteOnce("other-model.gguf", 8);
  return path;
}

const std::filesystem::path& HarmonyTestModelPath() {
  static const std::filesystem::path path = [] {
    const std::filesystem::path file = ModelDir() / "harmony-model.gguf";
    Result<std::string> bytes = HarmonyTestModelBytes();
    EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
    if (bytes.ok()) std::ofstream(file, std::ios::binary) << *bytes;
    return file;
  }();
  return path;
}

ManagerOptions TestManagerOptions(int64_t memory_budget_bytes) {
  ManagerOptions o;
  o.memory_budget_bytes = memory_budget_bytes;
  o.backend.kind = backends::BackendKind::kCpu;
  o.backend.cpu_threads = 1;
  o.default_context = 256;
  o.prefill_batch = 32;
  return o;
}

ModelSource TestSource(const std::filesystem::path& path) {
  Result<ModelSource> source = LocalModelSource(path);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  return source.ok() ? std::move(source).value() : ModelSource();
}

LoadRequest TestLoad(const std::filesystem::path& source) {
  LoadRequest r;
  r.name = source.filename().string();
  r.source = TestSource(source);
  return r;
}

void Gate::Open() {
  std::lock_guard lock(mu_);
  open_ = true;
  cv_.notify_all();
}

void Gate::Wait() {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, kGenerous, [&] { return open_; });
}

void Gate::Arrive() {
  {
    std::lock_guard lock(mu_);
    ++arrived_;
    cv_.notify_all();
  }
  Wait();
}

bool Gate::WaitArrived() {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, kGenerous, [&] { return arrived_ > 0; });
}

TestJob MakeJob(const std::string& prompt, int32_t max_tokens, Gate* gate, std::vector<int>* order,
                std::mutex* order_mu, int tag) {
  TestJob t;
  for (unsigned char c : prompt) t.job->request.prompt.push_back(c);
  t.job->request.params.temperature = 0;
  t.job->request.params.max_tokens = max_tokens;
  t.job->cancel = t.cancel.get();
  auto first = std::make_shared<bool>(true);
  t.job->on_token = [gate, first](std::string_view, int32_t, const runtime::TokenLogprobs*) {
    if (gate != nullptr && std::exchange(*first, false)) gate->Arrive();
  };
  t.job->on_queued = [pos = t.queued_position](int32_t position) { *pos = position; };
  t.job->on_done = [done = t.done, cancel = t.cancel, order, order_mu, tag](Result<JobResult> r) {
    if (order != nullptr) {
      std::lock_guard lock(*order_mu);
      order->push_back(tag);
    }
    done->set_value(std::move(r));
  };
  return t;
}

Result<JobResult> Await(const TestJob& job) {
  if (job.result.wait_for(kGenerous) != std::future_status::ready) {
    ADD_FAILURE() << "a job did not finish within " << kGenerous.count() << " s";
    return Internal("timeout");
  }
  return job.result.get();
}

}  // namespace hfd::serve::testing
