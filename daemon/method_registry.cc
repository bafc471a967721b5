#include "daemon/method_registry.h"

namespace hfd::daemon {

Handler Sync(std::function<Result<nlohmann::json>(RequestContext& ctx)> fn) {
  return [fn = std::move(fn)](std::shared_ptr<RequestContext> ctx) {
    Result<nlohmann::json> result = fn(*ctx);
    if (result.ok()) {
      ctx->Reply(std::move(result).value());
    } else {
      ctx->ReplyError(result.status());
    }
  };
}

Status MethodRegistry::Add(Method method) {
  if (method.name.empty()) return InvalidArgument("a method needs a name");
  if (!method.handler) return InvalidArgument("method '" + method.name + "' has no handler");
  const std::string name = method.name;
  if (!methods_.emplace(name, std::move(method)).second) {
    return InvalidArgument("method '" + name + "' is registered twice");
  }
  return Status::Ok();
}

const Method* MethodRegistry::Find(const std::string& name) const {
  auto it = methods_.find(name);
  return it == methods_.end() ? nullptr : &it->second;
}

std::vector<std::string> MethodRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, method] : methods_) names.push_back(name);
  return names;
}

}  // namespace hfd::daemon
