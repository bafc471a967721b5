// Errors are values: parse errors name line and column, runtime errors name the construct,
// raise_exception passes its message through, and limits stop hostile templates.
#include <gtest/gtest.h>

#include "tests/chat/test_util.h"

namespace hfd::chat {
namespace {

using testing::RenderOrError;

TEST(ChatErrorTest, ParseErrors) {
  EXPECT_EQ(RenderOrError("{% if x %}never closed"),
            "ERROR: chat template syntax error at line 1, column 23: missing '{% endif %}'");
  EXPECT_EQ(RenderOrError("{% endfor %}"),
            "ERROR: chat template syntax error at line 1, column 4: unknown or unsupported "
            "statement 'endfor'");
  EXPECT_EQ(RenderOrError("{% extends 'base' %}"),
            "ERROR: chat template syntax error at line 1, column 4: unknown or unsupported "
            "statement 'extends'");
  EXPECT_EQ(RenderOrError("\n\n  {{ 1 + }}"),
            "ERROR: chat template syntax error at line 3, column 10: expected an expression, found "
            "'}}'");
  EXPECT_EQ(RenderOrError("{{ 99999999999999999999 }}"),
            "ERROR: chat template syntax error at line 1, column 4: integer literal out of range");
}

TEST(ChatErrorTest, RuntimeErrorsNameTheConstruct) {
  EXPECT_EQ(RenderOrError("{{ 1 / 0 }}"),
            "ERROR: chat template error at line 1, column 4: division by zero in '/'");
  EXPECT_EQ(RenderOrError("\n{{ 'a' - 1 }}"),
            "ERROR: chat template error at line 2, column 4: unsupported operand types for '-': "
            "string and integer");
  EXPECT_EQ(RenderOrError("{{ missing.attr }}"),
            "ERROR: chat template error at line 1, column 11: 'missing' is undefined, so it has no "
            "attribute 'attr'");
  EXPECT_EQ(RenderOrError("{{ missing + 1 }}"),
            "ERROR: chat template error at line 1, column 4: unsupported operand types for '+': "
            "undefined 'missing' and integer");
  EXPECT_EQ(RenderOrError("{{ nothing() }}"),
            "ERROR: chat template error at line 1, column 11: cannot call 'nothing' is undefined");
  EXPECT_EQ(RenderOrError("{{ [1] | tojson(indent='x') }}"),
            "ERROR: chat template error at line 1, column 10: filter 'tojson': tojson() needs an "
            "integer for 'indent'");
  EXPECT_EQ(RenderOrError("{% for a, b in [1] %}{% endfor %}"),
            "ERROR: chat template error at line 1, column 4: cannot unpack integer into 2 loop "
            "variables");
}

TEST(ChatErrorTest, RaiseExceptionPassesTheMessageThrough) {
  auto tmpl = ChatTemplate::Parse("{{ raise_exception('Roles must alternate') }}");
  ASSERT_TRUE(tmpl.ok());
  auto out = tmpl->Render(nlohmann::json::array(), {});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(), "Roles must alternate");
}

TEST(ChatErrorTest, MessagesMustBeAList) {
  auto tmpl = ChatTemplate::Parse("x");
  ASSERT_TRUE(tmpl.ok());
  EXPECT_FALSE(tmpl->Render(nlohmann::json::object(), {}).ok());
  RenderOptions bad_extra;
  bad_extra.extra = 5;
  EXPECT_FALSE(tmpl->Render(nlohmann::json::array(), bad_extra).ok());
}

TEST(ChatErrorTest, LimitsStopHostileTemplates) {
  RenderOptions small;
  small.limits.max_steps = 100000;
  small.limits.max_output_bytes = 1 << 16;
  auto code_of = [&](std::string_view source) {
    auto tmpl = ChatTemplate::Parse(source);
    EXPECT_TRUE(tmpl.ok()) << tmpl.status().ToString();
    auto out = tmpl->Render(nlohmann::json::array(), small);
    EXPECT_FALSE(out.ok()) << source;
    return out.ok() ? ErrorCode::kOk : out.status().code();
  };
  // Unbounded work, output and string growth.
  EXPECT_EQ(code_of("{% for i in range(100000000) %}{% endfor %}"), ErrorCode::kTooLarge);
  EXPECT_EQ(code_of("{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}"),
            ErrorCode::kTooLarge);
  EXPECT_EQ(code_of("{% for i in range(10000) %}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{% endfor %}"),
            ErrorCode::kTooLarge);
  EXPECT_EQ(code_of("{{ 'x' * 100000000 }}"), ErrorCode::kTooLarge);
  EXPECT_EQ(code_of("{% set ns = namespace(s='xx') %}{% for i in range(64) %}"
                    "{% set ns.s = ns.s ~ ns.s %}{% endfor %}"),
            ErrorCode::kTooLarge);
  EXPECT_EQ(code_of("{% set s = 'x' * 60000 %}{{ [s, s, s, s] | upper }}"), ErrorCode::kTooLarge);
  EXPECT_EQ(code_of("{% set s = 'x' * 60000 %}{{ [s, s] ~ 'x' }}"), ErrorCode::kTooLarge);
  // Unbounded recursion and nesting.
  EXPECT_EQ(code_of("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}"),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of("{% set ns = namespace(l=[]) %}{% for i in range(200) %}"
                    "{% set ns.l = [ns.l] %}{% endfor %}"),
            ErrorCode::kTooLarge);
  // Nesting in the source is bounded at parse time.
  std::string deep = "{{ " + std::string(500, '(') + "1" + std::string(500, ')') + " }}";
  auto parsed = ChatTemplate::Parse(deep);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("nesting deeper than"), std::string::npos);
}

TEST(ChatErrorTest, DeeplyNestedMessagesAreRefused) {
  nlohmann::json deep = "x";
  for (int i = 0; i < 200; ++i) deep = nlohmann::json::array({deep});
  auto tmpl = ChatTemplate::Parse("{{ messages | length }}");
  ASSERT_TRUE(tmpl.ok());
  auto out = tmpl->Render(nlohmann::json::array({deep}), {});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), ErrorCode::kTooLarge);
}

}  // namespace
}  // namespace hfd::chat
