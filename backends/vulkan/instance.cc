#include "backends/vulkan/instance.h"

#include <cstdlib>
#include <cstring>
#include <string_view>

#include "backends/vulkan/vk_status.h"

namespace hfd::vk {
namespace {

constexpr const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";

bool HasLayer(const char* name) {
  uint32_t n = 0;
  if (vkEnumerateInstanceLayerProperties(&n, nullptr) != VK_SUCCESS) return false;
  std::vector<VkLayerProperties> layers(n);
  if (vkEnumerateInstanceLayerProperties(&n, layers.data()) != VK_SUCCESS) return false;
  for (const auto& l : layers) {
    if (std::strcmp(l.layerName, name) == 0) return true;
  }
  return false;
}

bool HasInstanceExtension(const char* name, const char* layer) {
  uint32_t n = 0;
  if (vkEnumerateInstanceExtensionProperties(layer, &n, nullptr) != VK_SUCCESS) return false;
  std::vector<VkExtensionProperties> exts(n);
  if (vkEnumerateInstanceExtensionProperties(layer, &n, exts.data()) != VK_SUCCESS) return false;
  for (const auto& e : exts) {
    if (std::strcmp(e.extensionName, name) == 0) return true;
  }
  return false;
}

std::atomic<int> g_process_errors{0};
std::mutex g_process_mu;
std::vector<std::string> g_process_messages;  // guarded by g_process_mu

bool ValidationRequestedByEnv() {
  const char* v = std::getenv("HFD_VK_VALIDATION");
  return v != nullptr && std::string_view(v) == "1";
}

}  // namespace

Result<std::unique_ptr<Instance>> Instance::Create(const InstanceOptions& options) {
  std::unique_ptr<Instance> self(new Instance());
  const bool want_validation = options.validation || ValidationRequestedByEnv();
  const bool validation =
      want_validation && HasLayer(kValidationLayer) &&
      (HasInstanceExtension(VK_EXT_DEBUG_UTILS_EXTENSION_NAME, nullptr) ||
       HasInstanceExtension(VK_EXT_DEBUG_UTILS_EXTENSION_NAME, kValidationLayer));

  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "hfd";
  app.pEngineName = "hfd";
  app.apiVersion = VK_API_VERSION_1_2;

  std::vector<const char*> layers;
  std::vector<const char*> extensions;
  if (validation) {
    layers.push_back(kValidationLayer);
    extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
  }

  VkDebugUtilsMessengerCreateInfoEXT messenger_info{
      VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
  messenger_info.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                                   VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
  messenger_info.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                               VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                               VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
  messenger_info.pfnUserCallback = &Instance::OnMessage;
  messenger_info.pUserData = self.get();

  VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  info.pApplicationInfo = &app;
  info.enabledLayerCount = static_cast<uint32_t>(layers.size());
  info.ppEnabledLayerNames = layers.data();
  info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
  info.ppEnabledExtensionNames = extensions.data();
  // Also catches messages from vkCreateInstance/vkDestroyInstance themselves.
  if (validation) info.pNext = &messenger_info;

  const VkResult created = vkCreateInstance(&info, nullptr, &self->instance_);
  // The loader answers this when it has no driver (ICD) at all, or none for Vulkan 1.2.
  if (created == VK_ERROR_INCOMPATIBLE_DRIVER) {
    return VkStatus(created, "no Vulkan driver (ICD) found: vkCreateInstance");
  }
  HFD_VK_RETURN_IF_ERROR(created, "vkCreateInstance");
  if (validation) {
    auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(self->instance_, "vkCreateDebugUtilsMessengerEXT"));
    if (create == nullptr) return Unsupported("vkCreateDebugUtilsMessengerEXT is missing");
    HFD_VK_RETURN_IF_ERROR(create(self->instance_, &messenger_info, nullptr, &self->messenger_),
                           "vkCreateDebugUtilsMessengerEXT");
  }
  return self;
}

Instance::~Instance() {
  if (instance_ == VK_NULL_HANDLE) return;
  if (messenger_ != VK_NULL_HANDLE) {
    auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(instance_, "vkDestroyDebugUtilsMessengerEXT"));
    if (destroy != nullptr) destroy(instance_, messenger_, nullptr);
  }
  vkDestroyInstance(instance_, nullptr);
}

std::vector<std::string> Instance::messages() const {
  std::lock_guard<std::mutex> lock(mu_);
  return messages_;
}

VKAPI_ATTR VkBool32 VKAPI_CALL Instance::OnMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                   VkDebugUtilsMessageTypeFlagsEXT types,
                                                   const VkDebugUtilsMessengerCallbackDataEXT* data,
                                                   void* user) {
  auto* self = static_cast<Instance*>(user);
  const bool error = (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) != 0;
  (error ? self->errors_ : self->warnings_).fetch_add(1);
  if (error) g_process_errors.fetch_add(1);
  std::string text = std::string(error ? "error: " : "warning: ") +
                     (data && data->pMessage ? data->pMessage : "(no message)");
  {
    std::lock_guard<std::mutex> lock(g_process_mu);
    g_process_messages.push_back(text);
  }
  std::lock_guard<std::mutex> lock(self->mu_);
  self->messages_.push_back(std::move(text));
  return VK_FALSE;
}

int ProcessValidationErrors() { return g_process_errors.load(); }

std::vector<std::string> ProcessValidationMessages() {
  std::lock_guard<std::mutex> lock(g_process_mu);
  return g_process_messages;
}

}  // namespace hfd::vk
