// The official JavaScript clients (`openai`, `ollama`; pinned in clients/package-lock.json)
// drive hfd over the HTTP Unix socket and over loopback TCP: they list models, chat and
// complete, streamed and not, and their greedy text is hfctl's.
#include <gtest/gtest.h>

#include "tests/http/http_harness.h"

namespace hfd::testing {
namespace {

using nlohmann::json;

class ClientsTest : public HttpTest {
 protected:
  void SetUp() override {
    HttpTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_NO_FATAL_FAILURE(PrepareNodeClients());
    if (IsSkipped()) return;
    port_ = FreeTcpPort();
    ASSERT_NO_FATAL_FAILURE(
        StartServing("http_listen = \"127.0.0.1:" + std::to_string(port_) + "\"\n"));
    hfctl_chat_ =
        HfctlJson({"chat", kHttpModel, "Tell me about the sea.", "-n", "12", "--temperature", "0"})
            .value("text", "?");
    hfctl_run_ =
        HfctlJson({"run", kHttpModel, "The capital of France is", "-n", "12", "--temperature", "0"})
            .value("text", "?");
  }

  std::string tcp_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Runs a client script on both transports and checks what both have in common.
  void ExpectOpenAiClient(const std::string& target) {
    const CommandResult r = Node("openai_client.mjs", {target, kHttpModel});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    const json out = json::parse(r.out, nullptr, false);
    ASSERT_TRUE(out.is_object()) << r.out;
    EXPECT_NE(std::find(out["models"].begin(), out["models"].end(), kHttpModel),
              out["models"].end())
        << out["models"];
    EXPECT_EQ(out["chat"]["text"], hfctl_chat_);
    EXPECT_EQ(out["chat"]["finish"], "length");
    EXPECT_EQ(out["chat"]["usage"]["completion_tokens"], 12);
    EXPECT_EQ(out["chat_stream"]["text"], hfctl_chat_);
    EXPECT_GT(out["chat_stream"]["chunks"].get<int>(), 1);
    EXPECT_EQ(out["chat_stream"]["usage"]["completion_tokens"], 12);
    EXPECT_EQ(out["completion"]["text"], hfctl_run_);
    EXPECT_EQ(out["completion_stream"]["text"], hfctl_run_);
    EXPECT_EQ(out["missing"]["status"], 404) << out["missing"];
  }

  // `manages`: the transport's caller has the manage level (root on the Unix socket), so
  // it may pull; a TCP caller has `use`.
  void ExpectOllamaClient(const std::string& target, bool manages) {
    const CommandResult r = Node("ollama_client.mjs", {target, std::string("hf.co/") + kHttpModel});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    const json out = json::parse(r.out, nullptr, false);
    ASSERT_TRUE(out.is_object()) << r.out;
    EXPECT_FALSE(out["version"].get<std::string>().empty());
    EXPECT_NE(std::find(out["tags"].begin(), out["tags"].end(), kHttpModel), out["tags"].end())
        << out["tags"];
    EXPECT_EQ(out["chat"]["text"], hfctl_chat_);
    EXPECT_EQ(out["chat"]["done_reason"], "length");
    EXPECT_EQ(out["chat"]["eval_count"], 12);
    EXPECT_GT(out["chat"]["total_duration"].get<double>(), 1e5) << "nanoseconds";
    EXPECT_EQ(out["chat_stream"]["text"], hfctl_chat_);
    EXPECT_GT(out["chat_stream"]["parts"].get<int>(), 2);
    EXPECT_EQ(out["chat_stream"]["eval_count"], 12);
    EXPECT_EQ(out["generate"]["text"], hfctl_run_);
    EXPECT_EQ(out["generate_stream"]["text"], hfctl_run_);
    EXPECT_EQ(out["ps"].size(), 1u) << out["ps"];
    EXPECT_EQ(out["show"]["quantization_level"], "Q8_0");
    ASSERT_FALSE(out["pull"].empty());
    if (manages) {
      EXPECT_EQ(out["pull"].back(), "success") << out["pull"];
    } else {
      EXPECT_EQ(out["pull"].back(), 403) << out["pull"];
    }
    // A manager's unknown model is looked up on the Hub, which has no such repo; a user
    // is told to pull it.
    EXPECT_EQ(out["missing"]["status"], 404) << out["missing"];
  }

  int port_ = 0;
  std::string hfctl_chat_, hfctl_run_;
};

TEST_F(ClientsTest, OpenAiClientOverTheUnixSocket) { ExpectOpenAiClient(http_socket()); }

TEST_F(ClientsTest, OpenAiClientOverTcp) { ExpectOpenAiClient(tcp_url()); }

// logprobs / top_logprobs: one entry per completion token, streamed or not, each
// consistent (openai_logprobs.mjs checks them); refused out of range or without logprobs.
TEST_F(ClientsTest, OpenAiClientLogprobs) {
  const CommandResult r = Node("openai_logprobs.mjs", {http_socket(), kHttpModel});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json out = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(out.is_object()) << r.out;
  EXPECT_EQ(out["chat"]["entries"], 12) << out["chat"];
  EXPECT_EQ(out["chat"]["usage"], 12);
  EXPECT_TRUE(out["chat"]["text_matches"].get<bool>()) << out["chat"];
  EXPECT_EQ(out["chat"]["problems"], json::array()) << out["chat"];
  EXPECT_EQ(out["chat_stream"]["entries"], 12) << out["chat_stream"];
  EXPECT_EQ(out["chat_stream"]["usage"], 12);
  EXPECT_EQ(out["chat_stream"]["tokens"], out["chat"]["tokens"]);
  EXPECT_EQ(out["chat_stream"]["problems"], json::array()) << out["chat_stream"];
  EXPECT_TRUE(out["plain_logprobs"].is_null()) << out["plain_logprobs"];
  EXPECT_EQ(out["completion"]["entries"], 12) << out["completion"];
  EXPECT_EQ(out["completion"]["usage"], 12);
  EXPECT_EQ(out["completion"]["lists"], json::array({12, 12, 12}));
  EXPECT_EQ(out["completion"]["problems"], json::array()) << out["completion"];
  EXPECT_EQ(out["refused"]["top_21"], 400);
  EXPECT_EQ(out["refused"]["top_without_logprobs"], 400);
}

TEST_F(ClientsTest, OllamaClientOverTheUnixSocket) { ExpectOllamaClient(http_socket(), true); }

TEST_F(ClientsTest, OllamaClientOverTcp) { ExpectOllamaClient(tcp_url(), false); }

}  // namespace
}  // namespace hfd::testing
