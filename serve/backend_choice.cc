#include "serve/backend_choice.h"

#include "backends/cpu/cpu_backend.h"

namespace hfd::serve {

Result<std::string> PrepareOnBackend(const backends::BackendRequest& request,
                                     const PrepareFn& prepare) {
  HFD_ASSIGN_OR_RETURN(backends::SelectedBackend selected, backends::SelectBackend(request));
  return PrepareOnSelected(request, std::move(selected), prepare);
}

Result<std::string> PrepareOnSelected(const backends::BackendRequest& request,
                                      backends::SelectedBackend selected,
                                      const PrepareFn& prepare) {
  const bool was_vulkan = selected.backend->name() == "vulkan";
  Status status = prepare(std::move(selected.backend));
  if (status.ok()) return selected.reason;
  const bool retry_on_cpu =
      request.kind == backends::BackendKind::kAuto && was_vulkan &&
      (status.code() == ErrorCode::kUnsupported || status.code() == ErrorCode::kOutOfMemory);
  if (!retry_on_cpu) return status;
  HFD_RETURN_IF_ERROR(prepare(cpu::CreateCpuBackend(
      {.n_threads = request.cpu_threads, .activations = request.cpu_activations})));
  return "auto: " + selected.reason + " could not take the model (" + status.message() +
         "); using CPU";
}

}  // namespace hfd::serve
