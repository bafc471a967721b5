// `status`: what this daemon is and how it was started.
#include "daemon/methods/methods.h"
#include "proto/message.h"
#include "proto/params.h"

namespace hfd::daemon {

Status RegisterStatusMethods(MethodRegistry& registry, DaemonServices& services) {
  return registry.Add(
      {"status", serve::Rights::kRead, Execution::kLoop,
       Sync([&services, &registry](RequestContext& ctx) -> Result<nlohmann::json> {
         HFD_RETURN_IF_ERROR(proto::RejectUnknownParams(ctx.params(), {}));
         nlohmann::json hub = nlohmann::json::object();
         if (const hub::HubConfig* config =
                 services.service ? services.service->hub_config() : nullptr) {
           hub = {{"endpoint", config->endpoint}, {"cache_dir", config->cache_dir.string()}};
         } else if (services.service) {
           hub = {{"error", services.service->hub_config_error().message()}};
         }
         nlohmann::json backends = nlohmann::json::array();
         for (const BackendInfo& info : services.backends()) {
           backends.push_back(BackendInfoToJson(info));
         }
         nlohmann::json http = nlohmann::json::array();
         for (const HttpListenerInfo& l : services.http_listeners) {
           nlohmann::json listener = {
               {"transport", l.tcp ? "tcp" : "unix"},
               {"address", l.address},
               {"activation", l.socket_activated ? "socket-activated" : "self-bound"}};
           // What a browser opens: the chat page.
           if (l.tcp) listener["url"] = "http://" + l.address + "/";
           http.push_back(std::move(listener));
         }
         return nlohmann::json{
             {"protocol_version", proto::kProtocolVersion},
             {"version", HFD_VERSION},
             {"pid", services.pid},
             {"uptime_seconds", services.UptimeSeconds()},
             {"socket", services.socket.path},
             {"activation", std::string(ActivationModeName(services.socket.mode))},
             {"connections", services.open_connections.load()},
             {"http_listeners", std::move(http)},
             {"backends", std::move(backends)},
             {"hub_token", services.hub_token_source},
             {"hub", std::move(hub)},
             {"methods", registry.Names()},
             {"peer", {{"uid", ctx.peer().uid}, {"gid", ctx.peer().gid}, {"pid", ctx.peer().pid}}},
             // The caller's own level and what every other local user gets.
             {"access",
              {{"level", serve::RightsName(services.policy.RightsOf(ctx.peer()))},
               {"default_level", serve::RightsName(services.policy.default_level())}}}};
       })});
}

}  // namespace hfd::daemon
