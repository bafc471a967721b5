// The Prometheus registry and its text exposition.
#include <gtest/gtest.h>

#include <thread>

#include "daemon/metrics/registry.h"

namespace hfd::daemon::metrics {
namespace {

TEST(MetricsRegistry, CountersGaugesAndHistogramsRender) {
  Registry r;
  Counter& requests = r.AddCounter("llm_requests", "Requests", {"model"});
  requests.Increment({"a"});
  requests.Increment({"a"}, 2);
  r.AddGauge("hfd_connections", "Open").Set(3);
  Histogram& h = r.AddHistogram("llm_internal_request_duration_ms", "Latency", {1, 10}, {"m"});
  h.Observe(0.5, {"x"});
  h.Observe(5, {"x"});
  h.Observe(50, {"x"});
  const std::string text = r.Render();
  EXPECT_NE(text.find("# TYPE llm_requests counter\nllm_requests{model=\"a\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE hfd_connections gauge\nhfd_connections 3\n"), std::string::npos);
  EXPECT_NE(text.find("llm_internal_request_duration_ms_bucket{m=\"x\",le=\"1\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("llm_internal_request_duration_ms_bucket{m=\"x\",le=\"10\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("llm_internal_request_duration_ms_bucket{m=\"x\",le=\"+Inf\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("llm_internal_request_duration_ms_sum{m=\"x\"} 55.5\n"), std::string::npos);
  EXPECT_NE(text.find("llm_internal_request_duration_ms_count{m=\"x\"} 3\n"), std::string::npos);
}

TEST(MetricsRegistry, LabelValuesAreEscaped) {
  Registry r;
  r.AddCounter("c", "Help with \\ and\nnewline", {"l"}).Increment({"a\"b\\c\nd"});
  const std::string text = r.Render();
  EXPECT_NE(text.find("# HELP c Help with \\\\ and\\nnewline\n"), std::string::npos) << text;
  EXPECT_NE(text.find("c{l=\"a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos) << text;
}

TEST(MetricsRegistry, AddingTheSameNameReturnsTheSameFamily) {
  Registry r;
  Counter& a = r.AddCounter("x_total", "X");
  Counter& b = r.AddCounter("x_total", "X");
  EXPECT_EQ(&a, &b);
}

TEST(MetricsRegistry, ConcurrentIncrementsAreAllCounted) {
  Registry r;
  Counter& c = r.AddCounter("n", "N", {"t"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&c] {
      for (int i = 0; i < 10000; ++i) c.Increment({"same"});
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.Value({"same"}), 40000);
}

}  // namespace
}  // namespace hfd::daemon::metrics
