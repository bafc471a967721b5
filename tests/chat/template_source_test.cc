// Finding a model's template: tokenizer_config.json (string or named list),
// chat_template.jinja, GGUF metadata, and the special tokens.
#include "engine/chat/template_source.h"

#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/fixtures.h"

namespace hfd::chat {
namespace {

void Write(const std::filesystem::path& p, std::string_view text) {
  std::ofstream(p, std::ios::binary) << text;
}

TEST(ChatTemplateSourceTest, StringOrNamedListInTokenizerConfig) {
  EXPECT_EQ(*ChatTemplateFromTokenizerConfig(R"({"chat_template": "{{ x }}"})"), "{{ x }}");
  const char* listed =
      R"({"chat_template": [{"name": "tool_use", "template": "T"}, {"name": "default", "template": "D"}]})";
  EXPECT_EQ(*ChatTemplateFromTokenizerConfig(listed), "D");
  EXPECT_EQ(*ChatTemplateFromTokenizerConfig(listed, "tool_use"), "T");
  auto missing = ChatTemplateFromTokenizerConfig(listed, "rag");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.status().message().find("tool_use, default"), std::string::npos);
  EXPECT_EQ(ChatTemplateFromTokenizerConfig(R"({"bos_token": "<s>"})").status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(ChatTemplateFromTokenizerConfig("not json").status().code(), ErrorCode::kCorrupt);
  EXPECT_EQ(ChatTemplateFromTokenizerConfig(R"({"chat_template": 5})").status().code(),
            ErrorCode::kCorrupt);
}

TEST(ChatTemplateSourceTest, ModelDirectoryPrefersChatTemplateJinja) {
  hfd::testing::TempDir dir;
  EXPECT_EQ(FindChatTemplate(dir.path()).status().code(), ErrorCode::kNotFound);
  Write(dir.path() / "tokenizer_config.json", R"({"chat_template": "from config"})");
  EXPECT_EQ(*FindChatTemplate(dir.path()), "from config");
  Write(dir.path() / "chat_template.jinja", "from jinja file");
  EXPECT_EQ(*FindChatTemplate(dir.path()), "from jinja file");
}

TEST(ChatTemplateSourceTest, GgufMetadataValue) {
  EXPECT_EQ(ChatTemplateFromGguf("").status().code(), ErrorCode::kNotFound);
  auto t = ChatTemplateFromGguf("{{ bos_token }}{{ messages[0].content }}");
  ASSERT_TRUE(t.ok());
  RenderOptions o;
  o.bos_token = "<s>";
  EXPECT_EQ(*t->Render(nlohmann::json::parse(R"([{"role": "user", "content": "hi"}])"), o),
            "<s>hi");
}

TEST(ChatTemplateSourceTest, SpecialTokensAsStringsOrAddedTokens) {
  RenderOptions o;
  ASSERT_TRUE(SpecialTokensFromTokenizerConfig(
                  R"({"bos_token": {"content": "<s>", "lstrip": false}, "eos_token": "</s>"})", &o)
                  .ok());
  EXPECT_EQ(o.bos_token, "<s>");
  EXPECT_EQ(o.eos_token, "</s>");
  ASSERT_TRUE(SpecialTokensFromTokenizerConfig(R"({"eos_token": "<|im_end|>"})", &o).ok());
  EXPECT_EQ(o.bos_token, "");
  EXPECT_EQ(o.eos_token, "<|im_end|>");
}

}  // namespace
}  // namespace hfd::chat
