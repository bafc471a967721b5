// Whitespace control as transformers configures Jinja (trim_blocks, lstrip_blocks) and as
// @huggingface/jinja implements it, plus comments, raw blocks and string literals.
#include <gtest/gtest.h>

#include "tests/chat/test_util.h"

namespace hfd::chat {
namespace {

using testing::R;
using testing::RenderOrError;

TEST(ChatLexerTest, TrimBlocksRemovesTheNewlineAfterABlockTag) {
  EXPECT_EQ(R("{% if true %}\nyes\n{% endif %}\nafter"), "yes\nafter");
  EXPECT_EQ(R("{# note #}\nx"), "x");
  // Only the first newline, and not after an expression.
  EXPECT_EQ(R("{% if true %}\n\nx{% endif %}"), "\nx");
  EXPECT_EQ(R("{{ 'a' }}\nb"), "a\nb");
}

TEST(ChatLexerTest, LstripBlocksRemovesIndentBeforeABlockTag) {
  EXPECT_EQ(R("  {% if true %}\n    x\n  {% endif %}\n"), "    x\n");
  // Not when text precedes the tag on its line, and never before an expression.
  EXPECT_EQ(R("a  {% if true %}b{% endif %}"), "a  b");
  EXPECT_EQ(R("  {{ 'v' }}"), "  v");
  // `+` keeps the indentation.
  EXPECT_EQ(R("  {%+ if true %}x{% endif %}"), "  x");
}

TEST(ChatLexerTest, MinusStripsAllWhitespaceOnItsSide) {
  EXPECT_EQ(R("a  \n {{- 'b' -}} \n\n c"), "abc");
  EXPECT_EQ(R("a\n\n{%- if true -%}\n\n b \n{%- endif %}"), "ab");
  EXPECT_EQ(R("x \n{#- comment -#}\n y"), "xy");
}

TEST(ChatLexerTest, OneTrailingNewlineIsDropped) {
  EXPECT_EQ(R("hello\n"), "hello");
  EXPECT_EQ(R("hello\n\n"), "hello\n");
}

TEST(ChatLexerTest, StringLiteralsAndEscapes) {
  EXPECT_EQ(R(R"({{ 'it\'s' }}|{{ "a\"b" }}|{{ 'tab\there' }}|{{ '\u00e9\x41' }})"),
            "it's|a\"b|tab\there|\xC3\xA9"
            "A");
  EXPECT_EQ(R(R"({{ 'a' 'b' "c" }})"), "abc");
  EXPECT_EQ(R(R"({{ '\q' }})"), "\\q");
  EXPECT_EQ(R("{{ '%}' }}{{ \"}}\" }}"), "%}}}");
}

TEST(ChatLexerTest, RawBlocksAreLiteral) {
  EXPECT_EQ(R("{% raw %}{{ not parsed }}{% endraw %}"), "{{ not parsed }}");
}

TEST(ChatLexerTest, DictLiteralsMayCloseWithDoubleBrace) {
  EXPECT_EQ(R("{{ {'a': {'b': 1}}['a']['b'] }}"), "1");
}

TEST(ChatLexerTest, SyntaxErrorsGiveLineAndColumn) {
  EXPECT_EQ(RenderOrError("line1\n  {{ 'open"),
            "ERROR: chat template syntax error at line 2, column 6: string literal is never "
            "closed");
  EXPECT_EQ(RenderOrError("{{ 1 }\n"),
            "ERROR: chat template syntax error at line 1, column 1: '{{' is never closed by '}}'");
  EXPECT_EQ(RenderOrError("ok\n{# never closed"),
            "ERROR: chat template syntax error at line 2, column 1: comment '{#' is never closed "
            "by '#}'");
  EXPECT_EQ(RenderOrError("{{ a ; b }}"),
            "ERROR: chat template syntax error at line 1, column 6: unexpected character ';'");
}

}  // namespace
}  // namespace hfd::chat
