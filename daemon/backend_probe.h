// What `status` says about compute backends. The daemon asks a probe function; the
// default one knows only the CPU. Wiring real probes (Vulkan devices) replaces it through
// DaemonServices::backends.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hfd::daemon {

struct BackendInfo {
  std::string name;  // "cpu", "vulkan"
  bool available = false;
  std::string device;  // e.g. "AMD EPYC (16 threads)", "NVIDIA H100"
  std::string detail;  // why it is (un)available, or what it was chosen for
};

// Called on the loop thread for every `status`: keep it cheap (cache real probes).
using BackendProbe = std::function<std::vector<BackendInfo>()>;

nlohmann::json BackendInfoToJson(const BackendInfo& info);

// Reports the CPU backend as available, with the hardware thread count.
std::vector<BackendInfo> DefaultBackendProbe();

}  // namespace hfd::daemon
