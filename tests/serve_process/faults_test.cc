// Bad input and faults while serving: unknown and uncached models, a prompt longer than
// the context, invalid sampling values, a client sending garbage mid-stream, and SIGTERM
// during a generation and a download.
#include <gtest/gtest.h>

#include <string>

#include "proto/codec.h"
#include "tests/serve_process/serve_harness.h"

namespace hfd::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

class Faults : public ServeTest {
 protected:
  // Runs a generate that must fail with `code`; returns its message.
  std::string GenerateFails(const json& params, ErrorCode code) {
    auto client = Connect();
    if (client == nullptr) return "";
    const Streamed s = StreamCall(*client, "generate", params);
    EXPECT_EQ(s.status.code(), code)
        << params.dump() << " gave " << s.status.ToString() << " " << s.result.dump();
    return std::string(s.status.message());
  }
};

TEST_F(Faults, UnknownModelsAreNotFound) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  GenerateFails(ShortGenerate((fixtures_ / "gguf/no-such-model.gguf").string()),
                ErrorCode::kNotFound);
  GenerateFails(ShortGenerate("/nonexistent/dir"), ErrorCode::kNotFound);
  auto load = Call("load", {{"model", (fixtures_ / "gguf/no-such-model.gguf").string()}});
  EXPECT_EQ(load.status().code(), ErrorCode::kNotFound) << load.status().ToString();
  EXPECT_TRUE(PsModels().empty());
}

TEST_F(Faults, AHubModelNotCachedWhileOfflineIsNotFoundWithAHint) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());  // HF_HUB_OFFLINE=1, empty cache
  const std::string message =
      GenerateFails(ShortGenerate(std::string(kLlama3GgufRepo) + ":Q8_0"), ErrorCode::kNotFound);
  EXPECT_NE(message.find("hfctl pull"), std::string::npos) << message;
  auto load = Call("load", {{"model", kLlama3Repo}});
  EXPECT_EQ(load.status().code(), ErrorCode::kNotFound) << load.status().ToString();
}

TEST_F(Faults, APromptLongerThanTheContextIsRefusedWithBothSizes) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  const std::string model = models_.llama3_q8.string();
  CallOk("load", {{"model", model}, {"ctx", 32}});
  json params = ShortGenerate(model);
  std::string prompt;
  for (int i = 0; i < 40; ++i) prompt += " word";  // 41 tokens with BOS, over 32
  params["prompt"] = prompt;
  const std::string message = GenerateFails(params, ErrorCode::kInvalidArgument);
  EXPECT_NE(message.find("32"), std::string::npos) << message;
  EXPECT_NE(message.find("41"), std::string::npos) << message;
  // A prompt that fits still works on the same resident model.
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  EXPECT_TRUE(StreamCall(*client, "generate", ShortGenerate(model, 4)).status.ok());
}

TEST_F(Faults, InvalidSamplingValuesAreRefusedNamingTheParam) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  const std::string model = models_.llama3_q8.string();
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"temperature", -1}}, "temperature"},
      {{{"temperature", 101}}, "temperature"},
      {{{"temperature", "hot"}}, "temperature"},
      {{{"top_k", -1}}, "top_k"},
      {{{"top_p", 1.5}}, "top_p"},
      {{{"min_p", 2}}, "min_p"},
      {{{"repeat_penalty", 0}}, "penalty"},
      {{{"presence_penalty", 3}}, "presence_penalty"},
      {{{"max_tokens", -2}}, "max_tokens"},
      {{{"penalty_last_n", -2}}, "penalty_last_n"},
      {{{"seed", -1}}, "seed"},
      {{{"stop", json::array({""})}}, "stop"},
      {{{"stop", json::array({std::string(300, 'a')})}}, "stop"},
      {{{"stop", json(std::vector<std::string>(17, "x"))}}, "stop"},
      {{{"temprature", 0.5}}, "temprature"},
  };
  for (const auto& [patch, word] : cases) {
    json params = ShortGenerate(model);
    params.update(patch);
    const std::string message = GenerateFails(params, ErrorCode::kInvalidArgument);
    EXPECT_NE(message.find(word), std::string::npos) << patch.dump() << ": " << message;
  }
  // Every refusal counts as a received and failed request.
  const std::string metrics = MetricsText();
  EXPECT_EQ(SumOfSamples(metrics, "llm_requests"), cases.size()) << metrics;
  EXPECT_EQ(SumOfSamples(metrics, "llm_failures"), cases.size()) << metrics;
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  EXPECT_TRUE(StreamCall(*client, "generate", ShortGenerate(model, 4)).status.ok());
}

TEST_F(Faults, GarbageFromOneClientLeavesAnotherClientsGenerationUnaffected) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  const std::string model = models_.llama3_q8.string();
  CallOk("load", {{"model", model}, {"ctx", 2048}});
  const json params = ShortGenerate(model, 300);

  BackgroundCall generation(socket(), "generate", params);
  ASSERT_TRUE(generation.WaitFor("token"));
  {
    auto rogue = RawClient::Connect(socket());
    ASSERT_NE(rogue, nullptr);
    rogue->Send(proto::EncodeRequest(1, "generate", ShortGenerate(model)));
    rogue->Send(std::string("\xc1\xc1\xc1\xc1", 4));  // 0xc1: never valid MessagePack
    bool got_protocol_error = false;
    for (;;) {
      auto message = rogue->Receive(60s);
      if (!message.ok()) break;
      if (message->type == proto::MessageType::kNotification &&
          message->method == "protocol_error") {
        got_protocol_error = true;
        EXPECT_EQ(message->params.value("code", 0), 1) << message->params.dump();
      }
    }
    EXPECT_TRUE(got_protocol_error);
    EXPECT_TRUE(rogue->WaitClosed(30s));
  }
  const Streamed& unaffected = generation.Finish();
  ASSERT_TRUE(unaffected.status.ok()) << unaffected.status.ToString();

  // The same request alone gives the same text.
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  const Streamed alone = StreamCall(*client, "generate", params);
  ASSERT_TRUE(alone.status.ok()) << alone.status.ToString();
  EXPECT_EQ(unaffected.result.value("text", ""), alone.result.value("text", ""));
  EXPECT_EQ(unaffected.text, unaffected.result.value("text", ""));
}

// Snapshot entries that are not complete files: dangling links or sizes not as served.
std::vector<std::string> IncompleteSnapshotFiles(
    const fs::path& cache, const std::map<std::string, std::uintmax_t>& sizes) {
  std::vector<std::string> bad;
  if (!fs::exists(cache)) return bad;
  for (const auto& entry : fs::recursive_directory_iterator(cache)) {
    const std::string path = entry.path().string();
    if (path.find("/snapshots/") == std::string::npos || fs::is_directory(entry.path())) continue;
    const auto expected = sizes.find(entry.path().filename().string());
    std::error_code ec;
    const std::uintmax_t size = fs::file_size(entry.path(), ec);  // follows the blob link
    if (ec || expected == sizes.end() || size != expected->second) bad.push_back(path);
  }
  return bad;
}

TEST_F(Faults, SigtermDuringGenerationAndDownloadLeavesNoPartialSnapshotFiles) {
  constexpr std::size_t kBigFile = 48u << 20;
  ASSERT_NO_FATAL_FAILURE(StartHub([](hub::testing::TestHubServer& hub) {
    hub.AddRandomFile("org/big-GGUF", "main", "big-Q8_0.gguf", kBigFile, 7);
  }));
  // Downloads trickle at 1 MB/s, so the big one is still running at SIGTERM.
  hub_->SetFaults(json::array({{{"kind", "slow"},
                                {"rate", 1000000},
                                {"server", "storage"},
                                {"count", -1},
                                {"match", "big-Q8_0"}}}));
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  const std::string model = std::string(kLlama3GgufRepo) + ":Q8_0";
  CallOk("pull", {{"model", model}});
  CallOk("load", {{"model", model}, {"ctx", kLongContext}});

  BackgroundCall generation(socket(), "generate", LongGenerate(model));
  ASSERT_TRUE(generation.WaitFor("token"));
  BackgroundCall download(socket(), "pull", {{"model", "org/big-GGUF"}});
  ASSERT_TRUE(download.WaitFor("progress"));

  EXPECT_EQ(daemon_process().Terminate(), std::optional<int>(0)) << DaemonLog();
  // Each request in flight is answered `unavailable`, saying why, before its connection
  // closes (docs/daemon.md, "Lifecycle").
  for (const Streamed* ended : {&generation.Finish(), &download.Finish()}) {
    EXPECT_EQ(ended->status.code(), ErrorCode::kUnavailable) << ended->status.ToString();
    EXPECT_NE(ended->status.message().find("hfd is shutting down (SIGTERM)"), std::string::npos)
        << ended->status.ToString();
  }

  const std::map<std::string, std::uintmax_t> sizes = {
      {models_.llama3_q8.filename().string(), fs::file_size(models_.llama3_q8)},
      {"big-Q8_0.gguf", kBigFile}};
  EXPECT_EQ(IncompleteSnapshotFiles(cache_dir(), sizes), std::vector<std::string>{});
  EXPECT_TRUE(fs::exists(cache_dir() / "models--fixtures--tiny-llama3-GGUF"));
}

}  // namespace
}  // namespace hfd::testing
