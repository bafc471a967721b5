#include "http/http_door.h"

#include <memory>

#include <spdlog/spdlog.h>

#include "http/access.h"
#include "http/chat_page.h"
#include "http/http_server.h"
#include "http/ollama/ollama_api.h"
#include "http/openai/openai_api.h"

namespace hfd::http {
namespace {

// What the door owns: the key table outlives the server that reads it.
struct Door {
  explicit Door(HttpAccess a) : access(std::move(a)) {}
  HttpAccess access;
  std::unique_ptr<HttpServer> server;
};

}  // namespace

Status StartHttpDoor(daemon::DaemonServices& services) {
  const daemon::HttpConfig& config = services.config.http;
  HFD_ASSIGN_OR_RETURN(std::vector<HttpListener> listeners,
                       AcquireHttpListeners(services.config, services.socket));
  if (listeners.empty()) return Status::Ok();
  Result<HttpAccess> access = HttpAccess::Create(config, &services.policy);
  if (!access.ok()) {
    ReleaseHttpListeners(listeners);
    return access.status();
  }
  auto door = std::make_shared<Door>(std::move(access).value());
  Router router;
  router.SetErrorShape("", [](const Status& error) {
    return JsonReply(HttpStatusOf(error.code()), nlohmann::json{{"error", error.message()}}.dump());
  });
  openai::AddRoutes(router, services);
  ollama::AddRoutes(router, services);
  AddChatPageRoutes(router);
  ServerOptions options;
  options.max_body_bytes = config.max_body_bytes;
  options.header_timeout_seconds = config.header_timeout_seconds;
  options.max_connections = config.max_connections;
  options.max_connections_per_level = config.max_connections_per_level;
  options.cors_origins = config.cors_origins;
  door->server = std::make_unique<HttpServer>(options, &door->access, std::move(router));
  std::string addresses;
  std::vector<daemon::HttpListenerInfo> infos;
  for (const HttpListener& l : listeners) {
    addresses += (addresses.empty() ? "" : ", ") + std::string(l.tcp ? "http://" : "unix:") +
                 l.address + (l.socket_activated ? " (socket-activated)" : "");
    infos.push_back({l.tcp, l.address, l.socket_activated});
  }
  HFD_RETURN_IF_ERROR(door->server->Start(std::move(listeners)));
  services.http_listeners = std::move(infos);
  spdlog::info("HTTP APIs and the chat page on {}", addresses);
  services.idle_vetoes.push_back([door] { return door->server->recently_active(); });
  services.shutdown_hooks.push_back([door] { door->server->Stop(); });
  return Status::Ok();
}

}  // namespace hfd::http
