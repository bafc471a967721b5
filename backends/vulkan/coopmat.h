// Cooperative-matrix prefill (VK_NV_cooperative_matrix: tensor cores on NVIDIA GPUs):
// whether a device can run mul_mat_coopmat.comp, whether hfd uses it, and the self-check
// that must pass first. Debian 12's glslang compiles GL_NV_cooperative_matrix but not
// the KHR form, so the NV extension is the one used.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <span>
#include <string>

#include "hfd/status.h"

namespace hfd::vk {

// What the device offers for mul_mat_coopmat.comp: the extension and its feature,
// 16x8x16 products of halves accumulated in floats at subgroup scope, half-precision
// shader arithmetic and 32-wide subgroups (the shader's workgroup is four of them).
struct CoopMatSupport {
  bool available = false;
  std::string detail;  // why not, when !available
};

// Queries the physical device; `instance` provides the NV properties function.
CoopMatSupport QueryCoopMat(VkInstance instance, VkPhysicalDevice device, uint32_t subgroup_size);

struct CoopMatChoice {
  bool use = false;
  std::string reason;  // e.g. "cooperative matrices (NV 16x8x16)" or why not
};

// Uses them when available unless `env` (HFD_VK_COOPMAT) is "0".
CoopMatChoice ChooseCoopMat(const CoopMatSupport& support, const char* env);

// Checks `got` against `want` (both tokens x rows), allowing the rounding of half-
// precision inputs: |got - want| <= rel_tol * scale[t * rows + r], where scale is
// sum_k |w[r][k] * x[t][k]|. Names the first element that differs.
Status CompareWithinInputRounding(std::span<const float> got, std::span<const float> want,
                                  std::span<const float> scale, double rel_tol);

}  // namespace hfd::vk
