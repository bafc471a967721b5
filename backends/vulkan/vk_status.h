// Converts Vulkan's VkResult codes into hfd::Status at the boundary.
#pragma once

#include <vulkan/vulkan.h>

#include <string_view>

#include "hfd/status.h"

namespace hfd::vk {

// "VK_ERROR_OUT_OF_DEVICE_MEMORY" etc.
std::string_view VkResultName(VkResult r);

// OK for VK_SUCCESS; otherwise a Status whose message names `what` and the code
// (out-of-memory codes map to ErrorCode::kOutOfMemory, a lost device to kUnavailable).
Status VkStatus(VkResult r, std::string_view what);

}  // namespace hfd::vk

// Returns from the enclosing function when a Vulkan call fails.
#define HFD_VK_RETURN_IF_ERROR(call, what) HFD_RETURN_IF_ERROR(::hfd::vk::VkStatus((call), (what)))
