// Statements: if/elif/else, for (loop variables, else, filters, unpacking, break and
// continue), set (scoping, namespaces, block set), macros, call blocks, filter blocks.
#include <gtest/gtest.h>

#include "tests/chat/test_util.h"

namespace hfd::chat {
namespace {

using testing::R;
using testing::RenderOrError;

TEST(ChatStatementTest, IfElifElse) {
  const char* t =
      "{% for x in [1, 2, 3] %}{% if x == 1 %}one{% elif x == 2 %}two{% else %}many"
      "{% endif %},{% endfor %}";
  EXPECT_EQ(R(t), "one,two,many,");
}

TEST(ChatStatementTest, LoopVariables) {
  EXPECT_EQ(R("{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}"
              "{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }};{% endfor %}"),
            "1032TrueFalse3;2121FalseFalse3;3210FalseTrue3;");
  EXPECT_EQ(
      R("{% for x in [1, 2, 3] %}{{ loop.previtem }}>{{ x }}>{{ loop.nextitem }} {% endfor %}"),
      ">1>2 1>2>3 2>3> ");
}

TEST(ChatStatementTest, ForElseFiltersUnpackingAndNesting) {
  EXPECT_EQ(R("{% for x in [] %}x{% else %}empty{% endfor %}"), "empty");
  EXPECT_EQ(R("{% for x in range(10) if x is odd %}{{ x }}{{ ',' if not loop.last }}{% endfor %}"),
            "1,3,5,7,9");
  EXPECT_EQ(R("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}"),
            "a=1;b=2;");
  EXPECT_EQ(R("{% for k in {'a': 1, 'b': 2} %}{{ k }}{% endfor %}"), "ab");
  EXPECT_EQ(R("{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }},{% endfor %}"), "3,7,");
  EXPECT_EQ(R("{% for i in [1, 2] %}{% for j in [1, 2] %}{{ loop.index }}{% endfor %}"
              "{{ loop.index }}|{% endfor %}"),
            "121|122|");
}

TEST(ChatStatementTest, BreakAndContinue) {
  EXPECT_EQ(R("{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}"
              "{% if x == 5 %}{% break %}{% endif %}{{ x }}{% endfor %}"),
            "0134");
  EXPECT_EQ(RenderOrError("{% break %}"),
            "ERROR: chat template error at line 1, column 4: 'break' or 'continue' outside a loop");
}

TEST(ChatStatementTest, SetScopingFollowsJinja) {
  // `set` in a for body does not leak out; in an if body it does.
  EXPECT_EQ(R("{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{{ x }}{% endfor %}{{ x }}"), "21");
  EXPECT_EQ(R("{% set x = 1 %}{% if true %}{% set x = 2 %}{% endif %}{{ x }}"), "2");
  EXPECT_EQ(R("{% set a, b = 1, 2 %}{{ a }}{{ b }}"), "12");
  EXPECT_EQ(R("{% set messages = messages + [1] %}{{ messages | length }}"), "1");
}

TEST(ChatStatementTest, NamespacesCarryStateOutOfLoops) {
  EXPECT_EQ(R("{% set ns = namespace(count=0, found=false) %}{% for x in [3, 4, 5] %}"
              "{% set ns.count = ns.count + x %}{% if x == 4 %}{% set ns.found = true %}{% endif %}"
              "{% endfor %}{{ ns.count }} {{ ns.found }}"),
            "12 True");
  EXPECT_EQ(R("{% set ns = namespace() %}{% set ns.x = 'v' %}{{ ns.x }}"), "v");
  EXPECT_EQ(RenderOrError("{% set d = {} %}{% set d.x = 1 %}"),
            "ERROR: chat template error at line 1, column 20: cannot set an attribute of 'd': only "
            "namespace() objects can be changed");
  EXPECT_EQ(RenderOrError("{% set ns = namespace() %}{% set ns.self = ns %}"),
            "ERROR: chat template error at line 1, column 30: a namespace attribute cannot hold a "
            "namespace or a function");
}

TEST(ChatStatementTest, BlockSetAndFilterBlock) {
  EXPECT_EQ(R("{% set greeting %}Hello {{ 'world' }}{% endset %}[{{ greeting }}]"),
            "[Hello world]");
  EXPECT_EQ(R("{% set shout | upper %}quiet{% endset %}{{ shout }}"), "QUIET");
  EXPECT_EQ(R("{% filter upper | replace('A', '4') %}abc{% endfilter %}"), "4BC");
}

TEST(ChatStatementTest, MacrosWithDefaultsKeywordsAndRecursion) {
  EXPECT_EQ(R("{% macro tag(name, value='x') %}<{{ name }}={{ value }}>{% endmacro %}"
              "{{ tag('a') }}{{ tag('b', 'y') }}{{ tag(value='z', name='c') }}"),
            "<a=x><b=y><c=z>");
  EXPECT_EQ(R("{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * fact(n - 1) | int }}{% endif %}"
              "{% endmacro %}{{ fact(5) }}"),
            "120");
  // Macros see template-level names, not the caller's loop variables.
  EXPECT_EQ(R("{% set top = 'T' %}{% macro m() %}{{ top }}{{ inner is defined }}{% endmacro %}"
              "{% for inner in [1] %}{{ m() }}{% endfor %}"),
            "TFalse");
  EXPECT_EQ(RenderOrError("{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}"),
            "ERROR: chat template error at line 1, column 35: m() takes 1 arguments, 2 given");
}

TEST(ChatStatementTest, CallBlocks) {
  EXPECT_EQ(R("{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}"
              "{% for x in ['a'] %}{% call wrap('b') %}{{ x }}!{% endcall %}{% endfor %}"),
            "<b>a!</b>");
  EXPECT_EQ(R("{% macro each(items) %}{% for i in items %}{{ caller(i) }}{% endfor %}{% endmacro %}"
              "{% call(item) each([1, 2]) %}[{{ item }}]{% endcall %}"),
            "[1][2]");
}

TEST(ChatStatementTest, GenerationBlockRendersItsBody) {
  EXPECT_EQ(R("a{% generation %}b{% endgeneration %}c"), "abc");
}

}  // namespace
}  // namespace hfd::chat
