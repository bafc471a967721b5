// `metrics`: the Prometheus registry in the text exposition format.
#include "daemon/methods/methods.h"
#include "proto/params.h"

namespace hfd::daemon {

Status RegisterMetricsMethods(MethodRegistry& registry, DaemonServices& services) {
  return registry.Add({"metrics", serve::Rights::kRead, Execution::kLoop,
                       Sync([&services](RequestContext& ctx) -> Result<nlohmann::json> {
                         HFD_RETURN_IF_ERROR(proto::RejectUnknownParams(ctx.params(), {}));
                         for (const auto& refresh : services.metric_refreshers) refresh();
                         return nlohmann::json{{"content_type", "text/plain; version=0.0.4"},
                                               {"text", services.metrics.Render()}};
                       })});
}

}  // namespace hfd::daemon
