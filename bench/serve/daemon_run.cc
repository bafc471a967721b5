#include "bench/serve/daemon_run.h"

#include <optional>

namespace hfd::bench {

Result<Run> DaemonRun(client::Client& client, const std::string& method,
                      const nlohmann::json& params) {
  const auto start = Clock::now();
  std::optional<Clock::time_point> first, last;
  auto result = client.CallStreaming(method, params,
                                     [&](const std::string& notification, const nlohmann::json&) {
                                       if (notification != "token") return;
                                       const auto now = Clock::now();
                                       if (!first) first = now;
                                       last = now;
                                     });
  if (!result.ok()) return result.status();
  if (!first) return Internal("the daemon streamed no token");
  const int n = (*result)["usage"].value("completion_tokens", 0);
  const double decode = std::chrono::duration<double>(*last - *first).count();
  const double server_ttft_ms = (*result)["timings"].value("ttft_ms", 0.0);
  return Run{std::chrono::duration<double>(*first - start).count(),
             decode > 0 ? (n - 1) / decode : 0.0, n, server_ttft_ms / 1e3};
}

}  // namespace hfd::bench
