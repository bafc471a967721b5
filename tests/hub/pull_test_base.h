// Shared setup of the pull integration tests: a test Hub server, an empty cache, and
// options whose retries wait only a few milliseconds (recording the waits asked for).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hub/puller.h"
#include "hub/repo_cache.h"
#include "tests/hub/test_hub_server.h"
#include "tests/support/fixtures.h"

namespace hfd::hub::testing {

class PullTestBase : public ::testing::Test {
 protected:
  // Starts the server; tree pages are 2 entries long so pagination is always exercised.
  void SetUp() override;

  std::filesystem::path cache_dir() const { return cache_.path() / "hub"; }
  HubConfig Config() const;
  // A Puller with `token` as the daemon's (from its configuration); none when empty.
  Puller MakePuller(const std::string& token = "") const {
    return Puller(Config(),
                  token.empty() ? ResolvedToken{} : ResolvedToken{token, TokenSource::kConfig, ""});
  }
  // Fast retries; waits are recorded in sleeps() instead of slept in full.
  PullOptions Options();
  std::vector<Millis> sleeps();

  Result<PullResult> Pull(const std::string& model, const std::string& token = "");

  // config.json (LlamaForCausalLM), tokenizer.json, README.md and a random
  // model.safetensors of `weights_size` bytes under `ref`.
  void AddTinyModel(const std::string& repo, const std::string& ref, size_t weights_size,
                    unsigned seed = 1);
  // A GGUF file of `size` bytes whose general.architecture is `arch`; with `vocab` > 0 a
  // tokenizer.ggml.tokens array of that many tokens and one tensor of GGML type id
  // `tensor_type`.
  static std::string GgufFile(const std::string& arch, size_t size, size_t vocab = 0,
                              uint32_t tensor_type = 0);

  std::string ReadSnapshotFile(const PullResult& result, const std::string& path) const;

  // Pulls `repo` again after a failed pull left `kept` bytes of its `total`-byte
  // model.safetensors: exactly one storage request, resuming at `kept`, then the whole file.
  void ExpectPullResumesFrom(const std::string& repo, size_t kept, size_t total);

  TestHubServer hub_;

 private:
  ::hfd::testing::TempDir cache_;
  std::shared_ptr<std::mutex> sleeps_mu_ = std::make_shared<std::mutex>();
  std::shared_ptr<std::vector<Millis>> sleeps_ = std::make_shared<std::vector<Millis>>();
};

}  // namespace hfd::hub::testing
