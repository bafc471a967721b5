// hfd's pull, list and rm through hfctl, against a real daemon and the test Hub server.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <thread>

#include "engine/io/local_file_set.h"
#include "engine/model/derived_weights.h"
#include "tests/hub/daemon_hub_fixture.h"

namespace hfd::hub::testing {
namespace {

namespace fs = std::filesystem;
using ::hfd::testing::CommandResult;
using nlohmann::json;

TEST_F(DaemonHubTest, PullListRemove) {
  CommandResult pulled = Hfctl({"--json", "pull", "org/tiny"});
  ASSERT_EQ(pulled.exit_code, 0) << pulled.err << daemon_->Log();
  const std::vector<json> lines = JsonLines(pulled.out);
  ASSERT_GE(lines.size(), 2u) << pulled.out;
  size_t downloading = 0;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    ASSERT_TRUE(lines[i].contains("progress")) << lines[i].dump();
    downloading += lines[i]["progress"]["phase"] == "downloading";
  }
  EXPECT_GT(downloading, 0u);
  const json& result = lines.back()["result"];
  EXPECT_EQ(result["model"], "org/tiny");
  EXPECT_EQ(result["files"].size(), 3u);
  EXPECT_EQ(result["downloaded_bytes"], result["total_bytes"]);
  EXPECT_TRUE(
      fs::exists(fs::path(result["snapshot_dir"].get<std::string>()) / "model.safetensors"));
  CommandResult metrics = Hfctl({"metrics"});
  ASSERT_EQ(metrics.exit_code, 0) << metrics.err;
  const std::string counted =
      "\nhfd_download_bytes_total " + std::to_string(result["downloaded_bytes"].get<int64_t>());
  EXPECT_NE(metrics.out.find(counted), std::string::npos) << metrics.out;

  CommandResult again = Hfctl({"pull", "org/tiny"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out.rfind("cached org/tiny@", 0), 0u) << again.out;

  CommandResult listed = Hfctl({"--json", "ls"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const json models = json::parse(listed.out)["models"];
  ASSERT_EQ(models.size(), 1u);
  EXPECT_EQ(models[0]["id"], "org/tiny");
  EXPECT_EQ(models[0]["revisions"][0]["refs"], json::array({"main"}));
  CommandResult table = Hfctl({"ls"});
  EXPECT_NE(table.out.find("org/tiny"), std::string::npos) << table.out;

  ASSERT_EQ(Hfctl({"rm", "org/tiny"}).exit_code, 0);
  EXPECT_EQ(json::parse(Hfctl({"--json", "ls"}).out)["models"].size(), 0u);
  CommandResult missing = Hfctl({"rm", "org/tiny"});
  EXPECT_EQ(missing.exit_code, 1);
}

// `rm org/name@rev` removes the derived files built from the blobs it removes, and only
// those: the other revision's stays, until the whole repo goes.
TEST_F(DaemonHubTest, RemovingARevisionRemovesTheDerivedFilesOfItsBlobs) {
  hub_.AddFile("org/tiny", "old", "config.json", TinyLlamaConfigJson());
  hub_.AddFile("org/tiny", "old", "tokenizer.json", "{}");
  hub_.AddRandomFile("org/tiny", "old", "model.safetensors", 1 << 20, 2);
  const fs::path repo = cache_.path() / "hub" / "models--org--tiny";
  const model::DerivedStore store(repo.parent_path(), repo.filename().string() + "/.hfd-derived");
  std::map<std::string, fs::path> derived;
  for (const std::string revision : {"main", "old"}) {
    CommandResult pulled = Hfctl({"--json", "pull", "org/tiny@" + revision});
    ASSERT_EQ(pulled.exit_code, 0) << pulled.err << daemon_->Log();
    const fs::path snapshot =
        JsonLines(pulled.out).back()["result"]["snapshot_dir"].get<std::string>();
    // A derived file of the snapshot's weights, as a load builds it.
    auto files = io::OpenLocalDirectory(snapshot);
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    auto source = model::SourceIdentity(**files, "model.safetensors");
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    const model::DerivedTensor tensor{
        "t", ::hfd::TensorType::kF32, {4}, 16, [](std::span<uint8_t>) { return Status::Ok(); }};
    auto built = store.OpenOrBuild({"test-kind", 1, {*source}}, {tensor});
    ASSERT_TRUE(built.ok()) << built.status().ToString();
    derived[revision] = (*built)->path();
  }
  ASSERT_NE(derived["main"], derived["old"]);

  CommandResult removed = Hfctl({"rm", "org/tiny@old"});
  ASSERT_EQ(removed.exit_code, 0) << removed.err << daemon_->Log();
  EXPECT_FALSE(fs::exists(derived["old"]));
  EXPECT_TRUE(fs::exists(derived["main"]));
  EXPECT_NE(daemon_->Log().find("1 derived file(s)"), std::string::npos) << daemon_->Log();
  ASSERT_EQ(Hfctl({"rm", "org/tiny"}).exit_code, 0);
  EXPECT_FALSE(fs::exists(repo));
}

TEST_F(DaemonHubTest, GatedRepoNeedsTheRequestToken) {
  hub_.AddFile("org/gated", "main", "m.Q8_0.gguf", "GGUF");
  hub_.SetRepoSettings("org/gated", {{"gated", true}, {"allowed_tokens", {"hf_granted"}}});
  CommandResult refused = Hfctl({"pull", "org/gated", "--force"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("licence"), std::string::npos) << refused.err;

  const fs::path token_file = cache_.path() / "token-for-one-pull";
  std::ofstream(token_file) << "hf_granted\n";
  CommandResult granted = Hfctl({"pull", "org/gated", "--force", "--token-file", token_file});
  ASSERT_EQ(granted.exit_code, 0) << granted.err;
  EXPECT_EQ(daemon_->Log().find("hf_granted"), std::string::npos);  // never logged
  EXPECT_FALSE(fs::exists(cache_.path() / "token"));                // never stored
}

TEST_F(DaemonHubTest, ConfigTokenWinsOverHfTokenAndStaysSecret) {
  hub_.AddFile("org/gated", "main", "config.json", TinyLlamaConfigJson());
  hub_.AddRandomFile("org/gated", "main", "model.safetensors", 1 << 20, 4);
  hub_.SetRepoSettings("org/gated", {{"gated", true}, {"allowed_tokens", {"hf_from_config"}}});
  // HF_TOKEN names a token the Hub rejects: the pull works only if the config's wins.
  ::setenv("HF_TOKEN", "hf_from_env", 1);
  StartDaemon({}, "hf_token = \"hf_from_config\"\n");
  ::unsetenv("HF_TOKEN");

  CommandResult pulled = Hfctl({"--json", "pull", "org/gated"});
  ASSERT_EQ(pulled.exit_code, 0) << pulled.err << daemon_->Log();
  const json log = hub_.Log();
  size_t with_token = 0;
  for (const json& request : log) {
    if (request["kind"] == "storage") {
      EXPECT_TRUE(request["token"].is_null()) << request.dump();  // not sent off-origin
    } else if (request["kind"] == "api" || request["kind"] == "resolve") {
      EXPECT_EQ(request["token"], "hf_from_config") << request.dump();
      ++with_token;
    }
  }
  EXPECT_GT(with_token, 0u);

  CommandResult status = Hfctl({"--json", "status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(json::parse(status.out)["hub_token"], "config") << status.out;
  CommandResult table = Hfctl({"status"});
  CommandResult listed = Hfctl({"--json", "ls"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(json::parse(listed.out)["token_source"], "config");
  for (const std::string& text : {pulled.out, pulled.err, status.out, table.out, listed.out,
                                  Hfctl({"ls"}).out, daemon_->Log()}) {
    EXPECT_EQ(text.find("hf_from_config"), std::string::npos) << text;
  }
}

TEST_F(DaemonHubTest, DetachedPullRunsInTheBackground) {
  // Slow enough that the pull is still running when hfctl has returned.
  hub_.SetFaults(json::array({{{"kind", "slow"}, {"server", "storage"}, {"rate", 2000000}}}));
  CommandResult started = Hfctl({"--json", "pull", "--detach", "org/tiny"});
  ASSERT_EQ(started.exit_code, 0) << started.err << daemon_->Log();
  const json reply = json::parse(started.out)["result"];
  EXPECT_EQ(reply["detached"], true);
  const uint64_t id = reply["pull_id"].get<uint64_t>();

  json pull;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  bool seen_running = false;
  do {
    CommandResult listed = Hfctl({"--json", "pulls"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    const json all = json::parse(listed.out);
    for (const json& p : all["pulls"]) {
      if (p["id"].get<uint64_t>() == id) pull = p;
    }
    ASSERT_FALSE(pull.is_null()) << started.out << listed.out;
    EXPECT_EQ(pull["model"], "org/tiny");
    EXPECT_TRUE(pull["detached"].get<bool>());
    seen_running |= pull["state"] == "running";
    if (pull["state"] != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  } while (std::chrono::steady_clock::now() < deadline);
  EXPECT_TRUE(seen_running);  // 3 MiB at 2 MB/s: at least a second of it
  ASSERT_EQ(pull["state"], "done") << pull.dump();
  EXPECT_EQ(pull["progress"]["bytes"], pull["progress"]["total"]);
  CommandResult table = Hfctl({"pulls"});
  EXPECT_NE(table.out.find("org/tiny"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("done"), std::string::npos) << table.out;

  const json models = json::parse(Hfctl({"--json", "ls"}).out)["models"];
  ASSERT_EQ(models.size(), 1u);
  EXPECT_EQ(models[0]["revisions"][0]["files"], 3);
}

TEST_F(DaemonHubTest, RetriesAreShownWhileTheyWait) {
  // One failure of the revision API and one of the weights, each asking for a 1 s wait.
  hub_.SetFaults(json::array(
      {{{"kind", "status"},
        {"status", 503},
        {"retry_after", "1"},
        {"server", "api"},
        {"match", "/revision/"}},
       {{"kind", "status"}, {"status", 503}, {"retry_after", "1"}, {"server", "storage"}}}));
  CommandResult pulled = Hfctl({"--json", "pull", "org/tiny"});
  ASSERT_EQ(pulled.exit_code, 0) << pulled.err << daemon_->Log();
  std::vector<json> retries;
  for (const json& line : JsonLines(pulled.out)) {
    if (line.contains("progress") && line["progress"]["phase"] == "retrying") {
      retries.push_back(line["progress"]);
    }
  }
  ASSERT_EQ(retries.size(), 2u) << pulled.out;
  for (const json& retry : retries) {
    EXPECT_EQ(retry["retry"], 1) << retry.dump();
    EXPECT_EQ(retry["retries"], 5) << retry.dump();
    EXPECT_EQ(retry["retry_in_seconds"], 1.0) << retry.dump();
    EXPECT_NE(retry["reason"].get<std::string>().find("HTTP 503"), std::string::npos);
  }
  ASSERT_EQ(Hfctl({"rm", "org/tiny"}).exit_code, 0);
  hub_.SetFaults(json::array(
      {{{"kind", "status"}, {"status", 503}, {"retry_after", "1"}, {"server", "storage"}}}));
  CommandResult human = Hfctl({"pull", "org/tiny"});
  ASSERT_EQ(human.exit_code, 0) << human.err;
  EXPECT_NE(human.err.find("retry 1 of 5 in 1 s: the Hub had a temporary failure"),
            std::string::npos)
      << human.err;
}

TEST_F(DaemonHubTest, ADaemonStoppingDuringAPullAnswersItUnavailable) {
  hub_.SetFaults(json::array({{{"kind", "slow"}, {"server", "storage"}, {"rate", 500000}}}));
  const std::filesystem::path log = cache_.path() / "pull.log";
  auto pull = ::hfd::testing::ChildProcess::Start(HfctlArgv({"pull", "org/tiny"}), {}, log);
  ASSERT_NE(pull, nullptr);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (hub_.Requests("storage").empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(daemon_->process().Terminate(), std::optional<int>(0)) << daemon_->Log();
  EXPECT_EQ(pull->WaitExit(std::chrono::seconds(30)), std::optional<int>(1));
  std::ifstream in(log);
  const std::string printed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(printed.find("hfctl: hfd is shutting down (SIGTERM): the request ended unfinished; "
                         "run it again once hfd is back"),
            std::string::npos)
      << printed;
}

TEST_F(DaemonHubTest, BadModelIdIsAnError) {
  CommandResult bad = Hfctl({"pull", "org/name@../../etc"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("not allowed"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace hfd::hub::testing
