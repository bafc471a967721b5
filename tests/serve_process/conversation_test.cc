// Conversation reuse: the next chat turn prefills only its new tokens (usage.cached_tokens)
// and gives the same greedy text as a fresh run of the whole conversation.
#include <gtest/gtest.h>

#include "tests/serve_process/serve_harness.h"

namespace hfd::testing {
namespace {

using nlohmann::json;

class Conversation : public ServeTest {
 protected:
  Streamed Chat(const json& messages) {
    auto client = Connect();
    if (client == nullptr) return {};
    return StreamCall(
        *client, "chat",
        {{"model", model_}, {"messages", messages}, {"max_tokens", 8}, {"temperature", 0}});
  }
  void Load() { CallOk("load", {{"model", model_}, {"backend", "cpu"}, {"ctx", 512}}); }

  std::string model_;
};

TEST_F(Conversation, SecondTurnReusesTheCacheAndMatchesAFreshRun) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  model_ = models_.llama3_dir.string();
  Load();
  json messages = json::array({{{"role", "user"}, {"content", "What is the capital of France?"}}});
  const Streamed first = Chat(messages);
  ASSERT_TRUE(first.status.ok()) << first.status.ToString();
  const json& reply = first.result["message"];
  EXPECT_EQ(reply.value("role", ""), "assistant");
  EXPECT_EQ(reply.value("content", ""), first.result.value("text", "")) << first.result.dump();
  EXPECT_EQ(first.text, first.result.value("text", ""));

  messages.push_back(reply);
  messages.push_back({{"role", "user"}, {"content", "And the capital of Germany?"}});
  const Streamed second = Chat(messages);
  ASSERT_TRUE(second.status.ok()) << second.status.ToString();
  EXPECT_GT(second.Usage("cached_tokens"), 0) << second.result.dump();
  EXPECT_LT(second.Usage("cached_tokens"), second.Usage("prompt_tokens")) << second.result.dump();

  // A fresh model has nothing to reuse and must compute the same text.
  CallOk("unload", {{"model", model_}});
  Load();
  const Streamed fresh = Chat(messages);
  ASSERT_TRUE(fresh.status.ok()) << fresh.status.ToString();
  EXPECT_EQ(fresh.Usage("cached_tokens"), 0) << fresh.result.dump();
  EXPECT_EQ(fresh.Usage("prompt_tokens"), second.Usage("prompt_tokens"));
  EXPECT_EQ(fresh.result.value("text", ""), second.result.value("text", ""));
  EXPECT_EQ(fresh.result.value("stop_reason", ""), second.result.value("stop_reason", ""));
}

}  // namespace
}  // namespace hfd::testing
