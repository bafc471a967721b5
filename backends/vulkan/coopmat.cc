#include "backends/vulkan/coopmat.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace hfd::vk {
namespace {

bool HasExtension(VkPhysicalDevice device, const char* name) {
  uint32_t n = 0;
  if (vkEnumerateDeviceExtensionProperties(device, nullptr, &n, nullptr) != VK_SUCCESS) {
    return false;
  }
  std::vector<VkExtensionProperties> exts(n);
  if (vkEnumerateDeviceExtensionProperties(device, nullptr, &n, exts.data()) != VK_SUCCESS) {
    return false;
  }
  for (const VkExtensionProperties& e : exts) {
    if (std::strcmp(e.extensionName, name) == 0) return true;
  }
  return false;
}

}  // namespace

CoopMatSupport QueryCoopMat(VkInstance instance, VkPhysicalDevice device, uint32_t subgroup_size) {
  if (!HasExtension(device, VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME)) {
    return {false, "the device does not offer VK_NV_cooperative_matrix"};
  }
  VkPhysicalDeviceCooperativeMatrixFeaturesNV coop{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV};
  VkPhysicalDeviceVulkan12Features f12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
  f12.pNext = &coop;
  VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  features.pNext = &f12;
  vkGetPhysicalDeviceFeatures2(device, &features);
  if (!coop.cooperativeMatrix) return {false, "cooperativeMatrix feature not supported"};
  if (!f12.shaderFloat16) return {false, "shaderFloat16 not supported"};
  if (subgroup_size != 32) {
    return {false, fmt::format("subgroups of {} invocations (the kernel needs 32)", subgroup_size)};
  }
  auto get_props = reinterpret_cast<PFN_vkGetPhysicalDeviceCooperativeMatrixPropertiesNV>(
      vkGetInstanceProcAddr(instance, "vkGetPhysicalDeviceCooperativeMatrixPropertiesNV"));
  if (get_props == nullptr)
    return {false, "vkGetPhysicalDeviceCooperativeMatrixPropertiesNV missing"};
  uint32_t n = 0;
  if (get_props(device, &n, nullptr) != VK_SUCCESS) return {false, "no cooperative matrix shapes"};
  std::vector<VkCooperativeMatrixPropertiesNV> props(
      n, VkCooperativeMatrixPropertiesNV{VK_STRUCTURE_TYPE_COOPERATIVE_MATRIX_PROPERTIES_NV});
  if (get_props(device, &n, props.data()) != VK_SUCCESS) {
    return {false, "no cooperative matrix shapes"};
  }
  for (const VkCooperativeMatrixPropertiesNV& p : props) {
    if (p.MSize == 16 && p.NSize == 8 && p.KSize == 16 && p.AType == VK_COMPONENT_TYPE_FLOAT16_NV &&
        p.BType == VK_COMPONENT_TYPE_FLOAT16_NV && p.CType == VK_COMPONENT_TYPE_FLOAT32_NV &&
        p.DType == VK_COMPONENT_TYPE_FLOAT32_NV && p.scope == VK_SCOPE_SUBGROUP_NV) {
      return {true, ""};
    }
  }
  return {false, "no 16x8x16 half-by-half, float-accumulate shape"};
}

CoopMatChoice ChooseCoopMat(const CoopMatSupport& support, const char* env) {
  if (!support.available) return {false, "no cooperative matrices: " + support.detail};
  if (env != nullptr && std::strcmp(env, "0") == 0) {
    return {false, "cooperative matrices disabled by HFD_VK_COOPMAT=0"};
  }
  return {true, "cooperative matrices (NV 16x8x16)"};
}

Status CompareWithinInputRounding(std::span<const float> got, std::span<const float> want,
                                  std::span<const float> scale, double rel_tol) {
  if (got.size() != want.size() || scale.size() != want.size()) {
    return InvalidArgument("self-check: result sizes differ");
  }
  for (size_t i = 0; i < want.size(); ++i) {
    const double err = std::fabs(double(got[i]) - double(want[i]));
    if (!(err <= rel_tol * scale[i] + 1e-6)) {  // also catches NaN
      return Internal(
          fmt::format("self-check: element {} is {} where {} was expected", i, got[i], want[i]));
    }
  }
  return Status::Ok();
}

}  // namespace hfd::vk
