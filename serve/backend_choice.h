// Puts a model on a backend: the one backends::SelectBackend chooses, and for `auto` the
// CPU when that Vulkan device cannot take the model (Unsupported or OutOfMemory while
// loading weights or compiling), with the reason recorded for `ps`.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "backends/select/backend_select.h"
#include "engine/runtime/backend.h"
#include "hfd/status.h"

namespace hfd::serve {

// Takes the backend and makes the model ready on it (weights, sessions, a first compile).
// On failure it must have released everything it built on the backend.
using PrepareFn = std::function<Status(std::unique_ptr<runtime::Backend> backend)>;

// Selects a backend, runs `prepare` on it, falls back to the CPU as described above.
// Returns why the backend that `prepare` accepted was chosen.
Result<std::string> PrepareOnBackend(const backends::BackendRequest& request,
                                     const PrepareFn& prepare);

// The same with the backend already selected for `request` (tests give it a device that
// `auto` would not pick, such as lavapipe).
Result<std::string> PrepareOnSelected(const backends::BackendRequest& request,
                                      backends::SelectedBackend selected, const PrepareFn& prepare);

}  // namespace hfd::serve
