#include "daemon/backend_probe.h"

#include <spdlog/spdlog.h>

namespace hfd::daemon {
namespace {

BackendInfo CpuInfo() {
  BackendInfo cpu;
  cpu.name = "cpu";
  cpu.available = true;
  cpu.device = "host CPU (" + std::to_string(std::thread::hardware_concurrency()) + " threads)";
  cpu.detail = "always available";
  return cpu;
}

nlohmann::json DeviceToJson(const backends::VulkanDeviceSummary& d) {
  nlohmann::json j{{"index", d.index},
                   {"name", d.name},
                   {"type", d.type},
                   {"driver", d.driver},
                   {"memory_bytes", d.memory_bytes},
                   {"max_allocation_bytes", d.max_allocation_bytes},
                   {"usable", d.usable}};
  if (!d.usable) j["reason"] = d.unusable_reason;
  return j;
}

std::string DeviceName(const backends::VulkanSurvey& survey, uint32_t index) {
  for (const backends::VulkanDeviceSummary& d : survey.devices) {
    if (d.index == index) return d.name;
  }
  return "";
}

}  // namespace

nlohmann::json BackendInfoToJson(const BackendInfo& info) {
  nlohmann::json j{{"name", info.name},
                   {"available", info.available},
                   {"device", info.device},
                   {"detail", info.detail},
                   {"selected", info.selected}};
  if (info.name == "vulkan") {
    nlohmann::json devices = nlohmann::json::array();
    for (const auto& d : info.devices) devices.push_back(DeviceToJson(d));
    j["devices"] = std::move(devices);
  }
  return j;
}

std::vector<BackendInfo> DefaultBackendProbe() { return {CpuInfo()}; }

std::vector<BackendInfo> DescribeBackends(const backends::BackendRequest& configured,
                                          const backends::VulkanSurvey* survey) {
  BackendInfo cpu = CpuInfo();
  if (configured.cpu_activations == cpu::ActPrecision::kInt8x2) {
    cpu.device += ", int8x2 activations";
  }
  BackendInfo vulkan;
  vulkan.name = "vulkan";
  if (survey == nullptr) {
    const bool cpu_only = configured.kind == backends::BackendKind::kCpu;
    cpu.selected = cpu_only;
    if (cpu_only) cpu.detail = "cpu: requested";
    vulkan.detail = cpu_only ? "not probed (backend = cpu)" : "probing Vulkan devices";
    return {cpu, vulkan};
  }
  vulkan.devices = survey->devices;

  // What `--backend vulkan` (with the configured device) would get: says whether Vulkan
  // can be used at all, and what to do when not.
  auto forced = backends::PlanBackend(
      backends::BackendRequest{backends::BackendKind::kVulkan, configured.device, 0}, *survey);
  vulkan.available = forced.ok();
  if (forced.ok()) vulkan.device = DeviceName(*survey, forced->device_index);

  auto chosen = backends::PlanBackend(configured, *survey);
  if (!chosen.ok()) {
    vulkan.detail = chosen.status().message();
    return {cpu, vulkan};
  }
  if (chosen->kind == backends::BackendKind::kVulkan) {
    vulkan.selected = true;
    vulkan.detail = chosen->reason;
    return {cpu, vulkan};
  }
  cpu.selected = true;
  cpu.detail = chosen->reason;
  vulkan.detail = forced.ok() ? "not chosen: " + chosen->reason : forced.status().message();
  return {cpu, vulkan};
}

CachedBackendProbe::CachedBackendProbe(backends::BackendRequest configured)
    : configured_(std::move(configured)) {}

CachedBackendProbe::~CachedBackendProbe() {
  if (thread_.joinable()) thread_.join();
}

void CachedBackendProbe::Start() {
  if (configured_.kind == backends::BackendKind::kCpu) {
    spdlog::info("backend: cpu (requested); Vulkan not probed");
    return;
  }
  thread_ = std::thread([this] {
    backends::VulkanSurvey survey = backends::SurveyVulkan();
    for (const auto& d : survey.devices) {
      spdlog::info("Vulkan device {}: {} ({}, {} MiB, {}){}", d.index, d.name, d.type,
                   d.memory_bytes >> 20, d.driver, d.usable ? "" : ": " + d.unusable_reason);
    }
    auto chosen = backends::PlanBackend(configured_, survey);
    if (chosen.ok()) {
      spdlog::info("backend for new models: {}", chosen->reason);
    } else {
      spdlog::warn("backend for new models: {}", chosen.status().message());
    }
    std::lock_guard<std::mutex> lock(mu_);
    survey_ = std::move(survey);
  });
}

std::vector<BackendInfo> CachedBackendProbe::Report() const {
  std::lock_guard<std::mutex> lock(mu_);
  return DescribeBackends(configured_, survey_ ? &*survey_ : nullptr);
}

}  // namespace hfd::daemon
