// The OpenAI-compatible API over curl --unix-socket and TCP: the exact wire format (JSON
// objects, SSE framing), the same greedy text as the MessagePack door, error shapes and
// statuses, and who may do what.
#include <gtest/gtest.h>

#include <sstream>

#include "tests/http/http_harness.h"

namespace hfd::testing {
namespace {

using nlohmann::json;

// The SSE events of a body: the payload of each `data:` line, in order. Fails the test
// on any other non-empty line.
std::vector<std::string> SseData(const std::string& body) {
  std::vector<std::string> out;
  std::istringstream lines(body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    EXPECT_EQ(line.rfind("data: ", 0), 0u) << "not an SSE data line: " << line;
    out.push_back(line.substr(6));
  }
  return out;
}

class OpenAiCurl : public HttpTest {
 protected:
  void SetUp() override {
    HttpTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_NO_FATAL_FAILURE(StartServing());
  }
};

TEST_F(OpenAiCurl, ModelsListsEachCachedQuant) {
  const HttpResult r = Curl("GET", "/v1/models");
  ASSERT_EQ(r.status, 200) << r.body << r.error;
  EXPECT_EQ(r.Header("content-type"), "application/json");
  const json models = r.Json();
  EXPECT_EQ(models["object"], "list");
  std::vector<std::string> ids;
  for (const json& m : models["data"]) {
    EXPECT_EQ(m["object"], "model");
    ids.push_back(m["id"]);
  }
  EXPECT_NE(std::find(ids.begin(), ids.end(), kHttpModel), ids.end()) << r.body;
}

TEST_F(OpenAiCurl, ChatAnswersWhatTheMessagePackDoorAnswers) {
  const HttpResult r = Curl("POST", "/v1/chat/completions", ChatBody(12, false).dump());
  ASSERT_EQ(r.status, 200) << r.body << r.error;
  const json answer = r.Json();
  EXPECT_EQ(answer["object"], "chat.completion");
  EXPECT_EQ(answer["model"], kHttpModel);
  EXPECT_EQ(answer["id"].get<std::string>().rfind("chatcmpl-", 0), 0u);
  ASSERT_EQ(answer["choices"].size(), 1u);
  EXPECT_EQ(answer["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(answer["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(answer["usage"]["completion_tokens"], 12);
  EXPECT_EQ(answer["usage"]["total_tokens"].get<int>(),
            answer["usage"]["prompt_tokens"].get<int>() + 12);

  const json chat = CallOk("chat", {{"model", kHttpModel},
                                    {"messages", ChatBody(12, false)["messages"]},
                                    {"max_tokens", 12},
                                    {"temperature", 0}});
  EXPECT_EQ(answer["choices"][0]["message"]["content"], chat["text"]);
}

TEST_F(OpenAiCurl, StreamIsServerSentEventsEndingInDone) {
  json body = ChatBody(10, true);
  body["stream_options"] = {{"include_usage", true}};
  const HttpResult r = Curl("POST", "/v1/chat/completions", body.dump());
  ASSERT_EQ(r.status, 200) << r.body << r.error;
  EXPECT_EQ(r.Header("content-type"), "text/event-stream");
  EXPECT_EQ(r.Header("transfer-encoding"), "chunked");
  const std::vector<std::string> events = SseData(r.body);
  ASSERT_GE(events.size(), 4u) << r.body;
  EXPECT_EQ(events.back(), "[DONE]");
  std::string text;
  std::string finish;
  json usage;
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    const json chunk = json::parse(events[i], nullptr, false);
    ASSERT_TRUE(chunk.is_object()) << events[i];
    EXPECT_EQ(chunk["object"], "chat.completion.chunk");
    if (chunk["choices"].empty()) {
      usage = chunk["usage"];
      EXPECT_EQ(i + 2, events.size()) << "the usage chunk comes last";
      continue;
    }
    EXPECT_TRUE(chunk["usage"].is_null());
    const json& choice = chunk["choices"][0];
    if (i == 0) {
      EXPECT_EQ(choice["delta"]["role"], "assistant");
    }
    text += choice["delta"].value("content", "");
    if (!choice["finish_reason"].is_null()) finish = choice["finish_reason"];
  }
  EXPECT_EQ(finish, "length");
  EXPECT_EQ(usage["completion_tokens"], 10);
  const HttpResult whole = Curl("POST", "/v1/chat/completions", ChatBody(10, false).dump());
  EXPECT_EQ(text, whole.Json()["choices"][0]["message"]["content"]);
}

TEST_F(OpenAiCurl, CompletionsContinueAPrompt) {
  const json body = {{"model", kHttpModel},
                     {"prompt", "The capital of France is"},
                     {"max_tokens", 8},
                     {"temperature", 0}};
  const HttpResult r = Curl("POST", "/v1/completions", body.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  const json answer = r.Json();
  EXPECT_EQ(answer["object"], "text_completion");
  const json generated = CallOk("generate", ShortGenerate(kHttpModel, 8));
  EXPECT_EQ(answer["choices"][0]["text"], generated["text"]);
}

TEST_F(OpenAiCurl, BadRequestsGetOpenAiErrors) {
  const auto expect_error = [&](const std::string& body, int status, const std::string& needle) {
    const HttpResult r = Curl("POST", "/v1/chat/completions", body);
    EXPECT_EQ(r.status, status) << body << " -> " << r.body;
    const json error = r.Json()["error"];
    EXPECT_TRUE(error.is_object()) << r.body;
    EXPECT_NE(error.value("message", "").find(needle), std::string::npos) << r.body;
    EXPECT_TRUE(error.contains("type") && error.contains("param") && error.contains("code"));
  };
  expect_error("{\"model\": ", 400, "not valid JSON");
  expect_error("[1, 2]", 400, "JSON object");
  json wrong_type = ChatBody(4, false);
  wrong_type["max_tokens"] = "four";
  expect_error(wrong_type.dump(), 400, "max_tokens");
  json two = ChatBody(4, false);
  two["n"] = 2;
  expect_error(two.dump(), 400, "'n' must be 1");
  json image = ChatBody(4, false);
  image["messages"][0]["content"] = {{{"type", "image_url"}, {"image_url", {{"url", "x"}}}}};
  expect_error(image.dump(), 400, "only text parts");
  json unknown = ChatBody(4, false);
  unknown["model"] = "nobody/nothing";
  expect_error(unknown.dump(), 404, "'nobody/nothing' was not found");  // root pulls: no such repo

  json extra = ChatBody(4, false);
  extra["user"] = "someone";
  extra["metadata"] = {{"a", 1}};
  EXPECT_EQ(Curl("POST", "/v1/chat/completions", extra.dump()).status, 200)
      << "unknown fields are ignored, as OpenAI does";
  EXPECT_EQ(Curl("GET", "/v1/chat/completions").status, 405);
  EXPECT_EQ(Curl("GET", "/v1/none").status, 404);
}

TEST_F(OpenAiCurl, FullQueueAnswers429WithRetryAfter) {
  // One slot, no queue: a long generation holds it.
  CallOk("load", {{"model", kHttpModel}, {"ctx", kLongContext}, {"max_queue", 0}});
  BackgroundCall running(socket(), "generate", LongGenerate(kHttpModel));
  ASSERT_TRUE(running.WaitFor("token"));
  const HttpResult r = Curl("POST", "/v1/chat/completions", ChatBody(4, true).dump());
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_EQ(r.Header("retry-after"), "1");
  EXPECT_EQ(r.Json()["error"]["type"], "rate_limit_error");
  CallOk("unload", {{"model", kHttpModel}});
}

class OpenAiTcp : public HttpTest {};

TEST_F(OpenAiTcp, KeysGiveLevelsAndWrongKeysGet401) {
  const int port = FreeTcpPort();
  ASSERT_NO_FATAL_FAILURE(StartServing("http_listen = \"127.0.0.1:" + std::to_string(port) +
                                       "\"\n[http]\napi_keys = [{key = \"sk-read\", level = "
                                       "\"read\"}, {key = \"sk-use\", level = \"use\"}]\n"));
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  const std::string chat = ChatBody(2, false).dump();
  EXPECT_EQ(CurlUrl("GET", base + "/v1/models").status, 401);
  const HttpResult wrong =
      CurlUrl("GET", base + "/v1/models", "", {"-H", "Authorization: Bearer sk-wrong"});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.Json()["error"]["type"], "authentication_error");
  EXPECT_EQ(DaemonLog().find("sk-wrong"), std::string::npos) << "keys are never logged";
  EXPECT_EQ(CurlUrl("GET", base + "/v1/models", "", {"-H", "Authorization: Bearer sk-read"}).status,
            200);
  EXPECT_EQ(
      CurlUrl("POST", base + "/v1/chat/completions", chat, {"-H", "Authorization: Bearer sk-read"})
          .status,
      403);
  EXPECT_EQ(
      CurlUrl("POST", base + "/v1/chat/completions", chat, {"-H", "Authorization: Bearer sk-use"})
          .status,
      200);
  json unknown = ChatBody(2, false);
  unknown["model"] = "hf.co/nobody/nothing:Q4_K_M";
  const HttpResult not_cached = CurlUrl("POST", base + "/v1/chat/completions", unknown.dump(),
                                        {"-H", "Authorization: Bearer sk-use"});
  EXPECT_EQ(not_cached.status, 404);
  EXPECT_NE(not_cached.body.find("run `hfctl pull nobody/nothing:Q4_K_M`"), std::string::npos)
      << "a caller that may not pull is told what to run: " << not_cached.body;
  // The Unix socket goes by the peer's credentials, whatever key a client sends.
  EXPECT_EQ(Curl("POST", "/v1/chat/completions", chat, {"-H", "Authorization: Bearer x"}).status,
            200);
}

TEST_F(OpenAiTcp, ForeignWebOriginsAreRefusedUnlessListed) {
  const int port = FreeTcpPort();
  ASSERT_NO_FATAL_FAILURE(StartServing("http_listen = \"127.0.0.1:" + std::to_string(port) +
                                       "\"\n[http]\ncors_origins = [\"http://app.example\"]\n"));
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/v1/models";
  EXPECT_EQ(CurlUrl("GET", url, "", {"-H", "Origin: http://evil.example"}).status, 403);
  const HttpResult allowed = CurlUrl("GET", url, "", {"-H", "Origin: http://app.example"});
  EXPECT_EQ(allowed.status, 200);
  EXPECT_EQ(allowed.Header("access-control-allow-origin"), "http://app.example");
  const HttpResult preflight = CurlUrl("OPTIONS", url, "", {"-H", "Origin: http://app.example"});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_NE(preflight.Header("access-control-allow-headers").find("Authorization"),
            std::string::npos);
  EXPECT_EQ(CurlUrl("GET", url).headers.count("access-control-allow-origin"), 0u)
      << "no CORS headers without an Origin";
}

// DNS rebinding: a page at rebound.example whose name now resolves to 127.0.0.1 sends its
// own name as Host (and, for a POST, as Origin): same-origin as far as the browser knows.
TEST_F(OpenAiTcp, APageOnARenamedLoopbackIsNotAnswered) {
  const int port = FreeTcpPort();
  const std::string hostport = "127.0.0.1:" + std::to_string(port);
  ASSERT_NO_FATAL_FAILURE(StartServing("http_listen = \"" + hostport +
                                       "\"\n[http]\ncors_origins = [\"http://app.example\"]\n"));
  const std::string rebound = "rebound.example:" + std::to_string(port);
  const std::string chat = ChatBody(2, false).dump();
  const HttpResult get =
      CurlUrl("GET", "http://" + hostport + "/v1/models", "", {"-H", "Host: " + rebound});
  EXPECT_EQ(get.status, 403) << get.body;
  EXPECT_NE(get.body.find("localhost"), std::string::npos) << get.body;
  EXPECT_EQ(CurlUrl("POST", "http://" + hostport + "/v1/chat/completions", chat,
                    {"-H", "Host: " + rebound, "-H", "Origin: http://" + rebound})
                .status,
            403);
  EXPECT_EQ(CurlUrl("GET", "http://" + hostport + "/", "", {"-H", "Host: " + rebound}).status, 403)
      << "the chat page too";
  // Loopback names, IP literals and the configured origins' hosts are answered.
  for (const std::string& host :
       {std::string("localhost:") + std::to_string(port), hostport, std::string("app.example")}) {
    EXPECT_EQ(
        CurlUrl("GET", "http://" + hostport + "/v1/models", "", {"-H", "Host: " + host}).status,
        200)
        << host;
  }
}

}  // namespace
}  // namespace hfd::testing
