// The OpenAI door's logprobs without a daemon: request parsing, the chat and legacy
// objects, and the streaming rule (each token's entry once, in order: with the text chunk
// its text is in, else in the finish chunk).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/openai/logprobs.h"
#include "http/openai/requests.h"
#include "http/openai/responses.h"

namespace hfd::http::openai {
namespace {

using nlohmann::json;

runtime::TokenLogprobs Token(int32_t id, std::string piece, float logprob) {
  runtime::TokenLogprobs t;
  t.chosen = {id, piece, logprob};
  t.top = {{id, piece, logprob}, {id + 1, "x", logprob - 1.0f}};
  return t;
}

// The `data:` payloads of an SSE string, [DONE] left out.
std::vector<json> Events(const std::string& sse) {
  std::vector<json> out;
  size_t at = 0;
  while ((at = sse.find("data: ", at)) != std::string::npos) {
    const size_t end = sse.find("\n\n", at);
    const std::string data = sse.substr(at + 6, end - at - 6);
    if (data != "[DONE]") out.push_back(json::parse(data));
    at = end;
  }
  return out;
}

TEST(OpenAiLogprobs, ChatParsing) {
  const json base = {{"model", "m"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}};
  json body = base;
  auto none = ParseChatCompletion(body);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->request.top_logprobs.has_value());
  body["logprobs"] = true;
  EXPECT_EQ(ParseChatCompletion(body)->request.top_logprobs, 0);
  body["top_logprobs"] = 20;
  EXPECT_EQ(ParseChatCompletion(body)->request.top_logprobs, 20);
  body["top_logprobs"] = 21;
  auto over = ParseChatCompletion(body);
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.status().message().find("top_logprobs"), std::string::npos);
  body = base;
  body["top_logprobs"] = 2;
  auto alone = ParseChatCompletion(body);
  ASSERT_FALSE(alone.ok());
  EXPECT_NE(alone.status().message().find("'logprobs'"), std::string::npos);
}

TEST(OpenAiLogprobs, LegacyParsing) {
  json body = {{"model", "m"}, {"prompt", "p"}, {"logprobs", 3}};
  EXPECT_EQ(ParseTextCompletion(body)->request.top_logprobs, 3);
  body["logprobs"] = -1;
  EXPECT_FALSE(ParseTextCompletion(body).ok());
  body["logprobs"] = nullptr;
  EXPECT_FALSE(ParseTextCompletion(body)->request.top_logprobs.has_value());
}

TEST(OpenAiLogprobs, ChatEntriesKeepExactBytes) {
  const std::vector<runtime::TokenLogprobs> tokens = {Token(7, "\xE9\x82", -0.5f)};
  const json content = ChatLogprobs(tokens)["content"];
  ASSERT_EQ(content.size(), 1u);
  EXPECT_EQ(content[0]["token"], "\xEF\xBF\xBD");  // U+FFFD: half a character
  EXPECT_EQ(content[0]["bytes"], json::array({0xE9, 0x82}));
  EXPECT_FLOAT_EQ(content[0]["logprob"].get<float>(), -0.5f);
  ASSERT_EQ(content[0]["top_logprobs"].size(), 2u);
  EXPECT_EQ(content[0]["top_logprobs"][1]["token"], "x");
}

TEST(OpenAiLogprobs, LegacyOffsetsCountPieceBytes) {
  const std::vector<runtime::TokenLogprobs> tokens = {Token(1, "ab", -1.0f),
                                                      Token(2, "cde", -2.0f)};
  size_t offset = 5;
  const json lp = TextLogprobs(tokens, offset);
  EXPECT_EQ(lp["tokens"], json::array({"ab", "cde"}));
  EXPECT_EQ(lp["text_offset"], json::array({5, 7}));
  EXPECT_EQ(offset, 10u);
  EXPECT_FLOAT_EQ(lp["top_logprobs"][1]["cde"].get<float>(), -2.0f);
  EXPECT_FLOAT_EQ(lp["top_logprobs"][1]["x"].get<float>(), -3.0f);
}

TEST(OpenAiLogprobs, StreamReportsEachTokenOnce) {
  serve::Completion c;
  c.stop_reason = "eos";
  c.logprobs = {Token(1, "a", -0.1f), Token(2, "b", -0.2f), Token(3, "</s>", -0.3f)};
  ResponseShape shape(true, "m", false, true);
  const std::vector<json> first =
      Events(shape.TextEvent("ab", std::span(c.logprobs).subspan(0, 2)));
  const std::vector<json> last = Events(shape.FinalEvents(c));
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(first[0]["choices"][0]["logprobs"]["content"].size(), 2u);
  const json rest = last[0]["choices"][0]["logprobs"]["content"];
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0]["token"], "</s>");

  ResponseShape plain(true, "m", false, false);
  EXPECT_TRUE(Events(plain.TextEvent("ab", {}))[0]["choices"][0]["logprobs"].is_null());
  EXPECT_TRUE(plain.Whole(c)["choices"][0]["logprobs"].is_null());
}

}  // namespace
}  // namespace hfd::http::openai
