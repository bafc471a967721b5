// What `status` says about compute backends: the CPU, the Vulkan devices found and which
// backend the configured `backend`/`device` settings choose, and why (the policy of
// backends/select). Vulkan is probed once, on a thread of its own, so neither startup nor
// `status` waits for a driver.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "backends/select/backend_plan.h"
#include "backends/select/backend_select.h"

namespace hfd::daemon {

struct BackendInfo {
  std::string name;  // "cpu", "vulkan"
  bool available = false;
  std::string device;     // e.g. "host CPU (16 threads)", "NVIDIA H100 80GB HBM3"
  std::string detail;     // why it is (un)available, or why it was chosen
  bool selected = false;  // what the configured backend gives new loads
  std::vector<backends::VulkanDeviceSummary> devices;  // vulkan: every device found
};

// Called on the loop thread for every `status`: keep it cheap (cache real probes).
using BackendProbe = std::function<std::vector<BackendInfo>()>;

nlohmann::json BackendInfoToJson(const BackendInfo& info);

// Reports the CPU backend as available, with the hardware thread count.
std::vector<BackendInfo> DefaultBackendProbe();

// The CPU and Vulkan entries for `configured` given what probing found; `survey` is
// nullptr while the probe still runs, and when `configured` is cpu (Vulkan is then not
// touched at all, in case its driver is what the user avoids).
std::vector<BackendInfo> DescribeBackends(const backends::BackendRequest& configured,
                                          const backends::VulkanSurvey* survey);

// Probes Vulkan once in the background and answers `status` from the result. Report()
// is thread-safe; the destructor waits for the probe.
class CachedBackendProbe {
 public:
  explicit CachedBackendProbe(backends::BackendRequest configured);
  ~CachedBackendProbe();
  CachedBackendProbe(const CachedBackendProbe&) = delete;
  CachedBackendProbe& operator=(const CachedBackendProbe&) = delete;

  // Starts the probe (unless the configured backend is cpu) and logs the choice when done.
  void Start();
  std::vector<BackendInfo> Report() const;

 private:
  const backends::BackendRequest configured_;
  mutable std::mutex mu_;
  std::optional<backends::VulkanSurvey> survey_;  // guarded by mu_; set once
  std::thread thread_;
};

}  // namespace hfd::daemon
