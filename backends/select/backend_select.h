// Chooses and creates the compute backend for a model: `auto` takes the best real GPU
// through Vulkan (discrete, then integrated) and otherwise the CPU, saying why; `vulkan`
// and `cpu` force one. Lavapipe (Vulkan on the CPU) is slower than the CPU backend, so
// `auto` never picks it; `vulkan` does when it is the only device or is named.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "backends/cpu/kernels/matmul.h"
#include "engine/runtime/backend.h"
#include "hfd/status.h"

namespace hfd::backends {

enum class BackendKind { kAuto, kVulkan, kCpu };

// "auto", "vulkan", "cpu"; InvalidArgument listing those otherwise.
Result<BackendKind> ParseBackendKind(std::string_view text);
std::string_view BackendKindName(BackendKind kind);

// "int8", "int8x2"; InvalidArgument listing those otherwise.
Result<cpu::ActPrecision> ParseCpuActivations(std::string_view text);

struct BackendRequest {
  BackendKind kind = BackendKind::kAuto;
  std::string device;   // Vulkan device: an index or part of its name; "" = the best one
  int cpu_threads = 0;  // 0: every core the process may use
  // How finely the CPU backend quantizes activations for quantized weights: int8x2 tracks
  // full-precision references more closely for about twice the integer work.
  cpu::ActPrecision cpu_activations = cpu::ActPrecision::kInt8;
  // Device memory the Vulkan backend may use (weights, KV caches, activations); 0: 90% of
  // the device's local heap.
  uint64_t vulkan_memory_bytes = 0;
};

struct SelectedBackend {
  std::unique_ptr<runtime::Backend> backend;
  // Why this backend and device, for `ps`, `status` and the log, e.g.
  // "auto: NVIDIA H100 80GB HBM3 (discrete GPU)" or "auto: no Vulkan ICD found; using CPU".
  std::string reason;
};

// Never crashes on a missing or broken Vulkan installation: `auto` falls back to the CPU
// with the reason; `vulkan` returns Unavailable naming what is missing.
Result<SelectedBackend> SelectBackend(const BackendRequest& request);

}  // namespace hfd::backends
