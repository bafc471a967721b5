#include "hub/token.h"

#include <gtest/gtest.h>

#include <fstream>

#include "hub/hub_config.h"
#include "tests/support/fixtures.h"

namespace hfd::hub {
namespace {

using ::hfd::testing::TempDir;

void WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

TEST(TokenTest, ConfigBeatsEnvironmentBeatsFile) {
  TempDir home;
  WriteFile(home.path() / "token", "hf_file\n");
  std::map<std::string, std::string> vars = {{"HF_HOME", home.path().string()},
                                             {"HF_TOKEN", "hf_env"}};
  auto from_config = ResolveToken(std::string("hf_config"), Env::FromMap(vars));
  ASSERT_TRUE(from_config.ok());
  EXPECT_EQ(from_config->token, "hf_config");
  EXPECT_EQ(from_config->source, TokenSource::kConfig);

  auto from_env = ResolveToken(std::nullopt, Env::FromMap(vars));
  ASSERT_TRUE(from_env.ok());
  EXPECT_EQ(from_env->token, "hf_env");
  EXPECT_EQ(TokenSourceName(from_env->source), "HF_TOKEN");

  vars.erase("HF_TOKEN");
  auto from_file = ResolveToken(std::string(""), Env::FromMap(vars));
  ASSERT_TRUE(from_file.ok());
  EXPECT_EQ(from_file->token, "hf_file");
  EXPECT_EQ(from_file->source, TokenSource::kTokenFile);
}

TEST(TokenTest, TokenPathOverridesHfHomeAndDefaultIsUnderHome) {
  TempDir dir;
  WriteFile(dir.path() / "custom", "  hf_custom  \n");
  WriteFile(dir.path() / "home/.cache/huggingface/token", "hf_default");
  auto custom =
      ResolveToken(std::nullopt, Env::FromMap({{"HF_TOKEN_PATH", (dir.path() / "custom").string()},
                                               {"HOME", (dir.path() / "home").string()}}));
  ASSERT_TRUE(custom.ok());
  EXPECT_EQ(custom->token, "hf_custom");
  auto fallback =
      ResolveToken(std::nullopt, Env::FromMap({{"HOME", (dir.path() / "home").string()}}));
  ASSERT_TRUE(fallback.ok());
  EXPECT_EQ(fallback->token, "hf_default");
}

TEST(TokenTest, NoTokenAnywhereIsNone) {
  TempDir home;
  auto none = ResolveToken(std::nullopt, Env::FromMap({{"HF_HOME", home.path().string()}}));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->present());
  EXPECT_EQ(TokenSourceName(none->source), "none");
}

TEST(TokenTest, RequestTokenFile) {
  TempDir dir;
  EXPECT_EQ(ReadTokenFile((dir.path() / "missing").string()).status().code(), ErrorCode::kNotFound);
  WriteFile(dir.path() / "empty", "\n");
  EXPECT_EQ(ReadTokenFile((dir.path() / "empty").string()).status().code(),
            ErrorCode::kInvalidArgument);
  WriteFile(dir.path() / "t", "hf_req\n");
  auto token = ReadTokenFile((dir.path() / "t").string());
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->token, "hf_req");
  EXPECT_EQ(token->source, TokenSource::kRequest);
}

TEST(HubConfigTest, FollowsHuggingfaceHubVariables) {
  auto config = HubConfigFromEnv(Env::FromMap({{"HOME", "/home/u"}}));
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->endpoint, "https://huggingface.co");
  EXPECT_EQ(config->cache_dir, "/home/u/.cache/huggingface/hub");
  EXPECT_FALSE(config->offline);
  EXPECT_EQ(config->ca_bundle, "");

  config = HubConfigFromEnv(Env::FromMap(
      {{"HF_HOME", "/h"}, {"HF_ENDPOINT", "http://127.0.0.1:9/"}, {"HF_HUB_OFFLINE", "1"}}));
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->endpoint, "http://127.0.0.1:9");
  EXPECT_EQ(config->cache_dir, "/h/hub");
  EXPECT_TRUE(config->offline);

  config = HubConfigFromEnv(Env::FromMap({{"HF_HOME", "/h"}, {"HF_HUB_CACHE", "/c"}}));
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->cache_dir, "/c");
  config = HubConfigFromEnv(Env::FromMap({{"HF_HOME", "/h"}, {"CURL_CA_BUNDLE", "/etc/ca.pem"}}));
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->ca_bundle, "/etc/ca.pem");
  EXPECT_FALSE(
      HubConfigFromEnv(Env::FromMap({{"HF_HOME", "/h"}, {"HF_ENDPOINT", "ftp://x"}})).ok());
}

}  // namespace
}  // namespace hfd::hub
