// `health`: a liveness probe that also leaves a `health` span in the history.
#include "daemon/methods/methods.h"
#include "proto/params.h"

namespace hfd::daemon {

Status RegisterHealthMethods(MethodRegistry& registry, DaemonServices& services) {
  return registry.Add(
      {"health", serve::Rights::kRead, Execution::kLoop,
       Sync([&services](RequestContext& ctx) -> Result<nlohmann::json> {
         HFD_RETURN_IF_ERROR(proto::RejectUnknownParams(ctx.params(), {}));
         SpanTimer span("health");
         span.set_owner(ctx.peer().uid);
         span.attributes() = {{"status", "ok"},
                              {"peer_uid", ctx.peer().uid},
                              {"peer_pid", ctx.peer().pid},
                              {"connections", services.open_connections.load()}};
         const double uptime = services.UptimeSeconds();
         const std::uint64_t span_id = span.Finish(services.spans);
         return nlohmann::json{{"status", "ok"}, {"uptime_seconds", uptime}, {"span_id", span_id}};
       })});
}

}  // namespace hfd::daemon
