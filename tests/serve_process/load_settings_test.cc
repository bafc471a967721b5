// Load settings follow the request (a manage caller): a resident model asked for with
// another ctx is reloaded when idle, refused with `busy` while it runs a request, and an
// asked ctx above the model's maximum is clamped with a notice saying so.
#include <gtest/gtest.h>

#include <string>

#include "tests/serve_process/serve_harness.h"

namespace hfd::testing {
namespace {

using nlohmann::json;

class LoadSettings : public ServeTest {};

// Runs a streamed call into `out`; returns the `notice` messages it received, one a line.
std::string NoticesOf(client::Client& client, const std::string& method, const json& params,
                      Streamed* out) {
  std::string notices;
  *out = StreamCall(client, method, params, [&](const std::string& name, const json& p) {
    if (name == "notice") notices += p.value("message", "") + "\n";
  });
  return notices;
}

TEST_F(LoadSettings, ACtxAboveTheModelsMaximumIsClampedWithANotice) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  const std::string model = models_.llama2_q4km.string();  // trained for 2048 positions
  Streamed loaded;
  const std::string notices =
      NoticesOf(*client, "load", {{"model", model}, {"backend", "cpu"}, {"ctx", 4096}}, &loaded);
  ASSERT_TRUE(loaded.status.ok()) << loaded.status.ToString();
  EXPECT_EQ(loaded.result.value("ctx", 0), 2048);
  EXPECT_NE(notices.find("ctx 4096 is more than " + model +
                         " was trained for: loaded with its maximum, ctx 2048"),
            std::string::npos)
      << notices;
  // The same ask again is what the model was loaded for: no reload, no notice.
  Streamed again;
  EXPECT_EQ(
      NoticesOf(*client, "generate",
                {{"model", model}, {"ctx", 4096}, {"prompt", "Hi"}, {"max_tokens", 1}}, &again),
      "");
  EXPECT_TRUE(again.status.ok()) << again.status.ToString();
  EXPECT_FALSE(again.Saw("loading"));
}

TEST_F(LoadSettings, TheDefaultCtxIsTheLargestThatFitsTheBudgetWithANotice) {
  const std::string model = models_.llama3_q8.string();  // trained for more than 8192
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  const auto bytes_at = [&](int ctx) {
    return CallOk("load", {{"model", model}, {"backend", "cpu"}, {"ctx", ctx}})
        .value("memory_bytes", std::int64_t{0});
  };
  const std::int64_t budget = (bytes_at(256) + bytes_at(512)) / 2;
  StopDaemon();
  ASSERT_NO_FATAL_FAILURE(
      StartDaemon("[models]\nmemory_budget = " + std::to_string(budget) + "\n"));
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  Streamed loaded;
  const std::string notices =
      NoticesOf(*client, "load", {{"model", model}, {"backend", "cpu"}}, &loaded);
  ASSERT_TRUE(loaded.status.ok()) << loaded.status.ToString();
  const int ctx = loaded.result.value("ctx", 0);
  EXPECT_GE(ctx, 256);
  EXPECT_LT(ctx, 512);
  EXPECT_EQ(ctx % 16, 0);
  EXPECT_LE(loaded.result.value("memory_bytes", std::int64_t{0}), budget);
  EXPECT_NE(notices.find("the default ctx 8192 needs "), std::string::npos) << notices;
  EXPECT_NE(notices.find("memory budget: loaded with ctx " + std::to_string(ctx) +
                         ", the largest that fits"),
            std::string::npos)
      << notices;
}

TEST_F(LoadSettings, AnotherCtxReloadsAnIdleModelAndIsBusyWhileItRuns) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  const std::string model = models_.llama3_q8.string();
  CallOk("load", {{"model", model}, {"backend", "cpu"}, {"ctx", kLongContext}});
  BackgroundCall running(socket(), "generate", LongGenerate(model));
  ASSERT_TRUE(running.WaitFor("token"));

  json other = ShortGenerate(model);
  other["ctx"] = 256;
  const Result<json> busy = Call("generate", other);
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.status().code(), ErrorCode::kBusy) << busy.status().ToString();
  EXPECT_NE(busy.status().message().find("is loaded with ctx " + std::to_string(kLongContext) +
                                         " and has 1 running"),
            std::string::npos)
      << busy.status().message();
  CallOk("unload", {{"model", model}});
  running.Finish();

  CallOk("load", {{"model", model}, {"backend", "cpu"}, {"ctx", 128}, {"keep_alive", -1}});
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  Streamed reloaded;
  const std::string notices = NoticesOf(*client, "generate", other, &reloaded);
  ASSERT_TRUE(reloaded.status.ok()) << reloaded.status.ToString();
  EXPECT_NE(notices.find("was loaded with ctx 128; reloading it"), std::string::npos) << notices;
  const json ps = PsModels();
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].value("ctx", 0), 256);
  EXPECT_EQ(ps[0].value("keep_alive_seconds", 0), -1);  // not asked for: kept
}

}  // namespace
}  // namespace hfd::testing
