#include "backends/select/backend_select.h"

#include "backends/cpu/cpu_backend.h"
#include "backends/select/backend_plan.h"
#include "backends/select/vulkan_bridge.h"

namespace hfd::backends {
namespace {

SelectedBackend OnCpu(const BackendRequest& request, std::string reason) {
  return SelectedBackend{
      .backend = cpu::CreateCpuBackend(cpu::CpuBackendOptions{
          .n_threads = request.cpu_threads, .activations = request.cpu_activations}),
      .reason = std::move(reason)};
}

}  // namespace

Result<BackendKind> ParseBackendKind(std::string_view text) {
  if (text == "auto") return BackendKind::kAuto;
  if (text == "vulkan") return BackendKind::kVulkan;
  if (text == "cpu") return BackendKind::kCpu;
  return InvalidArgument("backend must be auto, vulkan or cpu, not '" + std::string(text) + "'");
}

std::string_view BackendKindName(BackendKind kind) {
  switch (kind) {
    case BackendKind::kAuto:
      return "auto";
    case BackendKind::kVulkan:
      return "vulkan";
    case BackendKind::kCpu:
      return "cpu";
  }
  return "auto";
}

Result<cpu::ActPrecision> ParseCpuActivations(std::string_view text) {
  if (text == "int8") return cpu::ActPrecision::kInt8;
  if (text == "int8x2") return cpu::ActPrecision::kInt8x2;
  return InvalidArgument("cpu_activations must be int8 or int8x2, not '" + std::string(text) + "'");
}

Result<SelectedBackend> SelectBackend(const BackendRequest& request) {
  // The CPU needs no survey: `cpu` must not even touch a (possibly broken) Vulkan driver.
  const VulkanSurvey survey = request.kind == BackendKind::kCpu ? VulkanSurvey{} : SurveyVulkan();
  HFD_ASSIGN_OR_RETURN(BackendPlan plan, PlanBackend(request, survey));
  if (plan.kind == BackendKind::kCpu) return OnCpu(request, std::move(plan.reason));

  auto backend = CreateVulkanOnDevice(plan.device_index, request.vulkan_memory_bytes);
  if (backend.ok()) return SelectedBackend{std::move(*backend), std::move(plan.reason)};
  // The device was there but could not be set up (device creation, memory, driver bug).
  if (request.kind == BackendKind::kVulkan) return backend.status().WithContext(plan.reason);
  return OnCpu(request, plan.reason + " failed (" + backend.status().message() + "); using CPU");
}

}  // namespace hfd::backends
