// The task history: an `ai_completion` span per generation (model, backend, captured
// output, token usage, duration, stop reason or error) and a `health` span per probe.
#include <gtest/gtest.h>

#include "tests/serve_process/serve_harness.h"

namespace hfd::testing {
namespace {

using nlohmann::json;

class History : public ServeTest {};

TEST_F(History, HealthProbesAndGenerationsAreRecorded) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  const json health = CallOk("health");
  const json health_spans = Spans("health");
  ASSERT_EQ(health_spans.size(), 1u) << health_spans.dump();
  EXPECT_EQ(health_spans[0]["id"], health["span_id"]);
  EXPECT_EQ(health_spans[0]["attributes"].value("status", ""), "ok");

  const std::string model = models_.llama3_q8.string();
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  const Streamed ok = StreamCall(*client, "generate", ShortGenerate(model, 6));
  ASSERT_TRUE(ok.status.ok()) << ok.status.ToString();
  // A generation that ends in an error: cancelled after its first token.
  std::atomic<bool> cancel{false};
  const Streamed failed = StreamCall(
      *client, "generate", LongGenerate(model),
      [&](const std::string& method, const json&) { cancel = cancel || method == "token"; },
      &cancel);
  ASSERT_EQ(failed.status.code(), ErrorCode::kCancelled) << failed.status.ToString();

  const json spans = Spans("ai_completion");
  ASSERT_EQ(spans.size(), 2u) << spans.dump(1);
  // Newest first: the cancelled request, then the completed one.
  const json& done = spans[1];
  EXPECT_EQ(done["name"], "ai_completion");
  EXPECT_GT(done.value("duration_ms", 0.0), 0.0);
  const json& a = done["attributes"];
  EXPECT_EQ(a.value("model", ""), model) << a.dump();
  EXPECT_EQ(a.value("backend", ""), "cpu") << a.dump();
  EXPECT_EQ(a.value("captured_output", ""), ok.result.value("text", "")) << a.dump();
  EXPECT_EQ(a.value("prompt_tokens", -1), ok.Usage("prompt_tokens"));
  EXPECT_EQ(a.value("completion_tokens", -1), 6) << a.dump();
  EXPECT_EQ(a.value("stop_reason", ""), "length") << a.dump();
  EXPECT_FALSE(a.contains("error")) << a.dump();

  const json& f = spans[0]["attributes"];
  EXPECT_EQ(f.value("model", ""), model) << f.dump();
  ASSERT_TRUE(f.contains("error")) << f.dump();
  EXPECT_NE(f["error"].dump().find("cancel"), std::string::npos) << f.dump();
}

}  // namespace
}  // namespace hfd::testing
