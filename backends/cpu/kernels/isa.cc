#include "backends/cpu/kernels/isa.h"

#include <cstdlib>
#include <string>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace hfd::cpu {
namespace {

#if defined(__x86_64__)
// F16C straight from CPUID (leaf 1, ECX): clang's __builtin_cpu_supports lacks "f16c".
bool HasF16c() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  return __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 && (ecx & bit_F16C) != 0;
}
#endif

// Asks the CPU. CPUID can cost a VM exit, so this runs once per path (IsaSupported caches).
bool ProbeIsa(Isa isa) {
  switch (isa) {
    case Isa::kScalar:
      return true;
#if defined(__x86_64__)
    case Isa::kAvx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && HasF16c();
    case Isa::kAvx512:
      return ProbeIsa(Isa::kAvx2) && __builtin_cpu_supports("avx512f") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vnni");
#else
    default:
      return false;
#endif
  }
  return false;
}

Isa DetectIsa() {
  if (const char* forced = std::getenv("HFD_CPU_ISA"); forced != nullptr && *forced != '\0') {
    Result<Isa> isa = IsaFromName(forced);
    // An unknown or unsupported request falls back to detection rather than crashing.
    if (isa.ok() && IsaSupported(*isa)) return *isa;
  }
  for (Isa isa : {Isa::kAvx512, Isa::kAvx2}) {
    if (IsaSupported(isa)) return isa;
  }
  return Isa::kScalar;
}

}  // namespace

std::string_view IsaName(Isa isa) {
  switch (isa) {
    case Isa::kScalar:
      return "scalar";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kAvx512:
      return "avx512";
  }
  return "unknown";
}

Result<Isa> IsaFromName(std::string_view name) {
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512}) {
    if (IsaName(isa) == name) return isa;
  }
  return InvalidArgument("unknown CPU instruction set '" + std::string(name) +
                         "'; use scalar, avx2 or avx512");
}

bool IsaSupported(Isa isa) {
  static const bool supported[] = {ProbeIsa(Isa::kScalar), ProbeIsa(Isa::kAvx2),
                                   ProbeIsa(Isa::kAvx512)};
  const int i = static_cast<int>(isa);
  return i >= 0 && i < 3 && supported[i];
}

Isa ActiveIsa() {
  static const Isa isa = DetectIsa();
  return isa;
}

}  // namespace hfd::cpu
