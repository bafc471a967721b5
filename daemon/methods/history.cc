// `history`: recent spans, newest first: a caller's own, or everyone's for managers.
#include "daemon/methods/methods.h"
#include "proto/params.h"

namespace hfd::daemon {
namespace {

constexpr std::uint64_t kDefaultLimit = 20;

}  // namespace

Status RegisterHistoryMethods(MethodRegistry& registry, DaemonServices& services) {
  return registry.Add(
      {"history", serve::Rights::kRead, Execution::kLoop,
       Sync([&services](RequestContext& ctx) -> Result<nlohmann::json> {
         HFD_RETURN_IF_ERROR(proto::RejectUnknownParams(ctx.params(), {"limit", "name"}));
         HFD_ASSIGN_OR_RETURN(std::optional<std::uint64_t> limit,
                              proto::OptionalUint(ctx.params(), "limit"));
         HFD_ASSIGN_OR_RETURN(std::optional<std::string> name,
                              proto::OptionalString(ctx.params(), "name", 128));
         const std::size_t n = static_cast<std::size_t>(
             std::min<std::uint64_t>(limit.value_or(kDefaultLimit), services.spans.capacity()));
         nlohmann::json spans = nlohmann::json::array();
         // Prompts and outputs are the users' own: only managers see everyone's.
         const bool all = services.policy.RightsOf(ctx.peer()) >= serve::Rights::kManage;
         const std::optional<uid_t> owner =
             all ? std::nullopt : std::optional<uid_t>(ctx.peer().uid);
         for (const Span& span : services.spans.Newest(n, name, owner)) {
           spans.push_back(SpanToJson(span));
         }
         return nlohmann::json{{"spans", std::move(spans)},
                               {"capacity", services.spans.capacity()}};
       })});
}

}  // namespace hfd::daemon
