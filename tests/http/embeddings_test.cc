// Embeddings through a real hfd on its real sockets: the MessagePack `embed` method,
// `hfctl embed`, curl on POST /v1/embeddings (OpenAI) and POST /api/embed (Ollama), all
// giving llama.cpp's llama-embedding vectors for the tiny BERT (tests/embed/testdata);
// usage, metrics and ai_embedding spans; and the refusals: a decoder asked for vectors,
// the BERT and a decoder embedder asked for text, no input, a text longer than the
// context.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "engine/tokenizer/precompiled_charsmap.h"
#include "tests/embed/embed_harness.h"
#include "tests/http/http_harness.h"

namespace hfd::testing {
namespace {

using nlohmann::json;

constexpr const char* kBertRepo = "fixtures/tiny-bert-GGUF";
const std::filesystem::path kData = HFD_EMBED_TESTDATA;

json Reference() {
  std::ifstream in(kData / "llama-embedding.json");
  return json::parse(in);
}

// Each vector of `got` within 1e-3 cosine of llama-embedding's mean-pooled one.
void ExpectReferenceVectors(const json& got) {
  const json ref = Reference();
  const auto want = ref["embeddings"]["mean"].get<std::vector<std::vector<float>>>();
  ASSERT_TRUE(got.is_array()) << got.dump();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_GT(Cosine(got[i].get<std::vector<float>>(), want[i]), 1 - 1e-3) << i;
  }
}

class Embeddings : public HttpTest {
 protected:
  void SetUp() override {
    HttpTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_NO_FATAL_FAILURE(StartHub([](hub::testing::TestHubServer& hub) {
      std::ifstream in(kData / "tiny-bert.gguf", std::ios::binary);
      hub.AddFile(kBertRepo, "main", "tiny-bert.gguf",
                  std::string(std::istreambuf_iterator<char>(in), {}));
    }));
    ASSERT_NO_FATAL_FAILURE(StartDaemon());
    ASSERT_TRUE(WaitForSocket(http_socket(), std::chrono::seconds(10))) << DaemonLog();
    CallOk("pull", {{"model", kBertRepo}});
    texts_ = Reference()["texts"];
  }
  json texts_;
};

TEST_F(Embeddings, EveryDoorGivesLlamaCppsVectorsWithUsage) {
  const json r = CallOk("embed", {{"model", kBertRepo}, {"input", texts_}});
  ExpectReferenceVectors(r["embeddings"]);
  int64_t tokens = 0;
  for (const json& t : texts_) {
    tokens +=
        static_cast<int64_t>(CallOk("tokenize", {{"model", kBertRepo}, {"text", t}})["ids"].size());
  }
  EXPECT_EQ(r["usage"]["prompt_tokens"], tokens);
  EXPECT_EQ(r["backend"], "cpu");

  // hfctl --json prints the answer as one JSON document; without it, a line per vector.
  std::vector<std::string> argv = {BinaryFromEnv("HFCTL_BIN"), "--socket", socket(), "embed",
                                   kBertRepo};
  for (const json& t : texts_) argv.push_back(t.get<std::string>());
  const CommandResult plain = RunCommand(argv);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(std::count(plain.out.begin(), plain.out.end(), '\n'), texts_.size());
  argv.insert(argv.begin() + 1, "--json");
  const CommandResult as_json = RunCommand(argv);
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  ExpectReferenceVectors(json::parse(as_json.out, nullptr, false)["embeddings"]);

  const HttpResult openai =
      Curl("POST", "/v1/embeddings", json{{"model", kBertRepo}, {"input", texts_}}.dump());
  ASSERT_EQ(openai.status, 200) << openai.body;
  const json o = openai.Json();
  EXPECT_EQ(o["object"], "list");
  EXPECT_EQ(o["usage"]["prompt_tokens"], tokens);
  EXPECT_EQ(o["usage"]["total_tokens"], tokens);
  json vectors = json::array();
  for (size_t i = 0; i < o["data"].size(); ++i) {
    EXPECT_EQ(o["data"][i]["index"], i);
    EXPECT_EQ(o["data"][i]["object"], "embedding");
    vectors.push_back(o["data"][i]["embedding"]);
  }
  ExpectReferenceVectors(vectors);

  const HttpResult ollama =
      Curl("POST", "/api/embed", json{{"model", kBertRepo}, {"input", texts_}}.dump());
  ASSERT_EQ(ollama.status, 200) << ollama.body;
  ExpectReferenceVectors(ollama.Json()["embeddings"]);
  EXPECT_EQ(ollama.Json()["prompt_eval_count"], tokens);
  EXPECT_TRUE(ollama.Json()["total_duration"].is_number_integer());

  const std::string metrics = MetricsText();  // msgpack, hfctl twice, openai, ollama
  EXPECT_EQ(SumOfSamples(metrics, "llm_embedding_requests"), 5);
  EXPECT_EQ(SumOfSamples(metrics, "llm_embedding_input_tokens_total"), 5 * tokens);
  const json spans = Spans("ai_embedding");
  ASSERT_EQ(spans.size(), 5u) << spans.dump();
  EXPECT_EQ(spans[0]["attributes"]["api"], "ollama");
  EXPECT_EQ(spans[0]["attributes"]["inputs"], texts_.size());
}

TEST_F(Embeddings, OpenAiTakesOneStringAndBase64) {
  const json one = {{"model", kBertRepo}, {"input", texts_[0]}};
  const HttpResult f = Curl("POST", "/v1/embeddings", one.dump());
  ASSERT_EQ(f.status, 200) << f.body;
  json b64_body = one;
  b64_body["encoding_format"] = "base64";
  const HttpResult b = Curl("POST", "/v1/embeddings", b64_body.dump());
  ASSERT_EQ(b.status, 200) << b.body;
  const auto floats = f.Json()["data"][0]["embedding"].get<std::vector<float>>();
  auto bytes = tok::DecodeBase64(b.Json()["data"][0]["embedding"].get<std::string>());
  ASSERT_TRUE(bytes.ok());
  ASSERT_EQ(bytes->size(), floats.size() * 4);
  std::vector<float> decoded(floats.size());
  std::memcpy(decoded.data(), bytes->data(), bytes->size());
  EXPECT_EQ(decoded, floats);
}

TEST_F(Embeddings, RefusalsSayWhatIsWrong) {
  CallOk("pull", {{"model", kHttpModel}});
  Result<json> decoder = Call("embed", {{"model", kHttpModel}, {"input", "hi"}});
  ASSERT_FALSE(decoder.ok());
  EXPECT_NE(decoder.status().message().find("has no pooling"), std::string::npos)
      << decoder.status().ToString();
  Result<json> chat =
      Call("chat", {{"model", kBertRepo}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}});
  ASSERT_FALSE(chat.ok());
  EXPECT_NE(chat.status().message().find("is an embedding model"), std::string::npos)
      << chat.status().ToString();

  const HttpResult empty =
      Curl("POST", "/v1/embeddings", json{{"model", kBertRepo}, {"input", json::array()}}.dump());
  EXPECT_EQ(empty.status, 400) << empty.body;
  EXPECT_NE(empty.body.find("'input'"), std::string::npos) << empty.body;

  // 200 words: past the tiny BERT's 128 positions.
  std::string long_text;
  for (int i = 0; i < 200; ++i) long_text += "word ";
  const HttpResult openai_long =
      Curl("POST", "/v1/embeddings", json{{"model", kBertRepo}, {"input", long_text}}.dump());
  EXPECT_EQ(openai_long.status, 400) << openai_long.body;
  EXPECT_NE(openai_long.body.find("context holds 128"), std::string::npos) << openai_long.body;
  const HttpResult cut =
      Curl("POST", "/api/embed", json{{"model", kBertRepo}, {"input", long_text}}.dump());
  ASSERT_EQ(cut.status, 200) << cut.body;
  EXPECT_EQ(cut.Json()["prompt_eval_count"], 128);
  const HttpResult refused =
      Curl("POST", "/api/embed",
           json{{"model", kBertRepo}, {"input", long_text}, {"truncate", false}}.dump());
  EXPECT_EQ(refused.status, 400) << refused.body;
}

// The fixtures' tiny Qwen2 made a decoder embedder by qwen2.pooling_type = 3 (last), as
// Qwen3-Embedding's GGUFs are: it embeds, and chat and generate on it are refused with
// what to use instead, through the daemon's method and its OpenAI door alike.
class DecoderEmbedder : public HttpTest {
 protected:
  static constexpr const char* kRepo = "fixtures/tiny-qwen2-embed-GGUF";
  void SetUp() override {
    HttpTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    const std::filesystem::path pooled = cache_.path() / "tiny-qwen2-embed.gguf";
    const Status copied = CopyGgufWithPooling(models_.qwen2_q8, pooled, model::Pooling::kLast);
    ASSERT_TRUE(copied.ok()) << copied.ToString();
    ASSERT_NO_FATAL_FAILURE(StartHub([&](hub::testing::TestHubServer& hub) {
      std::ifstream in(pooled, std::ios::binary);
      hub.AddFile(kRepo, "main", "tiny-qwen2-embed.gguf",
                  std::string(std::istreambuf_iterator<char>(in), {}));
    }));
    ASSERT_NO_FATAL_FAILURE(StartDaemon());
    ASSERT_TRUE(WaitForSocket(http_socket(), std::chrono::seconds(10))) << DaemonLog();
    CallOk("pull", {{"model", kRepo}});
  }
};

TEST_F(DecoderEmbedder, EmbedsAndRefusesChatAndGenerate) {
  const json r = CallOk("embed", {{"model", kRepo}, {"input", {"hello world"}}});
  ASSERT_EQ(r["embeddings"].size(), 1u);
  for (const Result<json>& refused :
       {Call("chat", {{"model", kRepo}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}}),
        Call("generate", ShortGenerate(kRepo))}) {
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidArgument);
    const std::string& message = refused.status().message();
    EXPECT_NE(message.find("is an embedding model"), std::string::npos) << message;
    EXPECT_NE(message.find("hfctl embed"), std::string::npos) << message;
  }
  json chat = ChatBody(4, false);
  chat["model"] = kRepo;
  const HttpResult openai = Curl("POST", "/v1/chat/completions", chat.dump());
  EXPECT_EQ(openai.status, 400) << openai.body;
  EXPECT_NE(openai.body.find("/v1/embeddings"), std::string::npos) << openai.body;
}

}  // namespace
}  // namespace hfd::testing
