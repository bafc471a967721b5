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
};

std::string_view IsaName(Isa isa);

// Parses "scalar", "avx2" or "avx512".
Result<Isa> IsaFromName(std::string_view name);

// True when this CPU can run `isa` and the binary was built with that path.
bool IsaSupported(Isa isa);

// The best supported path, unless HFD_CPU_ISA names another supported one (for tests and
// benches). Decided once, on first call; thread-safe.
Isa ActiveIsa();

}  // namespace hfd::cpu
