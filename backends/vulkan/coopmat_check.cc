#include "backends/vulkan/coopmat_check.h"

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "engine/quant/dequantize.h"

namespace hfd::vk {
namespace {

constexpr int64_t kRows = 96, kCols = 320;
constexpr uint32_t kTokens = 40;
// Half-precision inputs: each product is off by at most about 2^-10 of its size.
constexpr double kRelTolerance = 4e-3;

std::vector<float> Random(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& f : v) f = dist(rng);
  return v;
}

Result<Buffer> HostBuffer(Device& device, const std::vector<float>& values) {
  HFD_ASSIGN_OR_RETURN(Buffer b,
                       Buffer::Create(device, values.size() * 4, MemoryUse::kHostVisible));
  std::memcpy(b.mapped(), values.data(), values.size() * 4);
  return b;
}

Result<std::vector<float>> Run(Device& device, const RecordMatMul& record, const DeviceTensor& w,
                               const Buffer& x) {
  HFD_ASSIGN_OR_RETURN(Buffer y, HostBuffer(device, std::vector<float>(kRows * kTokens, 0.0f)));
  HFD_ASSIGN_OR_RETURN(auto s, CommandStream::Begin(device));
  HFD_RETURN_IF_ERROR(record(*s, w, x, y, kTokens));
  HFD_RETURN_IF_ERROR(s->End());
  HFD_RETURN_IF_ERROR(s->Submit());
  const auto* out = static_cast<const float*>(y.mapped());
  return std::vector<float>(out, out + kRows * kTokens);
}

}  // namespace

Status CheckMatMulAgreement(Device& device, Transfer& transfer, const RecordMatMul& reference,
                            const RecordMatMul& candidate) {
  const std::vector<float> w = Random(kRows * kCols, 1);
  const std::vector<float> x = Random(kCols * kTokens, 2);
  const int64_t row_bytes = RowBytes(TensorType::kQ8_0, kCols);
  std::vector<uint8_t> packed(kRows * row_bytes);
  std::vector<float> decoded(kRows * kCols);
  for (int64_t r = 0; r < kRows; ++r) {
    HFD_RETURN_IF_ERROR(
        QuantizeRow(TensorType::kQ8_0, &w[r * kCols], &packed[r * row_bytes], kCols));
    HFD_RETURN_IF_ERROR(
        DequantizeRow(TensorType::kQ8_0, &packed[r * row_bytes], &decoded[r * kCols], kCols));
  }
  HFD_ASSIGN_OR_RETURN(DeviceTensor dw, DeviceTensor::Upload(device, transfer, TensorType::kQ8_0,
                                                             kCols, kRows, packed.data()));
  HFD_ASSIGN_OR_RETURN(Buffer bx, HostBuffer(device, x));
  HFD_ASSIGN_OR_RETURN(std::vector<float> want, Run(device, reference, dw, bx));
  HFD_ASSIGN_OR_RETURN(std::vector<float> got, Run(device, candidate, dw, bx));
  std::vector<float> scale(kRows * kTokens);
  for (uint32_t t = 0; t < kTokens; ++t) {
    for (int64_t r = 0; r < kRows; ++r) {
      double sum = 0;
      for (int64_t k = 0; k < kCols; ++k)
        sum += std::fabs(decoded[r * kCols + k] * x[t * kCols + k]);
      scale[t * kRows + r] = static_cast<float>(sum);
    }
  }
  return CompareWithinInputRounding(got, want, scale, kRelTolerance);
}

std::string EnableCoopMat(Device& device, Transfer& transfer, Kernels& kernels,
                          const CoopMatChoice& choice) {
  if (!choice.use) return choice.reason;
  const auto tiled_with = [&kernels](bool coopmat) {
    return [&kernels, coopmat](CommandStream& s, const DeviceTensor& w, const Buffer& x,
                               const Buffer& y, uint32_t ntok) {
      HFD_RETURN_IF_ERROR(kernels.UseCoopMat(coopmat));
      return kernels.MatMulTiled(s, w, x, y, ntok);
    };
  };
  Status st = CheckMatMulAgreement(device, transfer, tiled_with(false), tiled_with(true));
  if (!st.ok()) {
    (void)kernels.UseCoopMat(false);
    return "cooperative matrices off: " + st.message();
  }
  (void)kernels.UseCoopMat(true);
  return choice.reason + ", self-check passed";
}

}  // namespace hfd::vk
