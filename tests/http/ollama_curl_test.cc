// The Ollama-compatible API over curl --unix-socket: NDJSON lines, the final object's
// fields, and Ollama's idioms (an empty prompt loads, keep_alive 0 unloads; a use
// caller's keep_alive is ignored with a note).
#include <gtest/gtest.h>

#include <sstream>

#include "tests/http/http_harness.h"

namespace hfd::testing {
namespace {

using nlohmann::json;

std::vector<json> NdjsonLines(const std::string& body) {
  std::vector<json> out;
  std::istringstream lines(body);
  for (std::string line; std::getline(lines, line);) {
    const json parsed = json::parse(line, nullptr, false);
    EXPECT_TRUE(parsed.is_object()) << "not a JSON line: " << line;
    out.push_back(parsed);
  }
  return out;
}

class OllamaCurl : public HttpTest {
 protected:
  void SetUp() override {
    HttpTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_NO_FATAL_FAILURE(StartServing());
  }
};

TEST_F(OllamaCurl, ChatStreamsNdjsonEndingWithDurationsInNanoseconds) {
  const json body = {{"model", std::string("hf.co/") + kHttpModel},
                     {"messages", {{{"role", "user"}, {"content", "Tell me about the sea."}}}},
                     {"options", {{"temperature", 0}, {"num_predict", 10}}}};
  const HttpResult r = Curl("POST", "/api/chat", body.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/x-ndjson");
  const std::vector<json> lines = NdjsonLines(r.body);
  ASSERT_GE(lines.size(), 3u) << r.body;
  std::string text;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    EXPECT_EQ(lines[i]["done"], false);
    EXPECT_EQ(lines[i]["message"]["role"], "assistant");
    text += lines[i]["message"]["content"].get<std::string>();
  }
  const json& last = lines.back();
  EXPECT_EQ(last["done"], true);
  EXPECT_EQ(last["done_reason"], "length");
  EXPECT_EQ(last["eval_count"], 10);
  EXPECT_GT(last["prompt_eval_count"].get<int>(), 0);
  for (const char* d :
       {"total_duration", "load_duration", "prompt_eval_duration", "eval_duration"}) {
    EXPECT_TRUE(last[d].is_number_integer()) << d;
  }
  EXPECT_GT(last["total_duration"].get<std::int64_t>(), last["eval_duration"].get<std::int64_t>());
  const json chat = CallOk("chat", {{"model", kHttpModel},
                                    {"messages", body["messages"]},
                                    {"max_tokens", 10},
                                    {"temperature", 0}});
  EXPECT_EQ(text, chat["text"]);
}

TEST_F(OllamaCurl, AnEmptyPromptLoadsAndKeepAliveZeroUnloads) {
  const HttpResult load = Curl("POST", "/api/generate", json{{"model", kHttpModel}}.dump());
  ASSERT_EQ(load.status, 200) << load.body;
  EXPECT_EQ(load.Json()["done_reason"], "load");
  EXPECT_EQ(PsModels().size(), 1u);
  const HttpResult unload =
      Curl("POST", "/api/generate", json{{"model", kHttpModel}, {"keep_alive", 0}}.dump());
  ASSERT_EQ(unload.status, 200) << unload.body;
  EXPECT_EQ(unload.Json()["done_reason"], "unload");
  EXPECT_TRUE(PsModels().empty());
}

TEST_F(OllamaCurl, GenerateWithoutStreamingIsOneObject) {
  const json body = {{"model", kHttpModel},
                     {"prompt", "The capital of France is"},
                     {"raw", true},
                     {"stream", false},
                     {"options", {{"temperature", 0}, {"num_predict", 8}}}};
  const HttpResult r = Curl("POST", "/api/generate", body.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  const json answer = r.Json();
  EXPECT_EQ(answer["done"], true);
  EXPECT_EQ(answer["response"], CallOk("generate", ShortGenerate(kHttpModel, 8))["text"]);
}

TEST_F(OllamaCurl, PullStreamsProgressLines) {
  const HttpResult r = Curl("POST", "/api/pull", json{{"model", kHttpModel}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  const std::vector<json> lines = NdjsonLines(r.body);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front()["status"], "pulling manifest");
  EXPECT_EQ(lines.back()["status"], "success");
}

TEST_F(OllamaCurl, ErrorsAreOllamaShaped) {
  const HttpResult bad = Curl("POST", "/api/chat", "{nope");
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(bad.Json()["error"].is_string()) << bad.body;
  const HttpResult wrong = Curl("POST", "/api/generate",
                                json{{"model", kHttpModel}, {"options", {{"top_k", "x"}}}}.dump());
  EXPECT_EQ(wrong.status, 400) << wrong.body;
  const HttpResult missing = Curl("POST", "/api/show", json{{"model", "nobody/nothing"}}.dump());
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.Json()["error"].get<std::string>().find("hfctl pull"), std::string::npos);
  const HttpResult version = Curl("GET", "/api/version");
  EXPECT_EQ(version.status, 200);
  EXPECT_TRUE(version.Json()["version"].is_string());
}

class OllamaTcp : public HttpTest {};

TEST_F(OllamaTcp, AUseCallersKeepAliveIsIgnoredWithANote) {
  const int port = FreeTcpPort();
  ASSERT_NO_FATAL_FAILURE(
      StartServing("http_listen = \"127.0.0.1:" + std::to_string(port) + "\"\n"));
  const json body = {{"model", kHttpModel},
                     {"prompt", "Hi"},
                     {"stream", false},
                     {"keep_alive", 0},
                     {"options", {{"temperature", 0}, {"num_predict", 2}}}};
  const HttpResult r =
      CurlUrl("POST", "http://127.0.0.1:" + std::to_string(port) + "/api/generate", body.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.Json().value("notice", "").find("keep_alive was ignored"), std::string::npos)
      << r.body;
  EXPECT_EQ(PsModels().size(), 1u) << "the model stays resident";
}

}  // namespace
}  // namespace hfd::testing
