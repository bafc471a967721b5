// The portable path: plain C++ with exact integer dot products per block. It is the
// reference the SIMD paths are tested against, and what runs on CPUs without AVX2.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "backends/cpu/kernels/kernel_table.h"
#include "engine/quant/blocks.h"
#include "engine/quant/half.h"

namespace hfd::cpu {
namespace {

template <typename Block>
const Block* Blocks(const uint8_t* w) {
  return reinterpret_cast<const Block*>(w);
}

// Eight 6-bit scales and eight 6-bit mins from a Q4_K/Q5_K 12-byte scales field.
void UnpackScalesK4(const uint8_t* q, uint8_t* sc, uint8_t* m) {
  for (int j = 0; j < 4; ++j) {
    sc[j] = q[j] & 63;
    m[j] = q[j + 4] & 63;
  }
  for (int j = 4; j < 8; ++j) {
    sc[j] = static_cast<uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
    m[j] = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

int32_t DotI8(const int8_t* a, const int8_t* b, int n) {
  int32_t s = 0;
  for (int i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

// Sum of the activations' int8 values over 32 values starting at 16-group g.
int32_t Sum32(const ActRow& x, int64_t g) { return x.sum16[g] + x.sum16[g + 1]; }

// The nibbles of a 32-value legacy block: value i < 16 is the low nibble of byte i,
// value i + 16 the high nibble.
void Nibbles32(const uint8_t* qs, int8_t* q) {
  for (int i = 0; i < 16; ++i) {
    q[i] = static_cast<int8_t>(qs[i] & 0xF);
    q[i + 16] = static_cast<int8_t>(qs[i] >> 4);
  }
}

// Adds the fifth bit (bit i of qh, little-endian) to value i.
void AddHighBit32(const uint8_t* qh_bytes, int8_t* q) {
  uint32_t qh;
  std::memcpy(&qh, qh_bytes, 4);
  for (int i = 0; i < 32; ++i) q[i] = static_cast<int8_t>(q[i] | (((qh >> i) & 1) << 4));
}

float DotF32(int64_t n, const uint8_t* w, const ActRow& x) {
  const float* a = reinterpret_cast<const float*>(w);
  float s = 0.0f;
  for (int64_t i = 0; i < n; ++i) s += a[i] * x.f32[i];
  return s;
}

float DotF16(int64_t n, const uint8_t* w, const ActRow& x) {
  const uint16_t* a = reinterpret_cast<const uint16_t*>(w);
  float s = 0.0f;
  for (int64_t i = 0; i < n; ++i) s += HalfToFloat(a[i]) * x.f32[i];
  return s;
}

float DotBf16(int64_t n, const uint8_t* w, const ActRow& x) {
  const uint16_t* a = reinterpret_cast<const uint16_t*>(w);
  float s = 0.0f;
  for (int64_t i = 0; i < n; ++i) s += Bf16ToFloat(a[i]) * x.f32[i];
  return s;
}

float DotQ8_0(int64_t n, const uint8_t* w, const ActRow& x) {
  const BlockQ8_0* b = Blocks<BlockQ8_0>(w);
  float s = 0.0f;
  for (int64_t j = 0; j < n / kQK; ++j) {
    s += HalfToFloat(b[j].d) * x.d[j] * static_cast<float>(DotI8(b[j].qs, x.qs + j * kQK, kQK));
  }
  return s;
}

// Q4_0 and Q5_0: y = d * (q - offset).
template <typename Block, bool kHighBit>
float DotSymmetric(int64_t n, const uint8_t* w, const ActRow& x) {
  constexpr int32_t kOffset = kHighBit ? 16 : 8;
  const Block* b = Blocks<Block>(w);
  float s = 0.0f;
  for (int64_t j = 0; j < n / kQK; ++j) {
    int8_t q[kQK];
    Nibbles32(b[j].qs, q);
    if constexpr (kHighBit) AddHighBit32(b[j].qh, q);
    const int32_t isum = DotI8(q, x.qs + j * kQK, kQK) - kOffset * Sum32(x, 2 * j);
    s += HalfToFloat(b[j].d) * x.d[j] * static_cast<float>(isum);
  }
  return s;
}

// Q4_1 and Q5_1: y = d * q + m.
template <typename Block, bool kHighBit>
float DotAffine(int64_t n, const uint8_t* w, const ActRow& x) {
  const Block* b = Blocks<Block>(w);
  float s = 0.0f;
  for (int64_t j = 0; j < n / kQK; ++j) {
    int8_t q[kQK];
    Nibbles32(b[j].qs, q);
    if constexpr (kHighBit) AddHighBit32(b[j].qh, q);
    const float dot = HalfToFloat(b[j].d) * static_cast<float>(DotI8(q, x.qs + j * kQK, kQK));
    const float offset = HalfToFloat(b[j].m) * static_cast<float>(Sum32(x, 2 * j));
    s += x.d[j] * (dot + offset);
  }
  return s;
}

// Q4_K and Q5_K: 8 sub-blocks of 32, y = d * sc * q - dmin * m.
template <typename Block, bool kHighBit>
float DotK4(int64_t n, const uint8_t* w, const ActRow& x) {
  const Block* b = Blocks<Block>(w);
  float s = 0.0f;
  for (int64_t i = 0; i < n / kQKK; ++i) {
    uint8_t sc[8], m[8];
    UnpackScalesK4(b[i].scales, sc, m);
    const int8_t* xq = x.qs + i * kQKK;
    int32_t isum = 0, msum = 0;
    for (int c = 0; c < 4; ++c) {  // 64 values: sub-blocks 2c (low nibbles), 2c+1 (high)
      int8_t lo[32], hi[32];
      for (int l = 0; l < 32; ++l) {
        const uint8_t byte = b[i].qs[32 * c + l];
        lo[l] = static_cast<int8_t>(byte & 0xF);
        hi[l] = static_cast<int8_t>(byte >> 4);
        if constexpr (kHighBit) {
          lo[l] = static_cast<int8_t>(lo[l] | (((b[i].qh[l] >> (2 * c)) & 1) << 4));
          hi[l] = static_cast<int8_t>(hi[l] | (((b[i].qh[l] >> (2 * c + 1)) & 1) << 4));
        }
      }
      isum +=
          sc[2 * c] * DotI8(lo, xq + 64 * c, 32) + sc[2 * c + 1] * DotI8(hi, xq + 64 * c + 32, 32);
      msum += m[2 * c] * Sum32(x, i * 16 + 4 * c) + m[2 * c + 1] * Sum32(x, i * 16 + 4 * c + 2);
    }
    s += x.d[i] * (HalfToFloat(b[i].d) * static_cast<float>(isum) -
                   HalfToFloat(b[i].dmin) * static_cast<float>(msum));
  }
  return s;
}

// Q6_K: 16 sub-blocks of 16 with int8 scales, y = d * sc * (q - 32).
float DotQ6_K(int64_t n, const uint8_t* w, const ActRow& x) {
  const BlockQ6_K* b = Blocks<BlockQ6_K>(w);
  float s = 0.0f;
  for (int64_t i = 0; i < n / kQKK; ++i) {
    int8_t q[kQKK];
    for (int h = 0; h < 2; ++h) {  // two halves of 128 values
      const uint8_t* ql = b[i].ql + 64 * h;
      const uint8_t* qh = b[i].qh + 32 * h;
      int8_t* out = q + 128 * h;
      for (int l = 0; l < 32; ++l) {
        out[l] = static_cast<int8_t>((ql[l] & 0xF) | ((qh[l] & 3) << 4));
        out[l + 32] = static_cast<int8_t>((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4));
        out[l + 64] = static_cast<int8_t>((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4));
        out[l + 96] = static_cast<int8_t>((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4));
      }
    }
    int32_t isum = 0;
    for (int g = 0; g < 16; ++g) {
      const int32_t dot = DotI8(q + 16 * g, x.qs + i * kQKK + 16 * g, 16);
      isum += b[i].scales[g] * (dot - 32 * x.sum16[i * 16 + g]);
    }
    s += HalfToFloat(b[i].d) * x.d[i] * static_cast<float>(isum);
  }
  return s;
}

void QuantizeQ8(const float* x, int64_t n, int64_t block, int8_t* qs, float* d, int32_t* sum16) {
  for (int64_t b = 0; b < n; b += block) {
    float amax = 0.0f;
    for (int64_t i = b; i < b + block; ++i) amax = std::max(amax, std::fabs(x[i]));
    const bool zero = !(amax > 1e-30f);
    d[b / block] = zero ? 0.0f : amax / 127.0f;
    const float inv = zero ? 0.0f : 127.0f / amax;
    for (int64_t i = b; i < b + block; ++i) {
      // |x * inv| <= 127 up to rounding; fmin/fmax also make NaN finite, so the cast is defined.
      qs[i] =
          static_cast<int8_t>(std::nearbyint(std::fmax(-127.0f, std::fmin(127.0f, x[i] * inv))));
    }
  }
  for (int64_t g = 0; g < n / 16; ++g) {
    int32_t s = 0;
    for (int i = 0; i < 16; ++i) s += qs[16 * g + i];
    sum16[g] = s;
  }
}

void F32ToF16(const float* src, uint16_t* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = FloatToHalf(src[i]);
}

void F16ToF32(const uint16_t* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = HalfToFloat(src[i]);
}

void DotF16Rows(const uint16_t* rows, int64_t stride, int64_t count, const float* x, int64_t n,
                float* out) {
  for (int64_t j = 0; j < count; ++j) {
    const uint16_t* a = rows + j * stride;
    float s = 0.0f;
    for (int64_t i = 0; i < n; ++i) s += HalfToFloat(a[i]) * x[i];
    out[j] = s;
  }
}

void AxpyF16Rows(const float* w, const uint16_t* rows, int64_t stride, int64_t count, float* y,
                 int64_t n) {
  for (int64_t j = 0; j < count; ++j) {
    for (int64_t i = 0; i < n; ++i) y[i] += w[j] * HalfToFloat(rows[j * stride + i]);
  }
}

void Gelu(const float* x, float* y, int64_t n) {
  constexpr float kInvSqrt2 = 0.7071067811865476f;
  for (int64_t i = 0; i < n; ++i) y[i] = 0.5f * x[i] * (1.0f + std::erf(x[i] * kInvSqrt2));
}

void Tanh(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
}

void Add(const float* a, const float* b, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = a[i] + b[i];
}

// The sum of term(i) for i < n in double, as eight interleaved partial sums (term i into
// part i % 8) added pairwise at the end: eight independent chains where one would wait on
// each add's latency, in an order that depends on n alone (the SIMD paths' lanes).
template <typename Term>
double SumOf(int64_t n, Term term) {
  double part[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; ++k) part[k] += term(i + k);
  }
  for (; i < n; ++i) part[i % 8] += term(i);
  return ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
}

void LayerNorm(const float* x, const float* w, const float* bias, float* y, int64_t rows,
               int64_t width, float eps) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* in = x + r * width;
    const double mean = SumOf(width, [&](int64_t i) { return double{in[i]}; }) / width;
    const double sum_sq = SumOf(width, [&](int64_t i) {
      const double d = in[i] - mean;
      return d * d;
    });
    const double scale = 1.0 / std::sqrt(sum_sq / width + eps);
    for (int64_t i = 0; i < width; ++i) {
      y[r * width + i] = static_cast<float>((in[i] - mean) * scale) * w[i];
    }
    if (bias == nullptr) continue;
    for (int64_t i = 0; i < width; ++i) y[r * width + i] += bias[i];
  }
}

KernelTable MakeTable() {
  KernelTable t{};
  t.f32 = {ActKind::kF32, DotF32, nullptr, {}};
  t.f16 = {ActKind::kF32, DotF16, nullptr, {}};
  t.bf16 = {ActKind::kF32, DotBf16, nullptr, {}};
  t.q8_0 = {ActKind::kQ8x32, DotQ8_0, nullptr, {}};
  t.q4_0 = {ActKind::kQ8x32, DotSymmetric<BlockQ4_0, false>, nullptr, {}};
  t.q5_0 = {ActKind::kQ8x32, DotSymmetric<BlockQ5_0, true>, nullptr, {}};
  t.q4_1 = {ActKind::kQ8x32, DotAffine<BlockQ4_1, false>, nullptr, {}};
  t.q5_1 = {ActKind::kQ8x32, DotAffine<BlockQ5_1, true>, nullptr, {}};
  t.q4_k = {ActKind::kQ8x256, DotK4<BlockQ4_K, false>, nullptr, {}};
  t.q5_k = {ActKind::kQ8x256, DotK4<BlockQ5_K, true>, nullptr, {}};
  t.q6_k = {ActKind::kQ8x256, DotQ6_K, nullptr, {}};
  SetLowBitScalarKernels(&t);
  t.quantize_q8 = QuantizeQ8;
  t.f32_to_f16 = F32ToF16;
  t.f16_to_f32 = F16ToF32;
  t.dot_f16_rows = DotF16Rows;
  t.axpy_f16_rows = AxpyF16Rows;
  t.gelu = Gelu;
  t.tanh = Tanh;
  t.add = Add;
  t.layer_norm = LayerNorm;
  return t;
}

}  // namespace

const KernelTable& ScalarKernelTable() {
  static const KernelTable table = MakeTable();
  return table;
}

}  // namespace hfd::cpu
