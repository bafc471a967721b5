// Ending a running generation: `cancel` by msgid, the client closing its connection, and
// `unload` of the model. Each frees the slot so the next queued request runs.
#include <gtest/gtest.h>

#include "proto/codec.h"
#include "tests/serve_process/serve_harness.h"

namespace hfd::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class Cancellation : public ServeTest {
 protected:
  void SetUp() override {
    ServeTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_NO_FATAL_FAILURE(StartDaemon());
    model_ = models_.llama3_q8.string();
    CallOk("load", {{"model", model_},
                    {"backend", "cpu"},
                    {"ctx", kLongContext},
                    {"max_concurrency", 1},
                    {"max_queue", 8}});
  }

  // A raw connection whose request 1 is a long generation that has produced a token.
  std::unique_ptr<RawClient> StartLongGeneration() {
    auto raw = RawClient::Connect(socket());
    if (raw == nullptr) return nullptr;
    raw->Send(proto::EncodeRequest(1, "generate", LongGenerate(model_)));
    if (!WaitForNotification(*raw, "token")) return nullptr;
    return raw;
  }

  // The ai_completion spans whose attributes mention cancellation (a span is recorded
  // when its request is answered).
  int CancelledSpans() {
    int n = 0;
    for (const json& span : Spans("ai_completion")) {
      n += span["attributes"].dump().find("cancel") != std::string::npos;
    }
    return n;
  }

  std::string model_;
};

TEST_F(Cancellation, CancelEndsTheRunningRequestAndTheNextQueuedOneRuns) {
  auto running = StartLongGeneration();
  ASSERT_NE(running, nullptr);
  BackgroundCall next(socket(), "generate", ShortGenerate(model_));
  ASSERT_TRUE(next.WaitFor("queued")) << "the second request was not queued";

  running->Send(proto::EncodeRequest(2, "cancel", {{"msgid", 1}}));
  auto responses = ReceiveResponses(*running, {1, 2});
  ASSERT_TRUE(responses.ok()) << responses.status().ToString();
  const proto::Message& cancel = responses->at(2);
  ASSERT_TRUE(cancel.error.ok()) << cancel.error.ToString();
  EXPECT_EQ(cancel.result, json({{"cancelled", true}}));
  const proto::Message& generate = responses->at(1);
  EXPECT_EQ(generate.error.code(), ErrorCode::kCancelled)
      << "the long generation ended with " << generate.error.ToString() << " "
      << generate.result.dump();

  const Streamed& queued = next.Finish();
  ASSERT_TRUE(queued.status.ok()) << queued.status.ToString();
  EXPECT_EQ(queued.result.value("stop_reason", ""), "length");
  EXPECT_EQ(queued.Usage("completion_tokens"), 8);

  // The connection that cancelled stays usable.
  running->Send(proto::EncodeRequest(3, "health", json::object()));
  auto health = ReceiveResponse(*running, 3);
  ASSERT_TRUE(health.ok()) << health.status().ToString();
  EXPECT_TRUE(health->error.ok());
  EXPECT_TRUE(Eventually([&] { return CancelledSpans() == 1; }, 30s))
      << Spans("ai_completion").dump();
}

TEST_F(Cancellation, ClosingTheConnectionFreesTheSlot) {
  auto running = StartLongGeneration();
  ASSERT_NE(running, nullptr);
  BackgroundCall next(socket(), "generate", ShortGenerate(model_));
  ASSERT_TRUE(next.WaitFor("queued")) << "the second request was not queued";

  running.reset();  // the client goes away mid-generation

  const Streamed& queued = next.Finish();
  ASSERT_TRUE(queued.status.ok()) << queued.status.ToString();
  EXPECT_EQ(queued.result.value("stop_reason", ""), "length");
  // The first request ended as cancelled, not by running to the end of its context.
  EXPECT_TRUE(Eventually([&] { return CancelledSpans() == 1; }, 30s))
      << Spans("ai_completion").dump();
  const json ps = PsModels();
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].value("running", -1), 0);
  EXPECT_EQ(ps[0].value("queued", -1), 0);
}

TEST_F(Cancellation, UnloadCancelsRunningAndQueuedRequests) {
  auto running = StartLongGeneration();
  ASSERT_NE(running, nullptr);
  auto waiting = RawClient::Connect(socket());
  ASSERT_NE(waiting, nullptr);
  waiting->Send(proto::EncodeRequest(1, "generate", LongGenerate(model_)));
  ASSERT_TRUE(WaitForNotification(*waiting, "queued"));

  const json unloaded = CallOk("unload", {{"model", model_}});
  EXPECT_EQ(unloaded.value("unloaded", ""), model_);
  EXPECT_EQ(unloaded.value("cancelled_requests", -1), 2) << unloaded.dump();

  for (RawClient* raw : {running.get(), waiting.get()}) {
    auto response = ReceiveResponse(*raw, 1);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->error.code(), ErrorCode::kCancelled) << response->error.ToString();
  }
  EXPECT_TRUE(PsModels().empty());
  EXPECT_EQ(SumOfSamples(MetricsText(), "llm_failures"), 2);
  // The model is not resident any more: unloading it again is not_found.
  auto again = Call("unload", {{"model", model_}});
  EXPECT_EQ(again.status().code(), ErrorCode::kNotFound) << again.status().ToString();
}

}  // namespace
}  // namespace hfd::testing
