// The serving core (serve::Service) of this daemon: built from the configuration before
// any method is registered, stopped at shutdown, and keeping an idle daemon alive while
// it holds models or runs pulls.
#include "daemon/methods/hub_access.h"
#include "daemon/methods/methods.h"

namespace hfd::daemon {
namespace {

serve::ServiceOptions ServiceOptionsFrom(const Config& config) {
  serve::ServiceOptions s;
  serve::ManagerOptions& o = s.manager;
  o.memory_budget_bytes = config.models.memory_budget_bytes;
  o.keep_alive_seconds = config.models.keep_alive_seconds;
  o.max_concurrency = static_cast<int32_t>(config.models.max_concurrency);
  o.max_queue = static_cast<int32_t>(config.models.max_queue);
  o.default_context = static_cast<int32_t>(config.models.default_context);
  o.kv_pool_tokens = config.models.kv_pool_tokens;
  o.prefix_cache = config.models.prefix_cache;
  if (Result<backends::BackendKind> kind = backends::ParseBackendKind(config.backend); kind.ok()) {
    o.backend.kind = *kind;
  }
  o.backend.device = config.device;
  o.backend.vulkan_memory_bytes = static_cast<uint64_t>(config.vulkan_max_memory_bytes);
  // LoadConfig has checked it; the default stands otherwise.
  if (Result<cpu::ActPrecision> a = backends::ParseCpuActivations(config.cpu_activations); a.ok()) {
    o.backend.cpu_activations = *a;
  }
  s.max_pulls_per_user = config.max_pulls_per_user;
  s.max_loads_per_user = config.max_loads_per_user;
  s.derived_dir = DerivedDir(config);
  return s;
}

}  // namespace

Status StartServingCore(DaemonServices& services) {
  serve::ServiceOptions options = ServiceOptionsFrom(services.config);
  options.pull_meter = [&metrics = services.metrics]() -> hub::ProgressFn {
    return [meter = std::make_shared<DownloadMeter>(metrics)](const hub::PullProgress& p) {
      meter->Observe(p);
    };
  };
  services.service =
      std::make_shared<serve::Service>(std::move(options), MakeHubSetup(services.config));
  const std::weak_ptr<serve::Service> weak = services.service;
  services.idle_vetoes.push_back([weak] {
    auto s = weak.lock();
    return s && s->Busy();
  });
  services.shutdown_hooks.push_back([weak] {
    if (auto s = weak.lock()) s->Shutdown(Unavailable("the daemon is shutting down"));
  });
  services.service->StartDerivedCleanup();
  services.service->StartInitialLoads(services.config.models.initial_load);
  return Status::Ok();
}

}  // namespace hfd::daemon
