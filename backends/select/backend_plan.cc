#include "backends/select/backend_plan.h"

#include <cctype>
#include <charconv>

namespace hfd::backends {
namespace {

constexpr std::string_view kInstallAdvice =
    "install the GPU's Vulkan driver (or mesa-vulkan-drivers for lavapipe, Vulkan on the "
    "CPU), or use --backend cpu";

// Lower is better: a discrete GPU first; a CPU implementation last.
int Rank(const VulkanDeviceSummary& d) {
  if (d.type == "discrete") return 0;
  if (d.type == "integrated") return 1;
  if (d.type == "virtual") return 2;
  if (d.type == "cpu") return 4;
  return 3;
}

bool IsCpuDevice(const VulkanDeviceSummary& d) { return d.type == "cpu"; }

std::string KindPhrase(const VulkanDeviceSummary& d) {
  if (d.type == "cpu") return "CPU device";
  if (d.type == "other") return "other device";
  return d.type + " GPU";
}

std::string Describe(const VulkanDeviceSummary& d) { return d.name + " (" + KindPhrase(d) + ")"; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The device `want` names: an index, else the first whose name contains it (any case).
const VulkanDeviceSummary* Find(const std::vector<VulkanDeviceSummary>& devices,
                                const std::string& want) {
  uint32_t index = 0;
  const char* end = want.data() + want.size();
  const auto parsed = std::from_chars(want.data(), end, index);
  const bool numeric = parsed.ec == std::errc() && parsed.ptr == end;
  for (const VulkanDeviceSummary& d : devices) {
    if (numeric ? d.index == index : Lower(d.name).find(Lower(want)) != std::string::npos) {
      return &d;
    }
  }
  return nullptr;
}

// The best usable device, CPU implementations only when allowed; ties go to the lower index.
const VulkanDeviceSummary* Best(const std::vector<VulkanDeviceSummary>& devices, bool allow_cpu) {
  const VulkanDeviceSummary* best = nullptr;
  for (const VulkanDeviceSummary& d : devices) {
    if (!d.usable || (IsCpuDevice(d) && !allow_cpu)) continue;
    if (best == nullptr || Rank(d) < Rank(*best)) best = &d;
  }
  return best;
}

// "0 'llvmpipe ...' (cpu), 1 '...' (discrete)", for a name that matched nothing.
std::string ListDevices(const std::vector<VulkanDeviceSummary>& devices) {
  std::string out;
  for (const VulkanDeviceSummary& d : devices) {
    if (!out.empty()) out += ", ";
    out += std::to_string(d.index) + " '" + d.name + "' (" + d.type + ")";
  }
  return out;
}

// "'X': needs Vulkan 1.2; 'Y': no shaderInt16", for devices that cannot run the shaders.
std::string UnusableDevices(const std::vector<VulkanDeviceSummary>& devices) {
  std::string out;
  for (const VulkanDeviceSummary& d : devices) {
    if (d.usable) continue;
    if (!out.empty()) out += "; ";
    out += "'" + d.name + "': " + d.unusable_reason;
  }
  return out;
}

BackendPlan Cpu(std::string reason) {
  return BackendPlan{.kind = BackendKind::kCpu, .device_index = 0, .reason = std::move(reason)};
}

BackendPlan Vulkan(BackendKind asked, const VulkanDeviceSummary& d) {
  return BackendPlan{.kind = BackendKind::kVulkan,
                     .device_index = d.index,
                     .reason = std::string(BackendKindName(asked)) + ": " + Describe(d)};
}

// Why `auto` cannot use Vulkan, or "" when `device` (nullptr: the best GPU) will do.
std::string AutoRefusal(const VulkanSurvey& survey, const std::string& want,
                        const VulkanDeviceSummary* device) {
  if (!survey.error.empty()) return "Vulkan unavailable: " + survey.error;
  if (survey.devices.empty()) return "no Vulkan device (the loader found no driver/ICD)";
  if (!want.empty()) {
    if (device == nullptr) {
      return "no Vulkan device matches '" + want + "' (found " + ListDevices(survey.devices) + ")";
    }
    if (!device->usable) {
      return "'" + device->name + "' cannot run hfd's shaders (" + device->unusable_reason + ")";
    }
    if (IsCpuDevice(*device)) {
      return "'" + device->name +
             "' is a CPU Vulkan device, slower than hfd's CPU backend (use --backend vulkan to "
             "run on it anyway)";
    }
    return "";
  }
  if (device != nullptr) return "";
  std::string cpu_devices;
  for (const VulkanDeviceSummary& d : survey.devices) {
    if (!d.usable || !IsCpuDevice(d)) continue;
    if (!cpu_devices.empty()) cpu_devices += ", ";
    cpu_devices += d.name;
  }
  const std::string unusable = UnusableDevices(survey.devices);
  if (cpu_devices.empty()) return "no usable Vulkan device (" + unusable + ")";
  return "only a CPU Vulkan device (" + cpu_devices + "), slower than hfd's CPU backend" +
         (unusable.empty() ? "" : "; unusable: " + unusable);
}

BackendPlan PlanAuto(const BackendRequest& request, const VulkanSurvey& survey) {
  const VulkanDeviceSummary* device = request.device.empty()
                                          ? Best(survey.devices, /*allow_cpu=*/false)
                                          : Find(survey.devices, request.device);
  const std::string refusal = AutoRefusal(survey, request.device, device);
  if (!refusal.empty()) return Cpu("auto: " + refusal + "; using CPU");
  return Vulkan(BackendKind::kAuto, *device);
}

Result<BackendPlan> PlanVulkan(const BackendRequest& request, const VulkanSurvey& survey) {
  if (!survey.error.empty()) {
    return Unavailable("vulkan: Vulkan could not be initialised (" + survey.error + "); " +
                       std::string(kInstallAdvice));
  }
  if (survey.devices.empty()) {
    return Unavailable("vulkan: no Vulkan device: the loader found no driver (ICD); " +
                       std::string(kInstallAdvice));
  }
  if (!request.device.empty()) {
    const VulkanDeviceSummary* device = Find(survey.devices, request.device);
    if (device == nullptr) {
      return Unavailable("vulkan: no Vulkan device matches '" + request.device +
                         "'; devices: " + ListDevices(survey.devices));
    }
    if (!device->usable) {
      return Unavailable("vulkan: '" + device->name + "' cannot run hfd's shaders (" +
                         device->unusable_reason + "); update its driver or pick another device");
    }
    return Vulkan(BackendKind::kVulkan, *device);
  }
  const VulkanDeviceSummary* best = Best(survey.devices, /*allow_cpu=*/true);
  if (best == nullptr) {
    return Unavailable("vulkan: no usable Vulkan device (" + UnusableDevices(survey.devices) +
                       "); " + std::string(kInstallAdvice));
  }
  return Vulkan(BackendKind::kVulkan, *best);
}

}  // namespace

Result<BackendPlan> PlanBackend(const BackendRequest& request, const VulkanSurvey& survey) {
  switch (request.kind) {
    case BackendKind::kAuto:
      return PlanAuto(request, survey);
    case BackendKind::kVulkan:
      return PlanVulkan(request, survey);
    case BackendKind::kCpu:
      return Cpu("cpu: requested");
  }
  return InvalidArgument("unknown backend kind");
}

}  // namespace hfd::backends
