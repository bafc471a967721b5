// Filters, including tojson with transformers' formatting.
#include <gtest/gtest.h>

#include "tests/chat/test_util.h"

namespace hfd::chat {
namespace {

using testing::R;
using testing::RenderOrError;

TEST(ChatFilterTest, StringFilters) {
  EXPECT_EQ(
      R("{{ '  a b  ' | trim }}|{{ 'xxaxx' | trim('x') }}|{{ 'ab' | upper }}|{{ 'AB' | lower }}"),
      "a b|a|AB|ab");
  EXPECT_EQ(
      R("{{ 'hello world' | title }}|{{ 'hELLO' | capitalize }}|{{ 'aXa' | replace('a', 'b') }}"),
      "Hello World|Hello|bXb");
  EXPECT_EQ(R("{{ 42 | string }}{{ 'x' | string }}|{{ '12' | int + 1 }}|{{ '3.7' | int }}|"
              "{{ 'zz' | int(7) }}|{{ '2.5' | float }}|{{ -3 | abs }}|{{ 2.567 | round(2) }}|"
              "{{ 2.5 | round(0, 'floor') }}"),
            "42x|13|3|7|2.5|3|2.57|2.0");
  EXPECT_EQ(R("{{ 'a\\nb\\n\\nc' | indent(2) }}|{{ 'a\\nb' | indent(2, true) }}"),
            "a\n  b\n\n  c|  a\n  b");
}

TEST(ChatFilterTest, SequenceFilters) {
  EXPECT_EQ(R("{{ [1, 2, 3] | length }} {{ 'héllo' | length }} {{ {'a': 1} | count }} "
              "{{ [3, 1, 2] | first }} {{ [3, 1, 2] | last }} {{ 'abc' | list }}"),
            "3 5 1 3 2 ['a', 'b', 'c']");
  EXPECT_EQ(
      R("{{ ['a', 'b'] | join(', ') }}|{{ [1, 2] | join }}|{{ [3, 1, 2] | sort }}|"
        "{{ [3, 1, 2] | sort(reverse=true) }}|{{ [1, 2] | reverse }}|{{ [1, 2, 1] | unique }}"),
      "a, b|12|[1, 2, 3]|[3, 2, 1]|[2, 1]|[1, 2]");
  EXPECT_EQ(R("{{ [1, 2, 3] | sum }} {{ [3, 1, 2] | min }} {{ [3, 1, 2] | max }} "
              "{{ [1, 2, 3, 4, 5] | batch(2) }}"),
            "6 1 3 [[1, 2], [3, 4], [5]]");
  EXPECT_EQ(R("{{ {'b': 1, 'a': 2} | dictsort }} {{ {'b': 1, 'a': 2} | items }}"),
            "[['a', 2], ['b', 1]] [['b', 1], ['a', 2]]");
}

TEST(ChatFilterTest, SelectRejectAndMap) {
  const char* messages =
      R"([{"role": "system", "content": "s"}, {"role": "user", "content": "u1"},
          {"role": "assistant", "content": "a"}, {"role": "user", "content": "u2",
           "function": {"name": "f"}}])";
  EXPECT_EQ(RenderOrError(
                "{{ messages | selectattr('role', 'equalto', 'user') | map(attribute='content') "
                "| list }} {{ messages | rejectattr('role', 'equalto', 'user') | list | length }} "
                "{{ messages | map(attribute='function.name') | select('defined') | list }} "
                "{{ messages | selectattr('function') | list | length }}",
                messages),
            "['u1', 'u2'] 2 ['f'] 1");
  EXPECT_EQ(R("{{ ['a', 'code', 'b'] | reject('equalto', 'code') | join(',') }} "
              "{{ [1, 2, 3] | select('odd') | list }} {{ ['a', 'b'] | map('upper') | list }}"),
            "a,b [1, 3] ['A', 'B']");
}

TEST(ChatFilterTest, DefaultFilter) {
  EXPECT_EQ(R("{{ missing | default('d') }} {{ '' | default('d') }} {{ '' | default('d', true) }} "
              "{{ none | d('x') }}"),
            "d  d None");
}

TEST(ChatFilterTest, ToJsonMatchesTransformers) {
  // transformers: json.dumps(x, ensure_ascii=False, indent=indent); key order kept.
  const char* tools =
      R"([{"name": "get_weather", "description": "Weather \"now\"\n", "parameters":
          {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
          "score": 1.5, "strict": true, "extra": null, "emoji": "héé", "empty": {}, "list": []}])";
  RenderOptions options;
  options.tools = nlohmann::ordered_json::parse(tools);
  EXPECT_EQ(testing::RenderOrError("{{ tools[0] | tojson }}", "[]", options),
            R"({"name": "get_weather", "description": "Weather \"now\"\n", "parameters": )"
            R"({"type": "object", "properties": {"city": {"type": "string"}}, "required": )"
            R"(["city"]}, "score": 1.5, "strict": true, "extra": null, "emoji": "héé", )"
            R"("empty": {}, "list": []})");
  EXPECT_EQ(testing::RenderOrError("{{ tools[0].parameters | tojson(indent=2) }}", "[]", options),
            "{\n  \"type\": \"object\",\n  \"properties\": {\n    \"city\": {\n      \"type\": "
            "\"string\"\n    }\n  },\n  \"required\": [\n    \"city\"\n  ]\n}");
  EXPECT_EQ(R("{{ {'b': 1, 'a': [1, 2.0]} | tojson(sort_keys=true) }} {{ 'é' | "
              "tojson(ensure_ascii=true) }}"),
            R"({"a": [1, 2.0], "b": 1} "\u00e9")");
  EXPECT_EQ(R("{{ 'tab\\there\\u0001' | tojson }}"), R"("tab\there\u0001")");
}

TEST(ChatFilterTest, UnknownFilterIsASyntaxError) {
  EXPECT_EQ(RenderOrError("{{ x | frobnicate }}"),
            "ERROR: chat template syntax error at line 1, column 8: unknown filter 'frobnicate'");
  EXPECT_EQ(RenderOrError("{{ x is frobnicated }}"),
            "ERROR: chat template syntax error at line 1, column 9: unknown test 'frobnicated'");
}

}  // namespace
}  // namespace hfd::chat
