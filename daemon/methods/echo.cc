// `echo`: streams `count` notifications back, `interval_ms` apart, then replies. A
// protocol diagnostic: lets client authors exercise streaming, cancel and backpressure
// (and measure round trips) against any daemon without models.
#include <chrono>
#include <thread>

#include "daemon/methods/methods.h"
#include "proto/params.h"

namespace hfd::daemon {
namespace {

constexpr std::uint64_t kMaxCount = 1'000'000;
constexpr std::uint64_t kMaxIntervalMs = 60'000;
constexpr std::size_t kMaxPayloadBytes = 1 << 20;
constexpr auto kCancelCheck = std::chrono::milliseconds(20);

// Sleeps up to `ms`, waking early when the request is cancelled.
void SleepUnlessCancelled(const RequestContext& ctx, std::uint64_t ms) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!ctx.cancelled() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        kCancelCheck, until - std::chrono::steady_clock::now()));
  }
}

void Echo(std::shared_ptr<RequestContext> ctx) {
  const nlohmann::json& params = ctx->params();
  if (Status s = proto::RejectUnknownParams(params, {"count", "interval_ms", "payload"}); !s.ok()) {
    return ctx->ReplyError(s);
  }
  auto count = proto::OptionalUint(params, "count", kMaxCount);
  auto interval = proto::OptionalUint(params, "interval_ms", kMaxIntervalMs);
  auto payload = proto::OptionalString(params, "payload", kMaxPayloadBytes);
  for (const Status& s : {count.status(), interval.status(), payload.status()}) {
    if (!s.ok()) return ctx->ReplyError(s);
  }
  const std::uint64_t n = count->value_or(1);
  const std::string text = payload->value_or("");
  for (std::uint64_t seq = 0; seq < n; ++seq) {
    if (seq > 0) SleepUnlessCancelled(*ctx, interval->value_or(0));
    if (ctx->cancelled()) {
      return ctx->ReplyError(Cancelled("echo cancelled after " + std::to_string(seq) + " of " +
                                       std::to_string(n) + " notifications"));
    }
    ctx->Notify("echo", {{"seq", seq}, {"payload", text}});
  }
  ctx->Reply({{"count", n}});
}

}  // namespace

Status RegisterEchoMethods(MethodRegistry& registry, DaemonServices&) {
  return registry.Add({"echo", serve::Rights::kRead, Execution::kWorker, Echo});
}

}  // namespace hfd::daemon
