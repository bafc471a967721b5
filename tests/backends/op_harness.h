// Running the op test's cases (op_cases.h) on a backend and holding the outputs to a
// baseline: the float64 reference for the scalar CPU path, the scalar CPU path for every
// other path.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "engine/runtime/backend.h"
#include "tests/backends/memory_model_files.h"
#include "tests/backends/op_cases.h"

namespace hfd::testing {

// The weights of every case `backend` Supports(), as one model's files: a backend loads
// weights once, and refuses files holding a type it has no kernels for.
std::unique_ptr<MemoryModelFiles> WeightsFor(const runtime::Backend& backend);

// Compiles case `c` on `backend` (its weights loaded) and makes its calls in order: the
// outputs of all calls, concatenated.
Result<std::vector<double>> RunOpCase(runtime::Backend& backend, const OpCase& c);

// The scalar CPU path's outputs of AllOpCases()[i] with activations `act`, computed once per
// process: the baseline of every other path.
const Result<std::vector<double>>& ScalarOutput(size_t i, cpu::ActPrecision act);

// What one case's output on a path is compared with.
struct Baseline {
  const std::vector<double>* want;  // null: the baseline path refused the case
  double tol;
};

// Runs every case on `backend`, whose weights are `files` (already loaded): each case it
// Supports() must run and match baseline(i); each other one must be refused at Compile
// with an Unsupported error naming the op and the type. `path` names the backend in
// messages. Returns the names of the refused cases, also printed as a record of what the
// path lacks.
std::vector<std::string> CheckPath(runtime::Backend& backend, const std::string& path,
                                   const std::function<Baseline(size_t)>& baseline);

}  // namespace hfd::testing
