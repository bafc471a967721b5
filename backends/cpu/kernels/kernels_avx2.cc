// The AVX2 + FMA + F16C path (any x86-64 since Haswell / Zen 1).
#include <immintrin.h>

#include <array>
#include <cstdint>

#include "backends/cpu/kernels/kernel_table.h"
#include "backends/cpu/kernels/libmvec.h"
#include "engine/quant/blocks.h"
#include "engine/quant/iq_tables.h"
#include "engine/quant/k_scales.h"
#include "engine/quant/mxfp4_tables.h"

namespace hfd::cpu {
namespace {
#include "backends/cpu/kernels/kernels_x86.inc"
}  // namespace

const KernelTable& Avx2KernelTable() {
  static const KernelTable table = MakeX86Table();
  return table;
}

}  // namespace hfd::cpu
