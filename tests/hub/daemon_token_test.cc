// The caller's side of Hub access through hfctl and a real daemon: `hfctl login` stores a
// token (mode 0600) that hfctl then sends with pull and load, for that request only; a
// refusal says which token was tried, never the token; the token shows up in no log,
// metric, history, listing or output. --offline and the caller's HF_HUB_OFFLINE never
// touch the network.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/hub/daemon_hub_fixture.h"

namespace hfd::hub::testing {
namespace {

namespace fs = std::filesystem;
using ::hfd::testing::CommandResult;
using nlohmann::json;

constexpr const char* kGated = "org/gated-GGUF";
constexpr const char* kToken = "hf_user_secret_1234";

class DaemonTokenTest : public DaemonHubTest {
 protected:
  void SetUp() override {
    HFD_REQUIRE_FIXTURES(fixtures);
    ServeFixture(kGated, fixtures / "gguf/tiny-llama3-Q8_0.gguf", "tiny.Q8_0.gguf");
    hub_.SetRepoSettings(kGated, {{"gated", true}, {"allowed_tokens", {kToken}}});
    DaemonHubTest::SetUp();
  }

  // The caller's environment: a home of its own, not the daemon's.
  std::vector<std::string> Caller() const { return {"HF_HOME=" + caller_home_.path().string()}; }
  fs::path TokenFile() const { return caller_home_.path() / "token"; }

  // Requests to the Hub's API and resolve endpoints carried the caller's token, and only
  // those: never the storage host.
  void ExpectTokenSentToTheHubOnly() {
    size_t with_token = 0;
    for (const json& r : hub_.Log()) {
      if (r["kind"] == "storage") {
        EXPECT_TRUE(r["token"].is_null()) << r.dump();
      } else {
        EXPECT_EQ(r["token"], kToken) << r.dump();
        ++with_token;
      }
    }
    EXPECT_GT(with_token, 0u);
  }

  ::hfd::testing::TempDir caller_home_;
};

TEST_F(DaemonTokenTest, LoginStoresATokenHfctlSendsAndNothingShowsIt) {
  CommandResult login = HfctlWithInput(std::string(kToken) + "\n", {"login"}, Caller());
  ASSERT_EQ(login.exit_code, 0) << login.err;
  struct stat st {};
  ASSERT_EQ(::stat(TokenFile().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(TokenFile());
  std::string stored;
  std::getline(in, stored);
  EXPECT_EQ(stored, kToken);

  std::vector<CommandResult> outputs = {login};
  outputs.push_back(Hfctl({"pull", kGated}, Caller()));
  ASSERT_EQ(outputs.back().exit_code, 0) << outputs.back().err << daemon_->Log();
  ExpectTokenSentToTheHubOnly();

  // A load that pulls sends it too.
  ASSERT_EQ(Hfctl({"rm", kGated}).exit_code, 0);
  hub_.Reset();
  outputs.push_back(Hfctl({"--json", "load", kGated, "--ctx", "64"}, Caller()));
  ASSERT_EQ(outputs.back().exit_code, 0) << outputs.back().err << daemon_->Log();
  ExpectTokenSentToTheHubOnly();

  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--json", "ps"},
                                             {"--json", "pulls"},
                                             {"--json", "history", "--limit", "50"},
                                             {"--json", "status"},
                                             {"metrics"},
                                             {"ls"}}) {
    outputs.push_back(Hfctl(args));
  }
  for (const CommandResult& r : outputs) {
    EXPECT_EQ(r.out.find(kToken), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find(kToken), std::string::npos) << r.err;
  }
  EXPECT_EQ(daemon_->Log().find(kToken), std::string::npos);
  // Used for those requests only: the daemon stored it nowhere.
  EXPECT_FALSE(fs::exists(cache_.path() / "token"));

  CommandResult logout = Hfctl({"logout"}, Caller());
  ASSERT_EQ(logout.exit_code, 0) << logout.err;
  EXPECT_FALSE(fs::exists(TokenFile()));
  EXPECT_NE(Hfctl({"logout"}, Caller()).out.find("no token file at"), std::string::npos);
}

TEST_F(DaemonTokenTest, ARefusalSaysWhichTokenWasTriedAndHowToGiveOne) {
  CommandResult anonymous = Hfctl({"pull", kGated}, Caller());
  EXPECT_EQ(anonymous.exit_code, 1);
  EXPECT_NE(anonymous.err.find("(HTTP 401) without a token"), std::string::npos) << anonymous.err;
  EXPECT_NE(anonymous.err.find("hfctl login"), std::string::npos) << anonymous.err;

  std::vector<std::string> wrong = Caller();
  wrong.push_back("HF_TOKEN=hf_not_allowed_5678");
  CommandResult refused = Hfctl({"load", kGated}, wrong);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("with the token sent with this request (the client's"),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(refused.err.find("hf_not_allowed_5678"), std::string::npos) << refused.err;
  EXPECT_EQ(daemon_->Log().find("hf_not_allowed_5678"), std::string::npos);

  const fs::path file = caller_home_.path() / "one-request-token";
  std::ofstream(file) << kToken << "\n";
  CommandResult granted = Hfctl({"load", kGated, "--ctx", "64", "--token-file", file}, Caller());
  EXPECT_EQ(granted.exit_code, 0) << granted.err << daemon_->Log();
}

TEST_F(DaemonTokenTest, OfflineNeverTouchesTheNetwork) {
  CommandResult absent = Hfctl({"pull", "--offline", "org/tiny"});
  EXPECT_EQ(absent.exit_code, 1);
  EXPECT_NE(absent.err.find("this pull is offline"), std::string::npos) << absent.err;
  CommandResult run = Hfctl({"run", "org/tiny", "Hello"}, {"HF_HUB_OFFLINE=1"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("this request is offline"), std::string::npos) << run.err;
  EXPECT_TRUE(hub_.Log().empty()) << hub_.Log().dump();

  ASSERT_EQ(Hfctl({"pull", "org/tiny"}).exit_code, 0);
  hub_.Reset();
  CommandResult cached = Hfctl({"--json", "pull", "org/tiny"}, {"HF_HUB_OFFLINE=1"});
  ASSERT_EQ(cached.exit_code, 0) << cached.err;
  EXPECT_TRUE(JsonLines(cached.out).back()["result"]["offline"].get<bool>()) << cached.out;
  EXPECT_TRUE(hub_.Log().empty()) << hub_.Log().dump();
}

}  // namespace
}  // namespace hfd::hub::testing
