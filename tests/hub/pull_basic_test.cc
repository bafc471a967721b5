// Pulls against the test Hub server: revisions, quant selection, cache hits, offline use.
#include <gtest/gtest.h>

#include "hub/sha256.h"
#include "tests/hub/pull_test_base.h"

namespace hfd::hub::testing {
namespace {

namespace fs = std::filesystem;

class PullBasicTest : public PullTestBase {};

TEST_F(PullBasicTest, PullsBranchIntoHuggingfaceHubLayout) {
  AddTinyModel("org/tiny", "main", 300000);
  std::vector<PullProgress> progress;
  auto ref = ParseModelRef("org/tiny");
  ASSERT_TRUE(ref.ok());
  auto result = MakePuller().Pull(
      *ref, Options(), [&](const PullProgress& p) { progress.push_back(p); }, nullptr);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->files,
            (std::vector<std::string>{"config.json", "model.safetensors", "tokenizer.json"}));
  EXPECT_FALSE(result->from_cache);
  EXPECT_EQ(result->downloaded_bytes, result->total_bytes);

  const RepoCache cache(cache_dir(), "org/tiny");
  EXPECT_EQ(result->snapshot_dir, cache.snapshot_dir(result->commit));
  auto main_ref = cache.ReadRef("main");
  ASSERT_TRUE(main_ref.ok());
  EXPECT_EQ(**main_ref, result->commit);
  const std::string weights = ReadSnapshotFile(*result, "model.safetensors");
  EXPECT_EQ(weights.size(), 300000u);
  const fs::path link = result->snapshot_dir / "model.safetensors";
  EXPECT_EQ(fs::read_symlink(link), fs::path("../../blobs") / Sha256Hex(weights));
  EXPECT_FALSE(fs::exists(result->snapshot_dir / "README.md"));
  EXPECT_TRUE(fs::exists(cache.lock_path(Sha256Hex(weights))));

  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back().phase, PullProgress::Phase::kDone);
  EXPECT_EQ(progress.back().bytes, result->total_bytes);
  EXPECT_EQ(progress.back().files_done, 3u);
  // The tree listing came in pages of two entries.
  size_t tree_pages = 0;
  for (const auto& r : hub_.Requests("api")) {
    tree_pages += r["path"].get<std::string>().find("/tree/") != std::string::npos;
  }
  EXPECT_GE(tree_pages, 2u);
}

TEST_F(PullBasicTest, TagCommitAndLatest) {
  AddTinyModel("org/tiny", "main", 1000, 1);
  AddTinyModel("org/tiny", "v1.0", 2000, 2);
  auto tag = Pull("org/tiny@v1.0");
  ASSERT_TRUE(tag.ok()) << tag.status().ToString();
  EXPECT_EQ(ReadSnapshotFile(*tag, "model.safetensors").size(), 2000u);
  auto latest = Pull("org/tiny@latest");
  ASSERT_TRUE(latest.ok());
  EXPECT_NE(latest->commit, tag->commit);
  EXPECT_EQ(ReadSnapshotFile(*latest, "model.safetensors").size(), 1000u);

  const RepoCache cache(cache_dir(), "org/tiny");
  EXPECT_EQ(**cache.ReadRef("v1.0"), tag->commit);
  EXPECT_EQ(**cache.ReadRef("main"), latest->commit);

  fs::remove_all(cache.repo_dir());
  auto pinned = Pull("org/tiny@" + tag->commit);
  ASSERT_TRUE(pinned.ok()) << pinned.status().ToString();
  EXPECT_EQ(pinned->commit, tag->commit);
  EXPECT_FALSE(fs::exists(cache.ref_path(tag->commit)));  // commits get no ref file

  auto missing = Pull("org/tiny@v9");
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.status().message().find("revision 'v9'"), std::string::npos)
      << missing.status().message();
}

TEST_F(PullBasicTest, QuantSelectorDownloadsOnlyThatFile) {
  hub_.AddFile("org/gguf", "main", "m.Q4_K_M.gguf", GgufFile("llama", 5000));
  hub_.AddFile("org/gguf", "main", "m.Q8_0.gguf", GgufFile("llama", 9000));
  hub_.AddFile("org/gguf", "main", "m-F16-00001-of-00002.gguf", GgufFile("llama", 7000));
  hub_.AddFile("org/gguf", "main", "m-F16-00002-of-00002.gguf", std::string(3000, 'x'));
  auto q8 = Pull("org/gguf:q8_0");
  ASSERT_TRUE(q8.ok()) << q8.status().ToString();
  EXPECT_EQ(q8->files, std::vector<std::string>{"m.Q8_0.gguf"});
  for (const auto& r : hub_.Requests("resolve")) {
    EXPECT_NE(r["path"].get<std::string>().find("m.Q8_0.gguf"), std::string::npos) << r.dump();
  }
  auto split = Pull("org/gguf:F16");
  ASSERT_TRUE(split.ok()) << split.status().ToString();
  EXPECT_EQ(split->files.size(), 2u);
  EXPECT_EQ(split->total_bytes, 10000u);
  auto none = Pull("org/gguf:Q5_K_M");
  ASSERT_EQ(none.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(none.status().message().find("F16, Q4_K_M, Q8_0"), std::string::npos)
      << none.status().message();
}

TEST_F(PullBasicTest, CacheHitMakesNoContentRequest) {
  AddTinyModel("org/tiny", "main", 50000);
  auto first = Pull("org/tiny");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  hub_.Reset();
  auto second = Pull("org/tiny");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(second->from_cache);
  EXPECT_EQ(second->downloaded_bytes, 0u);
  EXPECT_TRUE(hub_.Requests("resolve").empty());
  EXPECT_TRUE(hub_.Requests("storage").empty());
  // A pinned commit that is complete needs no request at all.
  hub_.Reset();
  auto pinned = Pull("org/tiny@" + first->commit);
  ASSERT_TRUE(pinned.ok());
  EXPECT_TRUE(pinned->offline);
  EXPECT_TRUE(hub_.Log().empty());
}

TEST_F(PullBasicTest, OfflineModeAndUnreachableHubUseTheCache) {
  AddTinyModel("org/tiny", "main", 50000);
  auto online = Pull("org/tiny");
  ASSERT_TRUE(online.ok());
  ASSERT_TRUE(Pull("org/tiny@" + online->commit).ok());

  HubConfig offline_config = Config();
  offline_config.offline = true;
  offline_config.endpoint = "http://127.0.0.1:9";  // nothing listens there
  Puller offline(offline_config, {});
  auto by_branch = offline.Pull(*ParseModelRef("org/tiny"), Options(), {}, nullptr);
  ASSERT_TRUE(by_branch.ok()) << by_branch.status().ToString();
  EXPECT_EQ(by_branch->commit, online->commit);
  EXPECT_TRUE(by_branch->offline);
  auto not_cached = offline.Pull(*ParseModelRef("org/other"), Options(), {}, nullptr);
  ASSERT_FALSE(not_cached.ok());
  EXPECT_NE(not_cached.status().message().find("HF_HUB_OFFLINE"), std::string::npos);

  HubConfig unreachable = Config();
  unreachable.endpoint = "http://127.0.0.1:9";
  PullOptions options = Options();
  options.retry.max_attempts = 2;
  auto fallback = Puller(unreachable, {}).Pull(*ParseModelRef("org/tiny"), options, {}, nullptr);
  ASSERT_TRUE(fallback.ok()) << fallback.status().ToString();
  ASSERT_EQ(fallback->warnings.size(), 1u);
  EXPECT_NE(fallback->warnings[0].find("could not reach the Hub"), std::string::npos);
  auto nothing = Puller(unreachable, {}).Pull(*ParseModelRef("org/other"), options, {}, nullptr);
  EXPECT_EQ(nothing.status().code(), ErrorCode::kUnavailable);

  // The client's --offline: the cache alone, without trying the Hub first.
  const size_t waits_before = sleeps().size();
  PullOptions local = Options();
  local.offline = true;
  auto asked = Puller(unreachable, {}).Pull(*ParseModelRef("org/tiny"), local, {}, nullptr);
  ASSERT_TRUE(asked.ok()) << asked.status().ToString();
  EXPECT_TRUE(asked->offline);
  EXPECT_TRUE(asked->warnings.empty());
  EXPECT_EQ(sleeps().size(), waits_before);
  auto absent = Puller(unreachable, {}).Pull(*ParseModelRef("org/other"), local, {}, nullptr);
  ASSERT_FALSE(absent.ok());
  EXPECT_NE(absent.status().message().find("this pull is offline"), std::string::npos)
      << absent.status().message();
}

TEST_F(PullBasicTest, RefusesUnsupportedArchitectureBeforeTheWeights) {
  hub_.AddFile("org/mamba", "main", "config.json",
               R"({"architectures": ["MambaForCausalLM"], "model_type": "mamba"})");
  hub_.AddRandomFile("org/mamba", "main", "model.safetensors", 100000, 3);
  auto refused = Pull("org/mamba");
  ASSERT_EQ(refused.status().code(), ErrorCode::kUnsupported);
  EXPECT_NE(refused.status().message().find("'mamba'"), std::string::npos)
      << refused.status().ToString();
  EXPECT_TRUE(hub_.Requests("storage").empty());

  hub_.AddFile("org/mamba-gguf", "main", "b.Q8_0.gguf", GgufFile("mamba", 400000));
  auto gguf = Pull("org/mamba-gguf");
  ASSERT_EQ(gguf.status().code(), ErrorCode::kUnsupported);
  const auto storage = hub_.Requests("storage");
  ASSERT_EQ(storage.size(), 1u);  // only the header, with a Range request
  EXPECT_EQ(storage[0]["range"], "bytes=0-262143");

  auto ref = ParseModelRef("org/mamba");
  PullOptions force = Options();
  force.force = true;
  EXPECT_TRUE(MakePuller().Pull(*ref, force, {}, nullptr).ok());
}

TEST_F(PullBasicTest, RefusesUnsupportedGgufTensorTypesReadingALongHeader) {
  // A 100k-token vocabulary (1.6 MB) puts the tensor infos past the first 256 KiB read.
  hub_.AddFile("org/iq", "main", "m.IQ2_XXS.gguf", GgufFile("llama", 8 << 20, 100000, 16));
  auto refused = Pull("org/iq");
  ASSERT_EQ(refused.status().code(), ErrorCode::kUnsupported);
  EXPECT_NE(refused.status().message().find("output.weight"), std::string::npos)
      << refused.status().ToString();
  const auto storage = hub_.Requests("storage");
  ASSERT_EQ(storage.size(), 2u);
  EXPECT_EQ(storage[0]["range"], "bytes=0-262143");
  EXPECT_EQ(storage[1]["range"], "bytes=0-2097151");

  hub_.AddFile("org/q4", "main", "m.Q4_K.gguf", GgufFile("llama", 8 << 20, 100000, 12));
  auto pulled = Pull("org/q4");
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
}

TEST_F(PullBasicTest, IncludeAndExcludeGlobs) {
  AddTinyModel("org/tiny", "main", 1000);
  auto ref = ParseModelRef("org/tiny");
  PullOptions options = Options();
  options.include = {"*.md", "*.json"};
  options.exclude = {"tokenizer*"};
  auto result = MakePuller().Pull(*ref, options, {}, nullptr);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->files, (std::vector<std::string>{"README.md", "config.json"}));
}

}  // namespace
}  // namespace hfd::hub::testing
