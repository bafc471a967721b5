// `history`: recent spans, newest first.
#include "daemon/methods/methods.h"
#include "proto/params.h"

namespace hfd::daemon {
namespace {

constexpr std::uint64_t kDefaultLimit = 20;

}  // namespace

Status RegisterHistoryMethods(MethodRegistry& registry, DaemonServices& services) {
  return registry.Add(
      {"history", false, Execution::kLoop,
       Sync([&services](RequestContext& ctx) -> Result<nlohmann::json> {
         HFD_RETURN_IF_ERROR(proto::RejectUnknownParams(ctx.params(), {"limit", "name"}));
         HFD_ASSIGN_OR_RETURN(std::optional<std::uint64_t> limit,
                              proto::OptionalUint(ctx.params(), "limit"));
         HFD_ASSIGN_OR_RETURN(std::optional<std::string> name,
                              proto::OptionalString(ctx.params(), "name", 128));
         const std::size_t n = static_cast<std::size_t>(
             std::min<std::uint64_t>(limit.value_or(kDefaultLimit), services.spans.capacity()));
         nlohmann::json spans = nlohmann::json::array();
         for (const Span& span : services.spans.Newest(n, name)) spans.push_back(SpanToJson(span));
         return nlohmann::json{{"spans", std::move(spans)},
                               {"capacity", services.spans.capacity()}};
       })});
}

}  // namespace hfd::daemon
