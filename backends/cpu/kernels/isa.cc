#include "backends/cpu/kernels/isa.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string>

#if defined(__x86_64__)
#include <cpuid.h>
#endif
#if defined(__linux__) && defined(__x86_64__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace hfd::cpu {
namespace {

#if defined(__x86_64__)
// F16C straight from CPUID (leaf 1, ECX): clang's __builtin_cpu_supports lacks "f16c".
bool HasF16c() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  return __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 && (ecx & bit_F16C) != 0;
}

// AMX-TILE and AMX-INT8: CPUID leaf 7 subleaf 0, EDX bits 24 and 25.
bool HasAmxInt8() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) return false;
  constexpr unsigned kAmxTile = 1u << 24, kAmxInt8 = 1u << 25;
  return (edx & kAmxTile) != 0 && (edx & kAmxInt8) != 0;
}
#endif

// Why the AMX path cannot run here ("" when it can). Linux hands out the 8 KiB tile state
// only on request (arch_prctl ARCH_REQ_XCOMP_PERM for XFEATURE_XTILEDATA); without it the
// first tile instruction faults.
std::string ProbeAmx() {
#if !defined(HFD_CPU_AMX)
  return "this build has no AMX kernels (its compiler lacks -mamx-int8)";
#elif !defined(__linux__)
  return "the AMX path needs Linux";
#else
  if (!HasAmxInt8()) return "this CPU lacks AMX-TILE/AMX-INT8";
  constexpr int kArchReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
  if (syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) != 0) {
    return std::string("Linux refused the AMX tile state (arch_prctl ARCH_REQ_XCOMP_PERM: ") +
           std::strerror(errno) + ")";
  }
  return "";
#endif
}

// Asks the CPU. CPUID can cost a VM exit, so this runs once per path (IsaSupported caches).
std::string ProbeIsa(Isa isa) {
  switch (isa) {
    case Isa::kScalar:
      return "";
#if defined(__x86_64__)
    case Isa::kAvx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && HasF16c()
                 ? ""
                 : "this CPU lacks AVX2, FMA or F16C";
    case Isa::kAvx512:
      if (!ProbeIsa(Isa::kAvx2).empty()) return ProbeIsa(Isa::kAvx2);
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                     __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
                     __builtin_cpu_supports("avx512vnni")
                 ? ""
                 : "this CPU lacks AVX-512 F/BW/VL/DQ/VNNI";
    case Isa::kAmx:
      if (!ProbeIsa(Isa::kAvx512).empty()) return ProbeIsa(Isa::kAvx512);
      return ProbeAmx();
#else
    default:
      return "the SIMD paths are x86-64 only";
#endif
  }
  return "unknown path";
}

struct Probed {
  std::string reason[std::size(kAllIsas)];
};

const Probed& Probes() {
  static const Probed probed = [] {
    Probed p;
    for (Isa isa : kAllIsas) p.reason[static_cast<int>(isa)] = ProbeIsa(isa);
    // The best x86 path's absence is worth one line: it is not obvious from the speed alone.
    const std::string& amx = p.reason[static_cast<int>(Isa::kAmx)];
    if (p.reason[static_cast<int>(Isa::kAvx512)].empty() && !amx.empty() &&
        amx.find("Linux refused") != std::string::npos) {
      std::fprintf(stderr, "hfd: CPU kernels use AVX-512, not AMX: %s\n", amx.c_str());
    }
    return p;
  }();
  return probed;
}

Isa DetectIsa() {
  if (const char* forced = std::getenv("HFD_CPU_ISA"); forced != nullptr && *forced != '\0') {
    Result<Isa> isa = IsaFromName(forced);
    if (isa.ok()) return *isa;
  }
  for (Isa isa : {Isa::kAmx, Isa::kAvx512, Isa::kAvx2}) {
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
    case Isa::kAmx:
      return "amx";
  }
  return "unknown";
}

Result<Isa> IsaFromName(std::string_view name) {
  for (Isa isa : kAllIsas) {
    if (IsaName(isa) == name) return isa;
  }
  return InvalidArgument("unknown CPU instruction set '" + std::string(name) +
                         "'; use scalar, avx2, avx512 or amx");
}

std::string_view IsaUnsupportedReason(Isa isa) {
  const int i = static_cast<int>(isa);
  if (i < 0 || i >= static_cast<int>(std::size(kAllIsas))) return "unknown path";
  return Probes().reason[i];
}

bool IsaSupported(Isa isa) { return IsaUnsupportedReason(isa).empty(); }

Isa ActiveIsa() {
  static const Isa isa = DetectIsa();
  return isa;
}

}  // namespace hfd::cpu
