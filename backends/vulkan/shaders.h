// The SPIR-V compiled from shaders/*.comp at build time, embedded in the library.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace hfd::vk {

// The SPIR-V words of the named shader variant ("rms_norm", "mul_mat_vec_q4_k", ...),
// or an empty span when there is none. The data is static; safe from any thread.
std::span<const uint32_t> FindShader(std::string_view name);

}  // namespace hfd::vk
