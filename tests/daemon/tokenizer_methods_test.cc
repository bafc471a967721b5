// tokenize, detokenize and chat --show-prompt through a real daemon and hfctl, checked
// against the conformance fixtures (transformers' and llama.cpp's token ids, the Qwen2
// chat format).
#include <stdlib.h>

#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hfd/client.h"
#include "tests/daemon/harness.h"
#include "tests/serve/test_model.h"
#include "tests/support/fixtures.h"

namespace hfd::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kCommit[] = "0123456789abcdef0123456789abcdef01234567";

// One daemon for the whole suite, so its tokenizer cache is exercised across tests. Its Hub
// cache is a temporary folder holding a hand-made snapshot of tiny-llama3.
class TokenizerMethods : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    hub_cache_ = std::make_unique<TempDir>();
    ::setenv("HF_HUB_CACHE", hub_cache_->path().c_str(), 1);
    ::setenv("HF_HUB_OFFLINE", "1", 1);
    daemon_ = std::make_unique<DaemonFixture>();
  }
  static void TearDownTestSuite() {
    daemon_.reset();
    hub_cache_.reset();
  }
  void SetUp() override { ASSERT_TRUE(daemon_->started()) << daemon_->Log(); }

  static CommandResult Hfctl(std::vector<std::string> args) {
    args.insert(args.begin(), {BinaryFromEnv("HFCTL_BIN"), "--socket", daemon_->socket()});
    return RunCommand(args);
  }
  static json TokenizeJson(const fs::path& model, const std::string& text, bool add_special) {
    std::vector<std::string> args{"--json", "tokenize"};
    if (!add_special) args.push_back("--no-special");
    args.insert(args.end(), {"--", model.string(), text});
    CommandResult r = Hfctl(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? json::parse(r.out)["ids"] : json();
  }
  static fs::path WriteFile(const std::string& name, const std::string& content) {
    const fs::path path = daemon_->dir() / name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  static std::unique_ptr<TempDir> hub_cache_;
  static std::unique_ptr<DaemonFixture> daemon_;
};

std::unique_ptr<TempDir> TokenizerMethods::hub_cache_;
std::unique_ptr<DaemonFixture> TokenizerMethods::daemon_;

json TransformersCases(const fs::path& fixtures, const std::string& model) {
  return json::parse(ReadFileOrFail(fixtures / "reference/transformers.json"))[model]["tokenize"];
}

TEST_F(TokenizerMethods, TokenizeModelDirGivesTransformersIds) {
  HFD_REQUIRE_FIXTURES(fixtures);
  const fs::path dir = fixtures / "models/tiny-llama3";
  for (const json& c : TransformersCases(fixtures, "tiny-llama3")) {
    const std::string text = c["text"];
    EXPECT_EQ(TokenizeJson(dir, text, false), c["ids"]) << text;
    EXPECT_EQ(TokenizeJson(dir, text, true), c["ids_with_special"]) << text;
  }
}

TEST_F(TokenizerMethods, DetokenizeGivesTransformersText) {
  HFD_REQUIRE_FIXTURES(fixtures);
  for (const char* model : {"tiny-llama3", "tiny-llama2"}) {
    for (const json& c : TransformersCases(fixtures, model)) {
      std::vector<std::string> args{"--json", "detokenize", (fixtures / "models" / model).string()};
      for (const json& id : c["ids"]) args.push_back(id.dump());
      if (c["ids"].empty()) continue;  // detokenize needs at least one id
      CommandResult r = Hfctl(args);
      ASSERT_EQ(r.exit_code, 0) << r.err;
      EXPECT_EQ(json::parse(r.out)["text"], c["decode"]) << model << ": " << c["text"];
    }
  }
}

TEST_F(TokenizerMethods, HumanOutputIsIdsThenText) {
  HFD_REQUIRE_FIXTURES(fixtures);
  const std::string dir = (fixtures / "models/tiny-llama3").string();
  CommandResult ids = Hfctl({"tokenize", dir, "Hello world"});
  ASSERT_EQ(ids.exit_code, 0) << ids.err;
  EXPECT_EQ(ids.out, "128000 9906 1917\n");
  CommandResult text = Hfctl({"detokenize", dir, "9906", "1917"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out, "Hello world\n");
}

// llama.cpp's test vectors: strings separated by "\n__ggml_vocab_test__\n" lines, and one
// line of ids (no BOS) per string.
void ExpectVocabMatchesLlamaCpp(
    const fs::path& gguf, bool add_special,
    const std::function<json(const fs::path&, const std::string&, bool)>& tokenize) {
  const std::string inp = ReadFileOrFail(fs::path(gguf.string() + ".inp"));
  std::istringstream out(ReadFileOrFail(fs::path(gguf.string() + ".out")));
  const std::string separator = "\n__ggml_vocab_test__\n";
  std::size_t start = 0;
  int checked = 0;
  for (std::size_t end; (end = inp.find(separator, start)) != std::string::npos;
       start = end + separator.size()) {
    const std::string text = inp.substr(start, end - start);
    std::string line;
    ASSERT_TRUE(std::getline(out, line)) << "fewer lines in .out than strings in .inp";
    json expected = json::array();
    std::istringstream ids(line);
    for (int id; ids >> id;) expected.push_back(id);
    EXPECT_EQ(tokenize(gguf, text, add_special), expected) << gguf.filename() << ": " << text;
    ++checked;
  }
  EXPECT_GT(checked, 30);
}

TEST_F(TokenizerMethods, TokenizeVocabOnlyGgufGivesLlamaCppIds) {
  HFD_REQUIRE_FIXTURES(fixtures);
  for (const char* vocab : {"ggml-vocab-gpt-2.gguf", "ggml-vocab-llama-spm.gguf"}) {
    ExpectVocabMatchesLlamaCpp(fixtures / "vocab" / vocab, false, TokenizeJson);
  }
}

constexpr char kMessages[] = R"([
  {"role": "system", "content": "You are terse."},
  {"role": "user", "content": "What is 2+2?"},
  {"role": "assistant", "content": "4"},
  {"role": "user", "content": "And 3+3?"}
])";

constexpr char kQwenPrompt[] =
    "<|im_start|>system\nYou are terse.<|im_end|>\n"
    "<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
    "<|im_start|>assistant\n4<|im_end|>\n"
    "<|im_start|>user\nAnd 3+3?<|im_end|>\n";

TEST_F(TokenizerMethods, ChatShowPromptPrintsTheRenderedTemplate) {
  HFD_REQUIRE_FIXTURES(fixtures);
  const std::string messages = WriteFile("messages.json", kMessages).string();
  for (const fs::path& model :
       {fixtures / "models/tiny-qwen2", fixtures / "gguf/tiny-qwen2-Q8_0.gguf"}) {
    CommandResult r = Hfctl({"chat", model.string(), "--show-prompt", "--messages", messages});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, std::string(kQwenPrompt) + "<|im_start|>assistant\n") << model;
    CommandResult bare = Hfctl({"chat", model.string(), "--show-prompt", "--messages", messages,
                                "--no-generation-prompt"});
    ASSERT_EQ(bare.exit_code, 0) << bare.err;
    EXPECT_EQ(bare.out, kQwenPrompt) << model;
  }
  const fs::path wrapped =
      WriteFile("wrapped.json", std::string("{\"messages\": ") + kMessages + "}");
  CommandResult j =
      Hfctl({"--json", "chat", (fixtures / "models/tiny-qwen2").string(), "--show-prompt",
             "--messages", wrapped.string(), "--no-generation-prompt"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  EXPECT_EQ(json::parse(j.out)["prompt"], kQwenPrompt);
}

TEST_F(TokenizerMethods, HubIdResolvesToTheCachedSnapshot) {
  HFD_REQUIRE_FIXTURES(fixtures);
  const fs::path repo = hub_cache_->path() / "models--test--tiny-llama3";
  fs::create_directories(repo / "refs");
  fs::create_directories(repo / "blobs");
  fs::create_directories(repo / "snapshots" / kCommit);
  std::ofstream(repo / "refs/main") << kCommit;
  // Laid out as huggingface_hub does: a link out of the repo folder would be refused.
  for (const char* file : {"tokenizer.json", "tokenizer_config.json"}) {
    fs::copy_file(fixtures / "models/tiny-llama3" / file, repo / "blobs" / file);
    fs::create_symlink(std::string("../../blobs/") + file, repo / "snapshots" / kCommit / file);
  }
  EXPECT_EQ(TokenizeJson("test/tiny-llama3", "Hello world", true), json({128000, 9906, 1917}));
  EXPECT_EQ(TokenizeJson(std::string("test/tiny-llama3@") + kCommit, "Hello world", false),
            json({9906, 1917}));

  CommandResult absent = Hfctl({"tokenize", "test/not-pulled", "x"});
  EXPECT_EQ(absent.exit_code, 1);
  EXPECT_NE(absent.err.find("not in the Hub cache"), std::string::npos) << absent.err;
  EXPECT_NE(absent.err.find("hfctl pull test/not-pulled"), std::string::npos) << absent.err;
}

TEST_F(TokenizerMethods, BadModelsGiveClearErrors) {
  HFD_REQUIRE_FIXTURES(fixtures);
  CommandResult missing = Hfctl({"tokenize", "/nonexistent/model.gguf", "x"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("/nonexistent/model.gguf"), std::string::npos) << missing.err;

  CommandResult relative = Hfctl({"tokenize", "./no-such-dir-here", "x"});
  EXPECT_EQ(relative.exit_code, 1);
  EXPECT_NE(relative.err.find(fs::current_path().string() + "/no-such-dir-here"), std::string::npos)
      << relative.err;

  CommandResult not_model = Hfctl({"tokenize", (fixtures / "chat").string(), "x"});
  EXPECT_EQ(not_model.exit_code, 1);
  EXPECT_NE(not_model.err.find("tokenizer.json"), std::string::npos) << not_model.err;

  CommandResult no_template =
      Hfctl({"chat", (fixtures / "vocab/ggml-vocab-gpt-2.gguf").string(), "--show-prompt",
             "--messages", WriteFile("m.json", kMessages).string()});
  EXPECT_EQ(no_template.exit_code, 1);
  EXPECT_NE(no_template.err.find("chat_template"), std::string::npos) << no_template.err;
}

TEST_F(TokenizerMethods, BadIdsAndArgumentsGiveClearErrors) {
  HFD_REQUIRE_FIXTURES(fixtures);
  const std::string dir = (fixtures / "models/tiny-llama3").string();
  CommandResult too_big = Hfctl({"detokenize", dir, "9906", "99999999"});
  EXPECT_EQ(too_big.exit_code, 1);
  EXPECT_NE(too_big.err.find("token id 99999999 is not in the vocabulary"), std::string::npos)
      << too_big.err;
  EXPECT_EQ(Hfctl({"detokenize", dir, "abc"}).exit_code, 2);

  CommandResult no_show = Hfctl({"chat", dir});  // stdin is /dev/null: nothing to send
  EXPECT_EQ(no_show.exit_code, 2);
  EXPECT_NE(no_show.err.find("no message to send"), std::string::npos) << no_show.err;
  CommandResult no_file = Hfctl({"chat", dir, "--show-prompt", "--messages", "/nonexistent.json"});
  EXPECT_EQ(no_file.exit_code, 2);
  EXPECT_NE(no_file.err.find("/nonexistent.json"), std::string::npos) << no_file.err;
  CommandResult not_list =
      Hfctl({"chat", dir, "--show-prompt", "--messages", WriteFile("o.json", "{}").string()});
  EXPECT_EQ(not_list.exit_code, 2);
  EXPECT_NE(not_list.err.find("list of"), std::string::npos) << not_list.err;
}

// Mistral Nemo's real tekken vocabulary (tests/tokenizer/testdata/tekken) through the
// daemon: llama-tokenize's ids, the text back, and Nemo's chat template as Hugging Face's
// renderer gave it.
TEST_F(TokenizerMethods, NemoTekkenVocabularyGivesLlamaCppIdsAndNemoChatPrompts) {
  const fs::path vocab = HFD_TEKKEN_VOCAB;
  const json reference =
      json::parse(ReadFileOrFail(fs::path(HFD_TEKKEN_TESTDATA) / "reference.json"));
  const json& inputs = reference.at("inputs");
  for (std::size_t i = 0; i < inputs.size(); i += 7) {
    const json& expected = reference.at("llama_cpp").at(i);
    EXPECT_EQ(TokenizeJson(vocab, inputs[i], false), expected) << "string #" << i;
    if (expected.empty()) continue;  // detokenize needs at least one id
    std::vector<std::string> args{"--json", "detokenize", vocab.string()};
    for (const json& id : expected) args.push_back(id.dump());
    CommandResult r = Hfctl(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["text"], inputs[i]) << "string #" << i;
  }
  for (const json& chat : reference.at("chats")) {
    const fs::path messages = WriteFile("nemo.json", chat.at("messages").dump());
    CommandResult r =
        Hfctl({"--json", "chat", vocab.string(), "--show-prompt", "--messages", messages.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["prompt"], inputs.at(chat.at("input").get<int>()));
  }
}

// The result object of a --json run or chat (its last line).
json ResultLine(const CommandResult& r) {
  const std::size_t at = r.out.rfind("{\"result\"");
  return at == std::string::npos ? json() : json::parse(r.out.substr(at))["result"];
}

// A tiny Nemo-shaped model with that vocabulary and template (tests/serve/test_model.h),
// run and chatted with through the daemon: the prompts are llama-tokenize's ids, and the
// generated text tokenizes and detokenizes back to itself.
TEST_F(TokenizerMethods, NemoShapedModelRunsAndChatsThroughHfctl) {
  const fs::path model = daemon_->dir() / "tiny-nemo-tekken.gguf";
  ASSERT_TRUE(serve::testing::WriteTinyNemo(model, HFD_TEKKEN_VOCAB).ok());
  const json reference =
      json::parse(ReadFileOrFail(fs::path(HFD_TEKKEN_TESTDATA) / "reference.json"));
  const json& chat = reference.at("chats").at(0);  // one user message
  const std::string message = chat.at("messages").at(0).at("content");
  const json& chat_ids = reference.at("llama_cpp").at(chat.at("input").get<int>());
  const std::string prompt = "Once upon a time";
  for (const auto& [args, prompt_tokens] :
       std::vector<std::pair<std::vector<std::string>, std::size_t>>{
           {{"chat", model.string(), message}, chat_ids.size()},
           {{"run", model.string(), prompt}, 1 + TokenizeJson(model, prompt, false).size()}}) {
    std::vector<std::string> command{"--json"};
    command.insert(command.end(), args.begin(), args.end());
    command.insert(command.end(), {"-n", "8", "--temperature", "0"});
    CommandResult r = Hfctl(command);
    ASSERT_EQ(r.exit_code, 0) << r.err << daemon_->Log();
    const json result = ResultLine(r);
    EXPECT_EQ(result["usage"]["prompt_tokens"], prompt_tokens) << args[0] << ": " << r.out;
    const std::string text = result.value("text", "");
    EXPECT_FALSE(text.empty()) << args[0] << ": " << r.out;
    std::vector<std::string> detokenize{"--json", "detokenize", model.string()};
    for (const json& id : TokenizeJson(model, text, false)) detokenize.push_back(id.dump());
    CommandResult back = Hfctl(detokenize);
    ASSERT_EQ(back.exit_code, 0) << back.err;
    EXPECT_EQ(json::parse(back.out)["text"], text) << args[0];
  }
}

// What hfctl cannot send: a relative path, ids of the wrong type, missing params.
TEST_F(TokenizerMethods, RawRequestsAreValidated) {
  auto client = client::Client::Connect(daemon_->socket());
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  const auto code = [&](const char* method, const json& params) {
    return (*client)->Call(method, params).status().code();
  };
  EXPECT_EQ(code("tokenize", {{"model", "./relative"}, {"text", "x"}}),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code("tokenize", {{"model", "/x"}}), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code("tokenize", {{"model", "/x"}, {"text", "x"}, {"bogus", 1}}),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code("detokenize", {{"model", "/x"}, {"ids", "1 2"}}), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code("render_chat", {{"model", "/x"}, {"messages", "hi"}}),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code("tokenize", {{"model", "not a valid id!"}, {"text", "x"}}),
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace hfd::testing
