// Pulls through injected faults: cut connections, corrupt bodies, 429/5xx, auth errors,
// hostile file listings.
#include <gtest/gtest.h>

#include "hub/sha256.h"
#include "hub/token.h"
#include "tests/hub/pull_test_base.h"

namespace hfd::hub::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class PullFaultsTest : public PullTestBase {};

constexpr size_t kBig = 4 << 20;

TEST_F(PullFaultsTest, ResumesAfterCutConnectionDownloadingOnlyTheRest) {
  AddTinyModel("org/tiny", "main", kBig);
  hub_.SetFaults(json::array({{{"kind", "cut"}, {"server", "storage"}, {"after_bytes", 1 << 20}}}));
  auto result = Pull("org/tiny");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const auto storage = hub_.Requests("storage");
  ASSERT_EQ(storage.size(), 2u);
  EXPECT_TRUE(storage[0]["range"].is_null());
  EXPECT_EQ(storage[1]["range"], "bytes=1048576-");
  const std::string weights = ReadSnapshotFile(*result, "model.safetensors");
  EXPECT_EQ(weights.size(), kBig);
  EXPECT_EQ(fs::read_symlink(result->snapshot_dir / "model.safetensors").filename(),
            Sha256Hex(weights));
}

TEST_F(PullFaultsTest, CancelKeepsPartialDataAndTheNextPullResumes) {
  AddTinyModel("org/tiny", "main", kBig);
  hub_.SetFaults(json::array({{{"kind", "slow"}, {"server", "storage"}, {"rate", 2000000}}}));
  std::atomic<bool> cancel{false};
  auto ref = ParseModelRef("org/tiny");
  auto cancelled = MakePuller().Pull(
      *ref, Options(),
      [&](const PullProgress& p) {
        if (p.file == "model.safetensors" && p.file_bytes > 200000) cancel = true;
      },
      &cancel);
  ASSERT_EQ(cancelled.status().code(), ErrorCode::kCancelled);
  const RepoCache cache(cache_dir(), "org/tiny");
  const auto weights_listing = hub_.Requests("storage");
  ASSERT_EQ(weights_listing.size(), 1u);
  // Nothing that looks complete: no blob for the weights, no snapshot entry.
  std::string incomplete;
  for (const auto& e : fs::directory_iterator(cache.blobs_dir())) {
    if (e.path().extension() == ".incomplete") incomplete = e.path();
  }
  ASSERT_FALSE(incomplete.empty());
  const uint64_t kept = fs::file_size(incomplete);
  EXPECT_GT(kept, 0u);
  EXPECT_LT(kept, kBig);

  hub_.Reset();
  auto resumed = Pull("org/tiny");
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  const auto storage = hub_.Requests("storage");
  ASSERT_EQ(storage.size(), 1u);
  EXPECT_EQ(storage[0]["range"], "bytes=" + std::to_string(kept) + "-");
  EXPECT_EQ(ReadSnapshotFile(*resumed, "model.safetensors").size(), kBig);
  EXPECT_FALSE(fs::exists(incomplete));
}

TEST_F(PullFaultsTest, CorruptContentIsRejectedAndRetried) {
  AddTinyModel("org/tiny", "main", 100000);
  hub_.SetFaults(json::array({{{"kind", "corrupt"}, {"server", "storage"}}}));
  auto result = Pull("org/tiny");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(hub_.Requests("storage").size(), 2u);
  const std::string weights = ReadSnapshotFile(*result, "model.safetensors");
  EXPECT_EQ(fs::read_symlink(result->snapshot_dir / "model.safetensors").filename(),
            Sha256Hex(weights));

  AddTinyModel("org/bad", "main", 100000, 7);
  hub_.SetFaults(json::array({{{"kind", "corrupt"}, {"server", "storage"}, {"count", -1}}}));
  auto bad = Pull("org/bad");
  ASSERT_EQ(bad.status().code(), ErrorCode::kCorrupt);
  EXPECT_NE(bad.status().message().find("sha256"), std::string::npos);
  const RepoCache cache(cache_dir(), "org/bad");
  for (const auto& e : fs::directory_iterator(cache.blobs_dir())) {
    EXPECT_NE(e.path().filename().string().size(), 64u) << "unverified blob " << e.path();
  }
}

TEST_F(PullFaultsTest, RetriesServerErrorsAndHonoursRetryAfter) {
  AddTinyModel("org/tiny", "main", 1000);
  hub_.SetFaults(json::array(
      {{{"kind", "status"}, {"status", 429}, {"retry_after", "2"}, {"match", "/revision/"}},
       {{"kind", "status"}, {"status", 503}, {"server", "storage"}, {"count", 2}}}));
  auto result = Pull("org/tiny");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const std::vector<Millis> waits = sleeps();
  ASSERT_EQ(waits.size(), 3u);
  EXPECT_EQ(waits[0], Millis(2000));  // the server's Retry-After, not our backoff
  EXPECT_LE(waits[1], Millis(50));

  AddTinyModel("org/down", "main", 1000, 5);
  hub_.SetFaults(json::array({{{"kind", "status"}, {"status", 500}, {"count", -1}}}));
  auto down = Pull("org/down");
  ASSERT_EQ(down.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(down.status().message().find("gave up after 6 attempts"), std::string::npos)
      << down.status().message();
}

TEST_F(PullFaultsTest, AuthAndNotFoundErrorsSayWhatToDo) {
  AddTinyModel("org/gated", "main", 1000);
  hub_.SetRepoSettings("org/gated", {{"gated", true}, {"allowed_tokens", {"hf_granted"}}});
  auto anonymous = Pull("org/gated");
  ASSERT_EQ(anonymous.status().code(), ErrorCode::kUnauthenticated);
  for (const char* advice : {"token", "licence", "read scope"}) {
    EXPECT_NE(anonymous.status().message().find(advice), std::string::npos)
        << anonymous.status().message();
  }
  EXPECT_NE(anonymous.status().message().find("(HTTP 401) without a token"), std::string::npos)
      << anonymous.status().message();
  auto not_granted = Pull("org/gated", "hf_known");
  ASSERT_EQ(not_granted.status().code(), ErrorCode::kPermissionDenied);
  const std::string refusal = not_granted.status().message();
  EXPECT_NE(refusal.find("licence"), std::string::npos);
  // Which token was tried, never the token.
  EXPECT_NE(refusal.find("with the daemon's token (from hf_token in its configuration)"),
            std::string::npos)
      << refusal;
  EXPECT_EQ(refusal.find("hf_known"), std::string::npos) << refusal;
  EXPECT_TRUE(Pull("org/gated", "hf_granted").ok());
  EXPECT_EQ(sleeps().size(), 0u);  // none of these is retried

  auto no_repo = Pull("org/missing", "hf_known");
  ASSERT_EQ(no_repo.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(no_repo.status().message().find("repository 'org/missing'"), std::string::npos);
}

TEST_F(PullFaultsTest, TokenPrecedenceReachesTheHub) {
  AddTinyModel("org/tiny", "main", 1000);
  ::hfd::testing::TempDir home;
  const Env env = Env::FromMap({{"HF_TOKEN", "hf_env"}, {"HF_HOME", home.path().string()}});
  auto from_config = ResolveToken(std::string("hf_config"), env);
  ASSERT_TRUE(from_config.ok());
  ASSERT_TRUE(Pull("org/tiny", from_config->token).ok());
  for (const auto& r : hub_.Requests("api")) EXPECT_EQ(r["token"], "hf_config");

  hub_.Reset();
  PullOptions per_request = Options();
  per_request.token = "hf_request";
  ASSERT_TRUE(MakePuller(from_config->token)
                  .Pull(*ParseModelRef("org/tiny@main"), per_request, {}, nullptr)
                  .ok());
  const auto api = hub_.Requests("api");
  ASSERT_FALSE(api.empty());
  for (const auto& r : api) EXPECT_EQ(r["token"], "hf_request");
}

TEST_F(PullFaultsTest, AuthorizationIsNotForwardedAcrossTheRedirect) {
  AddTinyModel("org/tiny", "main", 100000);
  ASSERT_TRUE(Pull("org/tiny", "hf_known").ok());
  const auto resolves = hub_.Requests("resolve");
  ASSERT_FALSE(resolves.empty());
  for (const auto& r : resolves) EXPECT_EQ(r["token"], "hf_known");
  const auto storage = hub_.Requests("storage");
  ASSERT_EQ(storage.size(), 1u);
  EXPECT_FALSE(storage[0]["authorization"].get<bool>());
}

TEST_F(PullFaultsTest, HostileListingIsRefusedAndNothingIsWrittenOutside) {
  AddTinyModel("org/evil", "main", 1000);
  for (const std::string bad : {"../../x", "/etc/x"}) {
    hub_.SetRepoSettings("org/evil", {{"extra_files", {{bad, "owned"}}}});
    hub_.Reset();
    PullOptions options = Options();
    options.include = {"*"};
    auto result = MakePuller().Pull(*ParseModelRef("org/evil"), options, {}, nullptr);
    ASSERT_EQ(result.status().code(), ErrorCode::kPermissionDenied) << bad;
    EXPECT_NE(result.status().message().find("'" + bad + "'"), std::string::npos)
        << result.status().message();
    EXPECT_TRUE(hub_.Requests("resolve").empty());
  }
  EXPECT_FALSE(fs::exists(cache_dir() / "x"));
  EXPECT_FALSE(fs::exists(cache_dir().parent_path() / "x"));
  EXPECT_FALSE(fs::exists(RepoCache(cache_dir(), "org/evil").repo_dir() / "x"));
}

}  // namespace
}  // namespace hfd::hub::testing
