#include "backends/cpu/kernels/kernel_table.h"

namespace hfd::cpu {

const WeightKernel* KernelTable::ForType(TensorType type) const {
  const WeightKernel* k = nullptr;
  switch (type) {
    case TensorType::kF32:
      k = &f32;
      break;
    case TensorType::kF16:
      k = &f16;
      break;
    case TensorType::kBF16:
      k = &bf16;
      break;
    case TensorType::kQ8_0:
      k = &q8_0;
      break;
    case TensorType::kQ4_0:
      k = &q4_0;
      break;
    case TensorType::kQ4_1:
      k = &q4_1;
      break;
    case TensorType::kQ5_0:
      k = &q5_0;
      break;
    case TensorType::kQ5_1:
      k = &q5_1;
      break;
    case TensorType::kQ4_K:
      k = &q4_k;
      break;
    case TensorType::kQ5_K:
      k = &q5_k;
      break;
    case TensorType::kQ6_K:
      k = &q6_k;
      break;
    case TensorType::kQ2_K:
      k = &q2_k;
      break;
    case TensorType::kQ3_K:
      k = &q3_k;
      break;
    case TensorType::kIQ4_NL:
      k = &iq4_nl;
      break;
    case TensorType::kIQ4_XS:
      k = &iq4_xs;
      break;
    case TensorType::kIQ3_XXS:
      k = &iq3_xxs;
      break;
    case TensorType::kIQ3_S:
      k = &iq3_s;
      break;
    case TensorType::kMXFP4:
      k = &mxfp4;
      break;
    default:
      return nullptr;
  }
  return k->dot != nullptr ? k : nullptr;
}

const TileKernel* KernelTable::Rows16For(TensorType type) const {
  const TileKernel* k = type == TensorType::kQ8_0   ? &q8_0_rows16
                        : type == TensorType::kQ4_0 ? &q4_0_rows16
                        : type == TensorType::kQ4_1 ? &q4_1_rows16
                        : type == TensorType::kQ4_K ? &q4_k_rows16
                                                    : nullptr;
  return k != nullptr && k->fn != nullptr ? k : nullptr;
}

const KernelTable& KernelsFor(Isa isa) {
  switch (isa) {
#if defined(__x86_64__)
    case Isa::kAvx2:
      return Avx2KernelTable();
    case Isa::kAvx512:
      return Avx512KernelTable();
#if defined(HFD_CPU_AMX)
    case Isa::kAmx:
      return AmxKernelTable();
#endif
#endif
    default:
      return ScalarKernelTable();
  }
}

}  // namespace hfd::cpu
