// `cancel`: asks a request in flight on the same connection to stop.
#include "daemon/methods/methods.h"
#include "proto/params.h"

namespace hfd::daemon {

Status RegisterCancelMethods(MethodRegistry& registry, DaemonServices&) {
  return registry.Add(
      {"cancel", serve::Rights::kNone, Execution::kLoop,
       Sync([](RequestContext& ctx) -> Result<nlohmann::json> {
         HFD_RETURN_IF_ERROR(proto::RejectUnknownParams(ctx.params(), {"msgid"}));
         HFD_ASSIGN_OR_RETURN(std::uint64_t msgid,
                              proto::RequiredUint(ctx.params(), "msgid", UINT32_MAX));
         if (msgid == ctx.msgid()) return InvalidArgument("a cancel request cannot cancel itself");
         if (!ctx.connection().CancelRequest(static_cast<std::uint32_t>(msgid))) {
           return NotFound("no request with msgid " + std::to_string(msgid) +
                           " is in flight on this connection (it may have finished already)");
         }
         return nlohmann::json{{"cancelled", true}};
       })});
}

}  // namespace hfd::daemon
