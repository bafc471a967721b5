// The bounded span history.
#include <gtest/gtest.h>

#include "daemon/spans/span_history.h"

namespace hfd::daemon {
namespace {

Span Named(const std::string& name) {
  Span s;
  s.name = name;
  s.start = std::chrono::system_clock::now();
  return s;
}

TEST(SpanHistory, NewestFirstWithLimit) {
  SpanHistory h(10);
  for (const char* n : {"a", "b", "c"}) h.Record(Named(n));
  auto spans = h.Newest(2);
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].name, "c");
  EXPECT_EQ(spans[1].name, "b");
  EXPECT_GT(spans[0].id, spans[1].id);
}

TEST(SpanHistory, EvictsTheOldestWhenFull) {
  SpanHistory h(3);
  for (int i = 0; i < 5; ++i) h.Record(Named("s" + std::to_string(i)));
  auto spans = h.Newest(100);
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans.back().name, "s2");
}

TEST(SpanHistory, FiltersByName) {
  SpanHistory h(10);
  for (const char* n : {"health", "ai_completion", "health"}) h.Record(Named(n));
  EXPECT_EQ(h.Newest(10, std::string("health")).size(), 2u);
  EXPECT_EQ(h.Newest(10, std::string("ai_completion")).size(), 1u);
}

TEST(SpanHistory, JsonHasTimesAndAttributes) {
  SpanHistory h(2);
  SpanTimer timer("health");
  timer.attributes()["status"] = "ok";
  timer.Finish(h);
  const nlohmann::json j = SpanToJson(h.Newest(1).at(0));
  EXPECT_EQ(j["name"], "health");
  EXPECT_EQ(j["attributes"]["status"], "ok");
  EXPECT_TRUE(j["duration_ms"].is_number());
  const std::string start = j["start"];
  EXPECT_EQ(start.size(), 24u) << start;  // 2026-01-02T03:04:05.678Z
  EXPECT_EQ(start.back(), 'Z');
}

}  // namespace
}  // namespace hfd::daemon
