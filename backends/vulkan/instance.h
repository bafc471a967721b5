// The Vulkan instance: loader, optional Khronos validation layer and a debug-utils
// messenger that records every validation message (tests fail on any error).
#pragma once

#include <vulkan/vulkan.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hfd/status.h"

namespace hfd::vk {

struct InstanceOptions {
  // Enable VK_LAYER_KHRONOS_validation when installed (also forced on by the environment
  // variable HFD_VK_VALIDATION=1). Without the layer this is silently a no-op.
  bool validation = false;
};

// Owns the VkInstance and its messenger. Destroy every device made from it first.
// Messages may arrive from driver threads; the counters and log are thread-safe.
class Instance {
 public:
  static Result<std::unique_ptr<Instance>> Create(const InstanceOptions& options);
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  VkInstance get() const { return instance_; }
  bool validation_enabled() const { return messenger_ != VK_NULL_HANDLE; }
  // Number of validation errors (and warnings) reported so far.
  int error_count() const { return errors_.load(); }
  int warning_count() const { return warnings_.load(); }
  // All error and warning messages seen, in order.
  std::vector<std::string> messages() const;

 private:
  Instance() = default;
  static VKAPI_ATTR VkBool32 VKAPI_CALL OnMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                  VkDebugUtilsMessageTypeFlagsEXT types,
                                                  const VkDebugUtilsMessengerCallbackDataEXT* data,
                                                  void* user);

  VkInstance instance_ = VK_NULL_HANDLE;
  VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
  std::atomic<int> errors_{0};
  std::atomic<int> warnings_{0};
  mutable std::mutex mu_;
  std::vector<std::string> messages_;  // guarded by mu_
};

// Validation errors / messages reported by every Instance of this process so far, for
// tests of objects that own their instance (the backend). Thread-safe.
int ProcessValidationErrors();
std::vector<std::string> ProcessValidationMessages();

}  // namespace hfd::vk
