#include "tests/hub/pull_test_base.h"

#include <cstring>
#include <thread>

namespace hfd::hub::testing {

void PullTestBase::SetUp() { ASSERT_TRUE(hub_.Start({"hf_known"}, 2)); }

HubConfig PullTestBase::Config() const {
  HubConfig config;
  config.endpoint = hub_.endpoint();
  config.cache_dir = cache_dir();
  config.hf_home = cache_.path();
  return config;
}

PullOptions PullTestBase::Options() {
  PullOptions options;
  options.retry.initial_backoff = Millis(10);
  options.retry.max_backoff = Millis(50);
  options.retry.max_total = Millis(60000);
  options.retry.sleep = [mu = sleeps_mu_, sleeps = sleeps_](Millis d) {
    {
      std::lock_guard<std::mutex> lock(*mu);
      sleeps->push_back(d);
    }
    std::this_thread::sleep_for(std::min(d, Millis(20)));
  };
  return options;
}

std::vector<Millis> PullTestBase::sleeps() {
  std::lock_guard<std::mutex> lock(*sleeps_mu_);
  return *sleeps_;
}

Result<PullResult> PullTestBase::Pull(const std::string& model, const std::string& token) {
  HFD_ASSIGN_OR_RETURN(ModelRef ref, ParseModelRef(model));
  return MakePuller(token).Pull(ref, Options(), {}, nullptr);
}

void PullTestBase::AddTinyModel(const std::string& repo, const std::string& ref,
                                size_t weights_size, unsigned seed) {
  hub_.AddFile(repo, ref, "config.json",
               R"({"architectures": ["LlamaForCausalLM"], "model_type": "llama", "seed": )" +
                   std::to_string(seed) + "}");
  hub_.AddFile(repo, ref, "tokenizer.json", R"({"model": {"type": "BPE"}})");
  hub_.AddFile(repo, ref, "README.md", "# tiny\n");
  hub_.AddRandomFile(repo, ref, "model.safetensors", weights_size, seed);
}

std::string PullTestBase::GgufFile(const std::string& arch, size_t size) {
  std::string out = "GGUF";
  const auto put = [&out](uint64_t v, size_t n) {
    out.append(reinterpret_cast<const char*>(&v), n);
  };
  put(3, 4);  // version
  put(0, 8);  // tensors
  put(1, 8);  // key-value pairs
  put(std::strlen("general.architecture"), 8);
  out += "general.architecture";
  put(8, 4);  // string
  put(arch.size(), 8);
  out += arch;
  out.resize(std::max(size, out.size()), '\x5a');
  return out;
}

std::string PullTestBase::ReadSnapshotFile(const PullResult& result,
                                           const std::string& path) const {
  return ::hfd::testing::ReadFileOrFail(result.snapshot_dir / path);
}

}  // namespace hfd::hub::testing
