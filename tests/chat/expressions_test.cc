// Expressions: literals, operators and their precedence, attribute and item access,
// slicing, tests, and Python's formatting of printed values.
#include <gtest/gtest.h>

#include "tests/chat/test_util.h"

namespace hfd::chat {
namespace {

using testing::R;
using testing::RenderOrError;

TEST(ChatExpressionTest, LiteralsPrintLikePython) {
  EXPECT_EQ(R("{{ 1 }} {{ -2 }} {{ 1.5 }} {{ 2.0 }} {{ 1e20 }} {{ 0.0001 }} {{ 1e-5 }}"),
            "1 -2 1.5 2.0 1e+20 0.0001 1e-05");
  EXPECT_EQ(R("{{ true }} {{ False }} {{ none }} {{ None }} {{ undefined_name }}|"),
            "True False None None |");
  EXPECT_EQ(R("{{ [1, 'a', none, [true]] }} {{ {'k': 'v', 'n': 1.0} }}"),
            "[1, 'a', None, [True]] {'k': 'v', 'n': 1.0}");
  EXPECT_EQ(R("{{ [\"it's\"] }}"), "[\"it's\"]");
}

TEST(ChatExpressionTest, ArithmeticFollowsPython) {
  EXPECT_EQ(R("{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 7 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }}"),
            "7 9 3.5 3 -4");
  EXPECT_EQ(R("{{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 2 ** 3 ** 2 }} {{ 1 + 0.5 }}"),
            "1 2 1024 64 1.5");
  EXPECT_EQ(R("{{ 'ab' + 'cd' }} {{ 'ab' * 3 }} {{ [1] + [2, 3] }} {{ 1 ~ 'x' ~ none }}"),
            "abcd ababab [1, 2, 3] 1xNone");
  EXPECT_EQ(R("{{ -(3) }} {{ +4 }} {{ 10 - -2 }}"), "-3 4 12");
}

TEST(ChatExpressionTest, ComparisonsAndLogic) {
  EXPECT_EQ(
      R("{{ 1 < 2 < 3 }} {{ 1 < 3 < 2 }} {{ 1 == 1.0 }} {{ 'a' != 'b' }} {{ [1,2] == [1,2] }}"),
      "True False True True True");
  EXPECT_EQ(R("{{ 'b' in 'abc' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 3 not in [1] }}"),
            "True True True True");
  EXPECT_EQ(R("{{ 0 or 'x' }} {{ 1 and 'y' }} {{ [] or none }} {{ not 0 }} {{ not 1 == 2 }}"),
            "x y None True True");
  EXPECT_EQ(R("{{ 'yes' if 1 > 0 else 'no' }} {{ 'yes' if [] else 'no' }} [{{ 'x' if false }}]"),
            "yes no []");
  EXPECT_EQ(R("{{ {'a': 1, 'b': 2} == {'b': 2, 'a': 1} }}"), "True");
}

TEST(ChatExpressionTest, AttributesSubscriptsAndSlices) {
  const char* messages = R"([{"role": "user", "content": "hi", "n": [10, 20, 30]}])";
  EXPECT_EQ(testing::RenderOrError(
                "{{ messages[0].role }} {{ messages[0]['content'] }} {{ messages[-1].n[1] }} "
                "{{ messages[0].n.0 }} {{ messages[0].missing is defined }}",
                messages),
            "user hi 20 10 False");
  EXPECT_EQ(
      R("{{ [1,2,3,4][1:3] }} {{ [1,2,3,4][::-1] }} {{ [1,2,3,4][:-1] }} {{ [1,2,3,4][::2] }}"),
      "[2, 3] [4, 3, 2, 1] [1, 2, 3] [1, 3]");
  EXPECT_EQ(R("{{ 'héllo'[1] }} {{ 'héllo'[::-1] }} {{ 'héllo'[1:3] }} {{ 'abc'[-1] }}"),
            "é olléh él c");
  EXPECT_EQ(R("{{ [1][5] is defined }} {{ none.x is defined }}"), "False False");
}

TEST(ChatExpressionTest, Tests) {
  EXPECT_EQ(R("{{ x is defined }} {{ x is undefined }} {{ none is none }} {{ 'a' is string }}"),
            "False True True True");
  EXPECT_EQ(R("{{ 1 is number }} {{ 1.5 is float }} {{ 1 is integer }} {{ true is boolean }}"),
            "True True True True");
  EXPECT_EQ(R("{{ {} is mapping }} {{ [] is iterable }} {{ 'x' is iterable }} {{ 1 is iterable }}"),
            "True True True False");
  EXPECT_EQ(R("{{ [] is sequence }} {{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }}"),
            "True True True True");
  EXPECT_EQ(R("{{ 2 is equalto 2 }} {{ 2 is eq(3) }} {{ 'a' is in 'cat' }} {{ 1 is not none }}"),
            "True False True True");
  EXPECT_EQ(R("{{ 'abc' is lower }} {{ 'ABC' is upper }} {{ 5 is gt 3 }} {{ 5 is lt 3 }}"),
            "True True True False");
  EXPECT_EQ(R("{{ range is callable }} {{ true is true }} {{ 1 is true }} {{ false is false }}"),
            "True True False True");
}

TEST(ChatExpressionTest, StringMethods) {
  EXPECT_EQ(R("{{ '  x  '.strip() }}|{{ '  x  '.lstrip() }}|{{ '  x  '.rstrip() }}|"
              "{{ '\\nx\\n'.strip('\\n') }}|{{ 'xxhixx'.strip('x') }}"),
            "x|x  |  x|x|hi");
  EXPECT_EQ(R("{{ 'a,b,,c'.split(',') }} {{ ' a  b '.split() }} {{ 'a b c'.split(' ', 1) }}"),
            "['a', 'b', '', 'c'] ['a', 'b'] ['a', 'b c']");
  EXPECT_EQ(R("{{ 'hello'.startswith('he') }} {{ 'hello'.endswith(('x', 'lo')) }} "
              "{{ 'Hello World'.upper() }} {{ 'Hello'.lower() }} {{ 'hello world'.title() }}"),
            "True True HELLO WORLD hello Hello World");
  EXPECT_EQ(R("{{ 'aaa'.replace('a', 'b', 2) }} {{ 'hello'.find('l') }} {{ 'hello'.find('z') }} "
              "{{ '-'.join(['a', 'b']) }} {{ 'hELLO'.capitalize() }} {{ 'banana'.count('a') }}"),
            "bba 2 -1 a-b Hello 3");
  EXPECT_EQ(R("{{ '<think>a</think>b'.split('</think>')[-1] }}"), "b");
}

TEST(ChatExpressionTest, DictMethods) {
  EXPECT_EQ(R("{% set d = {'b': 1, 'a': 2} %}{{ d.keys() }} {{ d.values() }} {{ d.items() }} "
              "{{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 5) }}"),
            "['b', 'a'] [1, 2] [['b', 1], ['a', 2]] 2 None 5");
}

TEST(ChatExpressionTest, GlobalFunctions) {
  EXPECT_EQ(R("{{ range(3) }} {{ range(1, 7, 2) }} {{ range(3, 0, -1) }} {{ range(0) }}"),
            "[0, 1, 2] [1, 3, 5] [3, 2, 1] []");
  EXPECT_EQ(R("{{ dict(a=1, b='x') }}"), "{'a': 1, 'b': 'x'}");
  EXPECT_EQ(R("{{ strftime_now('%Y') | length }}"), "4");
}

}  // namespace
}  // namespace hfd::chat
