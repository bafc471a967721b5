// Conversation reuse: the next chat turn prefills only its new tokens (usage.cached_tokens)
// and gives the same greedy text as a fresh run of the whole conversation. The prefix
// cache: with max_concurrency > 1, a request on another slot whose prompt starts with the
// same system prompt prefills only its own tokens, seen in usage, `ps` and `metrics`.
#include <gtest/gtest.h>

#include "proto/codec.h"
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

TEST_F(Conversation, PrefixCacheSharesASystemPromptAcrossSlots) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  model_ = models_.llama3_q8.string();  // quantized: batch-invariant on every CPU path
  CallOk("load",
         {{"model", model_}, {"backend", "cpu"}, {"ctx", kLongContext}, {"max_concurrency", 2}});
  std::string system;
  for (int i = 0; i < 20; ++i) {
    system += "You are a careful assistant who answers questions about geography briefly. ";
  }
  // A generation that runs until cancelled holds the first slot, so the second request
  // runs on the other one and can only reuse the system prompt through the prefix cache.
  auto running = RawClient::Connect(socket());
  ASSERT_NE(running, nullptr);
  json long_params = LongGenerate(model_);
  long_params["prompt"] = system + "Once upon a time";
  running->Send(proto::EncodeRequest(1, "generate", long_params));
  ASSERT_TRUE(WaitForNotification(*running, "token"));

  const json question = {{"model", model_},
                         {"prompt", system + "The capital of France is"},
                         {"max_tokens", 8},
                         {"temperature", 0}};
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  const Streamed cached = StreamCall(*client, "generate", question);
  ASSERT_TRUE(cached.status.ok()) << cached.status.ToString();
  EXPECT_GT(cached.Usage("prompt_tokens"), 200) << cached.result.dump();
  const std::int64_t saved = cached.Usage("cached_tokens");
  EXPECT_GE(saved, 192) << cached.result.dump();
  EXPECT_EQ(saved % 16, 0) << "whole KV blocks";
  EXPECT_LT(saved, cached.Usage("prompt_tokens"));

  const json ps = PsModels();
  ASSERT_EQ(ps.size(), 1U) << ps.dump();
  const int blocks = ps[0].value("kv_blocks_total", 0);
  EXPECT_GE(blocks, ps[0].value("ctx", 0) / 16) << ps.dump();
  EXPECT_GT(ps[0].value("kv_blocks_used", 0), saved / 16) << ps.dump();
  EXPECT_EQ(ps[0].value("prefix_hits", 0), 1) << ps.dump();
  EXPECT_EQ(ps[0].value("prefix_lookups", 0), 2) << ps.dump();
  EXPECT_EQ(ps[0].value("prefix_tokens_saved", std::int64_t{0}), saved) << ps.dump();
  const std::string metrics = MetricsText();
  EXPECT_EQ(SumOfSamples(metrics, "hfd_prefix_cache_saved_tokens_total"),
            static_cast<double>(saved))
      << metrics;
  EXPECT_NE(metrics.find("# TYPE hfd_prefix_cache_hits_total counter"), std::string::npos);
  EXPECT_EQ(SumOfSamples(metrics, "hfd_kv_pool_blocks", "state=\"total\""), blocks) << metrics;

  running->Send(proto::EncodeRequest(2, "cancel", {{"msgid", 1}}));
  ASSERT_TRUE(ReceiveResponses(*running, {1, 2}).ok());

  // Without the cache (one slot: a session of its own) the greedy text is the same.
  CallOk("unload", {{"model", model_}});
  CallOk("load", {{"model", model_}, {"backend", "cpu"}, {"ctx", kLongContext}});
  const Streamed alone = StreamCall(*client, "generate", question);
  ASSERT_TRUE(alone.status.ok()) << alone.status.ToString();
  EXPECT_EQ(alone.Usage("cached_tokens"), 0) << alone.result.dump();
  EXPECT_EQ(alone.result.value("text", ""), cached.result.value("text", ""));
  EXPECT_EQ(PsModels()[0].value("kv_blocks_total", -1), 0) << "no pool without batching";
  // The counters go on across the unload.
  EXPECT_EQ(SumOfSamples(MetricsText(), "hfd_prefix_cache_saved_tokens_total"),
            static_cast<double>(saved));
}

}  // namespace
}  // namespace hfd::testing
