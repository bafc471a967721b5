#include "daemon/backend_probe.h"

#include <thread>

namespace hfd::daemon {

nlohmann::json BackendInfoToJson(const BackendInfo& info) {
  return {{"name", info.name},
          {"available", info.available},
          {"device", info.device},
          {"detail", info.detail}};
}

std::vector<BackendInfo> DefaultBackendProbe() {
  BackendInfo cpu;
  cpu.name = "cpu";
  cpu.available = true;
  cpu.device = "host CPU (" + std::to_string(std::thread::hardware_concurrency()) + " threads)";
  cpu.detail = "always available";
  return {cpu};
}

}  // namespace hfd::daemon
