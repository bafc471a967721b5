#include "tests/hub/pull_test_base.h"

#include <cstring>

namespace hfd::hub::testing {

void PullTestBase::SetUp() { ASSERT_TRUE(hub_.Start({"hf_known"}, 2)); }

HubConfig PullTestBase::Config() const {
  HubConfig config;
  config.endpoint = hub_.endpoint();
  config.cache_dir = cache_dir();
  config.hf_home = cache_.path();
  config.ca_bundle = hub_.ca_file();
  return config;
}

PullOptions PullTestBase::Options() {
  PullOptions options;
  options.retry.initial_backoff = Millis(10);
  options.retry.max_backoff = Millis(50);
  options.retry.max_total = Millis(60000);
  options.retry.pace = [mu = sleeps_mu_, sleeps = sleeps_](Millis d) {
    std::lock_guard<std::mutex> lock(*mu);
    sleeps->push_back(d);
    return std::min(d, Millis(20));
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
  hub_.AddFile(repo, ref, "config.json", TinyLlamaConfigJson(seed));
  hub_.AddFile(repo, ref, "tokenizer.json", R"({"model": {"type": "BPE"}})");
  hub_.AddFile(repo, ref, "README.md", "# tiny\n");
  hub_.AddRandomFile(repo, ref, "model.safetensors", weights_size, seed);
}

std::string PullTestBase::GgufFile(const std::string& arch, size_t size, size_t vocab,
                                   uint32_t tensor_type) {
  std::string out = "GGUF";
  const auto put = [&out](uint64_t v, size_t n) {
    out.append(reinterpret_cast<const char*>(&v), n);
  };
  const auto put_string = [&](const std::string& s) {
    put(s.size(), 8);
    out += s;
  };
  put(3, 4);                  // version
  put(vocab > 0 ? 1 : 0, 8);  // tensors
  put(vocab > 0 ? 2 : 1, 8);  // key-value pairs
  put_string("general.architecture");
  put(8, 4);  // string
  put_string(arch);
  if (vocab > 0) {
    put_string("tokenizer.ggml.tokens");
    put(9, 4);  // array
    put(8, 4);  // of strings
    put(vocab, 8);
    for (size_t i = 0; i < vocab; ++i) put_string("tok" + std::to_string(i));
    put_string("output.weight");
    put(2, 4);  // dimensions
    put(256, 8);
    put(64, 8);
    put(tensor_type, 4);
    put(0, 8);  // offset
  }
  out.resize(std::max(size, out.size()), '\x5a');
  return out;
}

std::string PullTestBase::ReadSnapshotFile(const PullResult& result,
                                           const std::string& path) const {
  return ::hfd::testing::ReadFileOrFail(result.snapshot_dir / path);
}

void PullTestBase::ExpectPullResumesFrom(const std::string& repo, size_t kept, size_t total) {
  hub_.Reset();
  auto resumed = Pull(repo);
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  const auto storage = hub_.Requests("storage");
  ASSERT_EQ(storage.size(), 1u);
  EXPECT_EQ(storage[0]["range"], "bytes=" + std::to_string(kept) + "-");
  // The rest of the weights, plus the small files the failed pull had not reached.
  EXPECT_GE(resumed->downloaded_bytes, total - kept);
  EXPECT_LT(resumed->downloaded_bytes, total - kept + 1024);
  EXPECT_EQ(ReadSnapshotFile(*resumed, "model.safetensors").size(), total);
}

}  // namespace hfd::hub::testing
