#include "backends/vulkan/probe.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

#include "backends/vulkan/instance.h"
#include "backends/vulkan/vk_status.h"

namespace hfd::vk {
namespace {

DeviceKind KindOf(VkPhysicalDeviceType t) {
  switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
      return DeviceKind::kDiscrete;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
      return DeviceKind::kIntegrated;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
      return DeviceKind::kVirtual;
    case VK_PHYSICAL_DEVICE_TYPE_CPU:
      return DeviceKind::kCpu;
    default:
      return DeviceKind::kOther;
  }
}

bool HasDeviceExtension(VkPhysicalDevice pd, const char* name) {
  uint32_t n = 0;
  if (vkEnumerateDeviceExtensionProperties(pd, nullptr, &n, nullptr) != VK_SUCCESS) return false;
  std::vector<VkExtensionProperties> exts(n);
  if (vkEnumerateDeviceExtensionProperties(pd, nullptr, &n, exts.data()) != VK_SUCCESS) {
    return false;
  }
  return std::any_of(exts.begin(), exts.end(), [&](const VkExtensionProperties& e) {
    return std::strcmp(e.extensionName, name) == 0;
  });
}

// Why the shaders cannot run on this device, or "" when they can.
std::string MissingFeatures(VkPhysicalDevice pd, uint32_t api_version) {
  if (api_version < VK_API_VERSION_1_2) return "needs Vulkan 1.2";
  VkPhysicalDeviceVulkan11Features f11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
  VkPhysicalDeviceFeatures2 f2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  f2.pNext = &f11;
  vkGetPhysicalDeviceFeatures2(pd, &f2);
  if (!f11.storageBuffer16BitAccess) return "no storageBuffer16BitAccess";
  if (!f2.features.shaderInt16) return "no shaderInt16";
  if (!HasDeviceExtension(pd, VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME)) {
    return "no VK_KHR_push_descriptor";
  }
  return "";
}

DeviceInfo Describe(VkPhysicalDevice pd, uint32_t index) {
  VkPhysicalDeviceSubgroupProperties subgroup{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
  VkPhysicalDeviceMaintenance3Properties m3{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES};
  VkPhysicalDeviceDriverProperties driver{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
  subgroup.pNext = &m3;
  m3.pNext = &driver;
  VkPhysicalDeviceProperties2 props{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
  props.pNext = &subgroup;
  vkGetPhysicalDeviceProperties2(pd, &props);

  DeviceInfo info;
  info.index = index;
  info.name = props.properties.deviceName;
  info.kind = KindOf(props.properties.deviceType);
  info.api_version = props.properties.apiVersion;
  info.driver = std::string(driver.driverName) + " " + driver.driverInfo;
  info.max_allocation_bytes = m3.maxMemoryAllocationSize;
  info.max_storage_buffer_range = props.properties.limits.maxStorageBufferRange;
  info.subgroup_size = subgroup.subgroupSize;

  VkPhysicalDeviceMemoryProperties mem;
  vkGetPhysicalDeviceMemoryProperties(pd, &mem);
  for (uint32_t i = 0; i < mem.memoryHeapCount; ++i) {
    if (mem.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) {
      info.device_local_bytes =
          std::max<uint64_t>(info.device_local_bytes, mem.memoryHeaps[i].size);
    }
  }
  info.unusable_reason = MissingFeatures(pd, info.api_version);
  info.usable = info.unusable_reason.empty();
  return info;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int Preference(DeviceKind kind) {
  switch (kind) {
    case DeviceKind::kDiscrete:
      return 0;
    case DeviceKind::kIntegrated:
      return 1;
    case DeviceKind::kVirtual:
      return 2;
    case DeviceKind::kOther:
      return 3;
    case DeviceKind::kCpu:
      return 4;
  }
  return 5;
}

Result<DeviceInfo> Requested(const std::vector<DeviceInfo>& devices, const std::string& want) {
  uint32_t index = 0;
  const char* end = want.data() + want.size();
  const bool numeric = std::from_chars(want.data(), end, index).ptr == end;
  for (const DeviceInfo& d : devices) {
    const bool match =
        numeric ? d.index == index : Lower(d.name).find(Lower(want)) != std::string::npos;
    if (!match) continue;
    if (!d.usable) {
      return Unavailable("no Vulkan device: '" + d.name + "' cannot run hfd's shaders (" +
                         d.unusable_reason + ")");
    }
    return d;
  }
  return Unavailable("no Vulkan device: none matches '" + want + "' (" +
                     std::to_string(devices.size()) + " found)");
}

}  // namespace

std::string_view DeviceKindName(DeviceKind kind) {
  switch (kind) {
    case DeviceKind::kDiscrete:
      return "discrete";
    case DeviceKind::kIntegrated:
      return "integrated";
    case DeviceKind::kVirtual:
      return "virtual";
    case DeviceKind::kCpu:
      return "cpu";
    case DeviceKind::kOther:
      return "other";
  }
  return "other";
}

Result<std::vector<DeviceInfo>> EnumerateDevices(const Instance& instance) {
  uint32_t n = 0;
  HFD_VK_RETURN_IF_ERROR(vkEnumeratePhysicalDevices(instance.get(), &n, nullptr),
                         "vkEnumeratePhysicalDevices");
  std::vector<VkPhysicalDevice> pds(n);
  HFD_VK_RETURN_IF_ERROR(vkEnumeratePhysicalDevices(instance.get(), &n, pds.data()),
                         "vkEnumeratePhysicalDevices");
  std::vector<DeviceInfo> out;
  for (uint32_t i = 0; i < n; ++i) out.push_back(Describe(pds[i], i));
  return out;
}

VulkanProbe ProbeVulkan() {
  VulkanProbe probe;
  auto instance = Instance::Create(InstanceOptions{});
  if (!instance.ok()) {
    probe.reason = "no Vulkan device: " + instance.status().message();
    return probe;
  }
  auto devices = EnumerateDevices(**instance);
  if (!devices.ok()) {
    probe.reason = "no Vulkan device: " + devices.status().message();
    return probe;
  }
  probe.devices = std::move(*devices);
  auto chosen = SelectDevice(probe.devices, SelectOptions{});
  if (!chosen.ok()) probe.reason = chosen.status().message();
  return probe;
}

Result<DeviceInfo> SelectDevice(const std::vector<DeviceInfo>& devices,
                                const SelectOptions& options) {
  if (devices.empty()) return Unavailable("no Vulkan device: the loader found no driver (ICD)");
  if (!options.device.empty()) return Requested(devices, options.device);

  const DeviceInfo* best = nullptr;
  std::string skipped;
  for (const DeviceInfo& d : devices) {
    if (!d.usable) {
      skipped += "; '" + d.name + "': " + d.unusable_reason;
      continue;
    }
    if (d.kind == DeviceKind::kCpu && !options.allow_cpu_device) {
      skipped += "; '" + d.name + "' is a CPU implementation (ask for it by name to use it)";
      continue;
    }
    if (best == nullptr || Preference(d.kind) < Preference(best->kind)) best = &d;
  }
  if (best == nullptr) {
    return Unavailable("no Vulkan device: no suitable GPU" + skipped);
  }
  return *best;
}

std::string DescribeDevice(const DeviceInfo& info) {
  char gib[32];
  std::snprintf(gib, sizeof(gib), "%.1f GiB",
                static_cast<double>(info.device_local_bytes) / (1 << 30));
  return info.name + " (" + std::string(DeviceKindName(info.kind)) + ", " + gib + ", " +
         info.driver + ")";
}

}  // namespace hfd::vk
