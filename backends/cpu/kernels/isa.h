// Which instruction-set path the CPU kernels run. Each path is compiled in its own
// translation unit with its own target flags; this picks one at run time.
#pragma once

#include <string_view>

#include "include/hfd/status.h"

namespace hfd::cpu {

enum class Isa {
  kScalar,  // portable C++, the reference every other path is tested against
  kAvx2,    // AVX2 + FMA + F16C
  kAvx512,  // AVX-512 F/BW/VL/DQ + VNNI (Zen 4/5, Ice Lake and later)
  kAmx,     // kAvx512 plus AMX-INT8 tiles for prefill (Sapphire Rapids and later)
};

// Every path, slowest first.
inline constexpr Isa kAllIsas[] = {Isa::kScalar, Isa::kAvx2, Isa::kAvx512, Isa::kAmx};

std::string_view IsaName(Isa isa);

// Parses "scalar", "avx2", "avx512" or "amx".
Result<Isa> IsaFromName(std::string_view name);

// True when this CPU can run `isa` and the binary was built with that path (for kAmx also:
// Linux granted this process the AMX tile state).
bool IsaSupported(Isa isa);

// Why `isa` is not supported, for error messages ("" when it is).
std::string_view IsaUnsupportedReason(Isa isa);

// The best supported path, unless HFD_CPU_ISA names another (for tests and benches). A
// named path is used even when unsupported, so that whoever runs kernels on it (MatMul, the
// CPU backend) refuses with IsaUnsupportedReason rather than quietly running another path;
// an unknown name falls back to detection. Decided once, on first call; thread-safe.
Isa ActiveIsa();

}  // namespace hfd::cpu
