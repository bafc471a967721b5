#include "backends/vulkan/kernels.h"

#include <algorithm>
#include <bit>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "backends/vulkan/buffer.h"
#include "backends/vulkan/device.h"
#include "engine/runtime/top_logits.h"

namespace hfd::vk {
namespace {

// Above this many tokens the tiled kernel reuses each dequantized weight tile across
// tokens; below it the matrix-vector kernel (one pass over the weights per token) wins.
constexpr uint32_t kTiledMinTokens = 8;

// Rows and tokens of one prefill matmul workgroup's output tile (TILE in mul_mat.comp and
// mul_mat_coopmat.comp).
constexpr uint32_t kTiledTile = 64;

// Invocations in a mul_mat_vec workgroup (its local size).
constexpr uint32_t kMatVecGroup = 64;

const char* WeightSuffix(TensorType type) {
  switch (type) {
    case TensorType::kF32:
      return "f32";
    case TensorType::kF16:
      return "f16";
    case TensorType::kBF16:
      return "bf16";
    case TensorType::kQ8_0:
      return "q8_0";
    case TensorType::kQ4_0:
      return "q4_0";
    case TensorType::kQ4_1:
      return "q4_1";
    case TensorType::kQ5_0:
      return "q5_0";
    case TensorType::kQ5_1:
      return "q5_1";
    case TensorType::kQ4_K:
      return "q4_k";
    case TensorType::kQ5_K:
      return "q5_k";
    case TensorType::kQ6_K:
      return "q6_k";
    case TensorType::kQ2_K:
      return "q2_k";
    case TensorType::kQ3_K:
      return "q3_k";
    case TensorType::kIQ4_NL:
      return "iq4_nl";
    case TensorType::kIQ4_XS:
      return "iq4_xs";
    case TensorType::kIQ3_XXS:
      return "iq3_xxs";
    case TensorType::kIQ3_S:
      return "iq3_s";
    case TensorType::kMXFP4:
      return "mxfp4";
    default:
      return nullptr;
  }
}

// The push constants' row_stride: rows apart in the decoder's address unit, 16-bit words,
// or bytes for MXFP4, whose 17-byte blocks make rows of an odd number of blocks odd in
// length (weight_codec.glsl).
uint32_t RowStride(const DeviceTensor& w) {
  const bool bytes = w.type() == TensorType::kMXFP4;
  return static_cast<uint32_t>(bytes ? w.row_bytes() : w.row_bytes() / 2);
}

uint32_t CeilDiv(uint64_t a, uint64_t b) { return static_cast<uint32_t>((a + b - 1) / b); }

// mul_mat_vec's invocations per row: enough to cover a row's 32-element units once, at
// most a whole workgroup.
uint32_t MatVecThreadsPerRow(int64_t ncols) {
  uint32_t per_row = 1;
  while (per_row < kMatVecGroup && int64_t{per_row} * 32 < ncols) per_row *= 2;
  return per_row;
}

// Push-constant blocks, field for field as declared in the shaders.
struct MatPush {
  uint32_t ncols, row_stride, nrows, out_row0, x_stride, y_stride, ntok;
};
struct GetRowsPush {
  uint32_t ncols, row_stride, first_row, nrows, fixed_row;
};
struct ElementwisePush {
  uint32_t n, width;
  float scalar;
};
struct RmsNormPush {
  uint32_t width, group;
  float eps;
};
struct AddRmsNormPush {
  uint32_t width;
  float eps;
};
struct RopePush {
  uint32_t n_head, head_dim, interleaved, ntok, n_rot;
  RopeScale scale;
};
struct RopeKvStorePush {
  uint32_t n_head, n_head_kv, head_dim, interleaved, ntok, n_rot;
  RopeScale scale;
};
struct KvStorePush {
  uint32_t kv_width, ntok;
};
struct AttentionPush {
  uint32_t n_head, n_head_kv, head_dim, window;
  float scale, softcap;
};
struct AttentionMergePush {
  uint32_t n_head, parts;
};
struct CopyPush {
  uint32_t n, src_offset, dst_offset;
};
struct LastRowsPush {
  uint32_t width, rows;
};
struct MoePush {  // shaders/moe_push.glsl
  uint32_t ncols, row_stride, nrows, out_row0, x_stride, y_stride, ntok, top_k, slot_stride,
      first_expert, experts, n_expert;
};
struct MoeRoutePush {
  uint32_t n_expert, top_k;
};
struct MoeGroupPush {
  uint32_t ntok, top_k, n_expert;
};
struct MoeWeightedSumPush {
  uint32_t n, width, top_k;
};
struct MoeAddBiasPush {
  uint32_t width, row_stride, pairs, top_k, n_expert;
};

// moe_route.comp's shared arrays hold one slot per invocation.
constexpr uint32_t kMaxMoeTopK = 64;

// The shader variant of `op` (kv_store, attention) for a cache of `kv` elements, reading
// the cache through block tables when `paged`.
std::string KvVariant(const char* op, runtime::KvType kv, bool paged = false) {
  std::string name = paged ? std::string(op) + "_paged" : std::string(op);
  return kv == runtime::KvType::kF32 ? name + "_f32" : name;
}

// Specialization constants alpha, limit of the clamped SwiGLU (float constants by their bits).
std::vector<uint32_t> GluSpec(const runtime::ClampedGluAttrs& glu) {
  return {std::bit_cast<uint32_t>(glu.alpha), std::bit_cast<uint32_t>(glu.limit)};
}

// The rotated part of a head: whole pairs, at least one, within the head.
Status CheckRotated(uint32_t head_dim, uint32_t n_rot) {
  if (head_dim % 2 != 0 || n_rot % 2 != 0 || n_rot == 0 || n_rot > head_dim) {
    return InvalidArgument(
        "rope: head_dim and the rotated dimensions must be even, with 0 < "
        "n_rot <= head_dim");
  }
  return Status::Ok();
}

}  // namespace

Status CheckFits(const Buffer& b, uint64_t floats, const char* what) {
  if (b.size() < floats * 4) {
    return InvalidArgument(std::string(what) + ": buffer of " + std::to_string(b.size()) +
                           " bytes is too small for " + std::to_string(floats) + " values");
  }
  return Status::Ok();
}

Kernels::Kernels(Device& device) : device_(device), cache_(device) {}

bool Kernels::SupportsWeightType(TensorType type) { return WeightSuffix(type) != nullptr; }

Status Kernels::UseCoopMat(bool on) {
  if (on && !device_.coopmat().available) {
    return Unsupported("cooperative matrices: " + device_.coopmat().detail);
  }
  coopmat_ = on;
  return Status::Ok();
}

bool Kernels::UsesMatVec(uint32_t ntok) { return ntok < kTiledMinTokens; }

Result<const Pipeline*> Kernels::WeightPipeline(const char* op, TensorType type, uint32_t bindings,
                                                uint32_t push_bytes, std::vector<uint32_t> spec) {
  const char* suffix = WeightSuffix(type);
  if (suffix == nullptr) {
    return Unsupported("the Vulkan backend has no " + std::string(op) + " kernel for " +
                       TypeName(type) + " weights");
  }
  return cache_.Get({std::string(op) + "_" + suffix, bindings, push_bytes, std::move(spec)});
}

Status Kernels::MatMul(CommandStream& s, const DeviceTensor& w, const Buffer& x, const Buffer& y,
                       uint32_t ntok) {
  return UsesMatVec(ntok) ? MatMulVec(s, w, x, y, ntok) : MatMulTiled(s, w, x, y, ntok);
}

Status Kernels::MatMulVec(CommandStream& s, const DeviceTensor& w, const Buffer& x, const Buffer& y,
                          uint32_t ntok) {
  return MatVec(s, "mul_mat_vec", w, x, y, ntok, nullptr);
}

Status Kernels::MatMulVecBias(CommandStream& s, const DeviceTensor& w, const Buffer& bias,
                              const Buffer& x, const Buffer& y, uint32_t ntok) {
  HFD_RETURN_IF_ERROR(CheckFits(bias, w.nrows(), "matmul bias"));
  return MatVec(s, "mul_mat_vec_bias", w, x, y, ntok, &bias);
}

bool Kernels::CanGate(const DeviceTensor& gate, const DeviceTensor& up) {
  return gate.type() == up.type() && gate.ncols() == up.ncols() && gate.nrows() == up.nrows() &&
         gate.chunks().size() == 1 && up.chunks().size() == 1;
}

Status Kernels::MatMulVecGated(CommandStream& s, const DeviceTensor& gate, const DeviceTensor& up,
                               const Buffer& x, const Buffer& y, uint32_t ntok, bool gelu) {
  if (!CanGate(gate, up)) {
    return InvalidArgument("gated matmul: the gate and up matrices differ in type or shape");
  }
  return MatVec(s, "mul_mat_vec_glu", gate, x, y, ntok, &up.chunks()[0].buffer, gelu ? 1 : 0);
}

Status Kernels::MatVec(CommandStream& s, const char* variant, const DeviceTensor& w,
                       const Buffer& x, const Buffer& y, uint32_t ntok, const Buffer* extra,
                       uint32_t glu_gelu) {
  HFD_RETURN_IF_ERROR(CheckFits(x, uint64_t{ntok} * w.ncols(), "matmul input"));
  HFD_RETURN_IF_ERROR(CheckFits(y, uint64_t{ntok} * w.nrows(), "matmul output"));
  const uint32_t per_row = MatVecThreadsPerRow(w.ncols());
  const uint32_t rows_per_group = kMatVecGroup / per_row;
  const uint32_t bindings = extra != nullptr ? 4 : 3;
  HFD_ASSIGN_OR_RETURN(const Pipeline* p,
                       WeightPipeline(variant, w.type(), bindings, sizeof(MatPush),
                                      {per_row, static_cast<uint32_t>(w.ncols()), glu_gelu}));
  for (const TensorChunk& c : w.chunks()) {
    MatPush push{static_cast<uint32_t>(w.ncols()),
                 RowStride(w),
                 static_cast<uint32_t>(c.rows),
                 static_cast<uint32_t>(c.first_row),
                 static_cast<uint32_t>(w.ncols()),
                 static_cast<uint32_t>(w.nrows()),
                 ntok};
    GroupGrid g = SplitGroups(CeilDiv(static_cast<uint64_t>(c.rows), rows_per_group));
    if (extra != nullptr) {
      s.Dispatch(*p, {{&c.buffer}, {&x}, {&y, true}, {extra}}, &push, g.x, g.y, ntok);
    } else {
      s.Dispatch(*p, {{&c.buffer}, {&x}, {&y, true}}, &push, g.x, g.y, ntok);
    }
  }
  return Status::Ok();
}

Status Kernels::MatMulTiled(CommandStream& s, const DeviceTensor& w, const Buffer& x,
                            const Buffer& y, uint32_t ntok) {
  HFD_RETURN_IF_ERROR(CheckFits(x, uint64_t{ntok} * w.ncols(), "matmul input"));
  HFD_RETURN_IF_ERROR(CheckFits(y, uint64_t{ntok} * w.nrows(), "matmul output"));
  HFD_ASSIGN_OR_RETURN(const Pipeline* p, WeightPipeline(coopmat_ ? "mul_mat_coopmat" : "mul_mat",
                                                         w.type(), 3, sizeof(MatPush)));
  for (const TensorChunk& c : w.chunks()) {
    MatPush push{static_cast<uint32_t>(w.ncols()),
                 RowStride(w),
                 static_cast<uint32_t>(c.rows),
                 static_cast<uint32_t>(c.first_row),
                 static_cast<uint32_t>(w.ncols()),
                 static_cast<uint32_t>(w.nrows()),
                 ntok};
    s.Dispatch(*p, {{&c.buffer}, {&x}, {&y, true}}, &push, CeilDiv(c.rows, kTiledTile),
               CeilDiv(ntok, kTiledTile));
  }
  return Status::Ok();
}

Status Kernels::GetRows(CommandStream& s, const DeviceTensor& w, const Buffer& params,
                        const Buffer& y, uint32_t ntok, TableRow row) {
  HFD_RETURN_IF_ERROR(CheckFits(y, uint64_t{ntok} * w.ncols(), "get_rows output"));
  if (row.from == TableRow::From::kFixed && row.fixed >= w.nrows()) {
    return InvalidArgument(
        fmt::format("get_rows: row {} of a table of {} rows", row.fixed, w.nrows()));
  }
  HFD_ASSIGN_OR_RETURN(const Pipeline* p,
                       WeightPipeline("get_rows", w.type(), 3, sizeof(GetRowsPush),
                                      {static_cast<uint32_t>(row.from)}));
  const uint32_t units = CeilDiv(w.ncols(), 32);
  for (const TensorChunk& c : w.chunks()) {
    GetRowsPush push{static_cast<uint32_t>(w.ncols()), RowStride(w),
                     static_cast<uint32_t>(c.first_row), static_cast<uint32_t>(c.rows), row.fixed};
    s.Dispatch(*p, {{&c.buffer}, {&y, true}, {&params}}, &push, CeilDiv(units, 64), ntok);
  }
  return Status::Ok();
}

Status Kernels::RmsNorm(CommandStream& s, const Buffer& w, const Buffer& x, const Buffer& y,
                        uint32_t width, uint32_t group, float eps, uint32_t ntok) {
  return Norm(s, w, x, y, width, group, eps, ntok, false);
}

Status Kernels::LayerNorm(CommandStream& s, const Buffer& w, const Buffer& x, const Buffer& y,
                          uint32_t width, float eps, uint32_t ntok) {
  return Norm(s, w, x, y, width, width, eps, ntok, true);
}

Status Kernels::Norm(CommandStream& s, const Buffer& w, const Buffer& x, const Buffer& y,
                     uint32_t width, uint32_t group, float eps, uint32_t ntok, bool center) {
  if (group == 0 || width % group != 0) {
    return InvalidArgument("rms_norm: group " + std::to_string(group) + " does not divide " +
                           std::to_string(width));
  }
  HFD_RETURN_IF_ERROR(CheckFits(w, group, "rms_norm weight"));
  HFD_RETURN_IF_ERROR(CheckFits(x, uint64_t{ntok} * width, "rms_norm input"));
  HFD_ASSIGN_OR_RETURN(const Pipeline* p,
                       cache_.Get({"rms_norm", 3, sizeof(RmsNormPush), {center ? 1u : 0u}}));
  RmsNormPush push{width, group, eps};
  s.Dispatch(*p, {{&w}, {&x}, {&y, true}}, &push, width / group, ntok);
  return Status::Ok();
}

Status Kernels::AddRmsNorm(CommandStream& s, const Buffer& w, const Buffer& a, const Buffer& b,
                           const Buffer& sum, const Buffer& out, uint32_t width, float eps,
                           uint32_t ntok) {
  const uint64_t n = uint64_t{ntok} * width;
  HFD_RETURN_IF_ERROR(CheckFits(w, width, "add_rms_norm weight"));
  HFD_RETURN_IF_ERROR(CheckFits(a, n, "add_rms_norm input"));
  HFD_RETURN_IF_ERROR(CheckFits(b, n, "add_rms_norm input"));
  HFD_RETURN_IF_ERROR(CheckFits(sum, n, "add_rms_norm sum"));
  HFD_RETURN_IF_ERROR(CheckFits(out, n, "add_rms_norm output"));
  HFD_ASSIGN_OR_RETURN(const Pipeline* p,
                       cache_.Get({"add_rms_norm", 5, sizeof(AddRmsNormPush), {}}));
  AddRmsNormPush push{width, eps};
  s.Dispatch(*p, {{&w}, {&a}, {&b}, {&sum, true}, {&out, true}}, &push, ntok);
  return Status::Ok();
}

Status Kernels::Elementwise(CommandStream& s, const char* shader, const Buffer& a, const Buffer& b,
                            const Buffer& out, uint32_t n, uint32_t width, float scalar,
                            std::vector<uint32_t> spec) {
  HFD_RETURN_IF_ERROR(CheckFits(a, n, shader));
  HFD_RETURN_IF_ERROR(CheckFits(out, n, shader));
  HFD_ASSIGN_OR_RETURN(const Pipeline* p,
                       cache_.Get({shader, 3, sizeof(ElementwisePush), std::move(spec)}));
  ElementwisePush push{n, width, scalar};
  GroupGrid g = SplitGroups(CeilDiv(n, 256));
  s.Dispatch(*p, {{&a}, {&b}, {&out, true}}, &push, g.x, g.y);
  return Status::Ok();
}

Status Kernels::Add(CommandStream& s, const Buffer& a, const Buffer& b, const Buffer& out,
                    uint32_t n) {
  HFD_RETURN_IF_ERROR(CheckFits(b, n, "add"));
  return Elementwise(s, "add", a, b, out, n, n);
}

Status Kernels::AddBias(CommandStream& s, const Buffer& x, const Buffer& bias, const Buffer& out,
                        uint32_t width, uint32_t ntok) {
  HFD_RETURN_IF_ERROR(CheckFits(bias, width, "add_bias"));
  return Elementwise(s, "add_bias", x, bias, out, width * ntok, width);
}

Status Kernels::SwiGLU(CommandStream& s, const Buffer& gate, const Buffer& up, const Buffer& out,
                       uint32_t n) {
  HFD_RETURN_IF_ERROR(CheckFits(up, n, "swiglu"));
  return Elementwise(s, "swiglu", gate, up, out, n, n);
}

Status Kernels::GeGLU(CommandStream& s, const Buffer& gate, const Buffer& up, const Buffer& out,
                      uint32_t n) {
  HFD_RETURN_IF_ERROR(CheckFits(up, n, "geglu"));
  return Elementwise(s, "geglu", gate, up, out, n, n);
}

Status Kernels::ClampedSwiGLU(CommandStream& s, const Buffer& gate, const Buffer& up,
                              const Buffer& out, uint32_t n, const runtime::ClampedGluAttrs& glu) {
  HFD_RETURN_IF_ERROR(CheckFits(up, n, "clamped_swiglu"));
  return Elementwise(s, "clamped_swiglu", gate, up, out, n, n, 0.0f, GluSpec(glu));
}

Status Kernels::Gelu(CommandStream& s, const Buffer& x, const Buffer& out, uint32_t n) {
  return Scalar(s, "gelu", x, out, n, 0.0f);
}

Status Kernels::Scalar(CommandStream& s, const char* shader, const Buffer& x, const Buffer& out,
                       uint32_t n, float scalar) {
  // One input: bound as both a and b, which the shaders do not read.
  return Elementwise(s, shader, x, x, out, n, n, scalar);
}

Status Kernels::Rope(CommandStream& s, const Buffer& freqs, const Buffer& x, const Buffer& out,
                     const Buffer& params, uint32_t n_head, uint32_t head_dim, bool interleaved,
                     uint32_t ntok, uint32_t n_rot, const RopeScale& scale, bool per_text,
                     bool paged) {
  if (n_rot == 0) n_rot = head_dim;
  HFD_RETURN_IF_ERROR(CheckRotated(head_dim, n_rot));
  HFD_RETURN_IF_ERROR(CheckFits(freqs, n_rot / 2, "rope frequencies"));
  HFD_RETURN_IF_ERROR(CheckFits(x, uint64_t{ntok} * n_head * head_dim, "rope input"));
  HFD_ASSIGN_OR_RETURN(
      const Pipeline* p,
      cache_.Get({paged ? "rope_paged" : "rope", 4, sizeof(RopePush), {per_text ? 1u : 0u}}));
  RopePush push{n_head, head_dim, interleaved ? 1u : 0u, ntok, n_rot, scale};
  GroupGrid g = SplitGroups(CeilDiv(uint64_t{ntok} * n_head * head_dim / 2, 64));
  s.Dispatch(*p, {{&freqs}, {&x}, {&out, true}, {&params}}, &push, g.x, g.y);
  return Status::Ok();
}

Status Kernels::KvStore(CommandStream& s, const Buffer& k, const Buffer& v, const Buffer& k_cache,
                        const Buffer& v_cache, const Buffer& params, uint32_t kv_width,
                        uint32_t ntok, runtime::KvType kv, bool paged) {
  HFD_RETURN_IF_ERROR(CheckFits(k, uint64_t{ntok} * kv_width, "kv_store k"));
  HFD_RETURN_IF_ERROR(CheckFits(v, uint64_t{ntok} * kv_width, "kv_store v"));
  HFD_ASSIGN_OR_RETURN(const Pipeline* p,
                       cache_.Get({KvVariant("kv_store", kv, paged), 5, sizeof(KvStorePush), {}}));
  KvStorePush push{kv_width, ntok};
  GroupGrid g = SplitGroups(CeilDiv(uint64_t{ntok} * kv_width, 256));
  s.Dispatch(*p, {{&k}, {&v}, {&k_cache, true}, {&v_cache, true}, {&params}}, &push, g.x, g.y);
  return Status::Ok();
}

Status Kernels::RopeKvStore(CommandStream& s, const Buffer& freqs, const Buffer& q, const Buffer& k,
                            const Buffer& v, const Buffer& q_out, const Buffer& k_cache,
                            const Buffer& v_cache, const Buffer& params, const RopeKvShape& shape,
                            uint32_t ntok) {
  const uint32_t n_rot = shape.n_rot == 0 ? shape.head_dim : shape.n_rot;
  HFD_RETURN_IF_ERROR(CheckRotated(shape.head_dim, n_rot));
  const uint64_t q_width = uint64_t{shape.n_head} * shape.head_dim;
  const uint64_t kv_width = uint64_t{shape.n_head_kv} * shape.head_dim;
  HFD_RETURN_IF_ERROR(CheckFits(freqs, n_rot / 2, "rope frequencies"));
  HFD_RETURN_IF_ERROR(CheckFits(q, ntok * q_width, "rope q"));
  HFD_RETURN_IF_ERROR(CheckFits(q_out, ntok * q_width, "rope q output"));
  HFD_RETURN_IF_ERROR(CheckFits(k, ntok * kv_width, "kv_store k"));
  HFD_RETURN_IF_ERROR(CheckFits(v, ntok * kv_width, "kv_store v"));
  HFD_ASSIGN_OR_RETURN(
      const Pipeline* p,
      cache_.Get(
          {KvVariant("rope_kv_store", shape.kv, shape.paged), 8, sizeof(RopeKvStorePush), {}}));
  const uint32_t interleaved = shape.interleaved ? 1u : 0u;
  RopeKvStorePush push{shape.n_head, shape.n_head_kv, shape.head_dim, interleaved,
                       ntok,         n_rot,           shape.scale};
  const uint64_t pairs = ntok * (q_width + 2 * kv_width) / 2;
  GroupGrid g = SplitGroups(CeilDiv(pairs, 64));
  s.Dispatch(
      *p,
      {{&freqs}, {&q}, {&k}, {&v}, {&q_out, true}, {&k_cache, true}, {&v_cache, true}, {&params}},
      &push, g.x, g.y);
  return Status::Ok();
}

uint32_t Kernels::AttentionParts(const AttentionShape& shape, uint32_t ntok, uint32_t n_ctx) {
  // Enough workgroups to fill a large GPU (about 100 compute units) several times over,
  // with each part still at least 128 keys long when the cache is full.
  constexpr uint32_t kEnoughGroups = 256, kMaxParts = 16, kMinKeys = 128;
  if (!UsesMatVec(ntok) || shape.n_head * ntok >= kEnoughGroups) return 1;
  return std::clamp<uint32_t>(n_ctx / kMinKeys, 1, kMaxParts);
}

uint64_t Kernels::AttentionScratchBytes(const AttentionShape& shape, uint32_t ntok,
                                        uint32_t parts) {
  return uint64_t{ntok} * shape.n_head * parts * (shape.head_dim + 2) * 4;
}

Status Kernels::Attention(CommandStream& s, const Buffer& q, const Buffer& k_cache,
                          const Buffer& v_cache, const Buffer& out, const Buffer& params,
                          const AttentionShape& shape, uint32_t ntok, uint32_t parts,
                          const Buffer* scratch, const Buffer* sinks) {
  if (shape.head_dim == 0 || shape.head_dim > 256 || shape.n_head_kv == 0 ||
      shape.n_head % shape.n_head_kv != 0) {
    return Unsupported("attention: head_dim must be in [1, 256] and n_head_kv divide n_head");
  }
  const uint64_t q_floats = uint64_t{ntok} * shape.n_head * shape.head_dim;
  HFD_RETURN_IF_ERROR(CheckFits(q, q_floats, "attention q"));
  HFD_RETURN_IF_ERROR(CheckFits(out, q_floats, "attention output"));
  AttentionPush push{shape.n_head, shape.n_head_kv, shape.head_dim,
                     shape.window, shape.scale,     shape.softcap};
  const std::vector<uint32_t> spec = {shape.head_dim, static_cast<uint32_t>(shape.mask)};
  if (sinks != nullptr) HFD_RETURN_IF_ERROR(CheckFits(*sinks, shape.n_head, "attention sinks"));
  if (parts <= 1) {
    if (sinks != nullptr) {
      HFD_ASSIGN_OR_RETURN(const Pipeline* p,
                           cache_.Get({KvVariant("attention_sinks", shape.kv, shape.paged), 6,
                                       sizeof(AttentionPush), spec}));
      s.Dispatch(*p, {{&q}, {&k_cache}, {&v_cache}, {&out, true}, {&params}, {sinks}}, &push,
                 shape.n_head, ntok);
      return Status::Ok();
    }
    HFD_ASSIGN_OR_RETURN(const Pipeline* p,
                         cache_.Get({KvVariant("attention", shape.kv, shape.paged), 5,
                                     sizeof(AttentionPush), spec}));
    s.Dispatch(*p, {{&q}, {&k_cache}, {&v_cache}, {&out, true}, {&params}}, &push, shape.n_head,
               ntok);
    return Status::Ok();
  }
  if (scratch == nullptr) return InvalidArgument("split attention needs a scratch buffer");
  HFD_RETURN_IF_ERROR(
      CheckFits(*scratch, AttentionScratchBytes(shape, ntok, parts) / 4, "attention scratch"));
  HFD_ASSIGN_OR_RETURN(const Pipeline* split,
                       cache_.Get({KvVariant("attention_split", shape.kv, shape.paged), 5,
                                   sizeof(AttentionPush), spec}));
  HFD_ASSIGN_OR_RETURN(const Pipeline* merge,
                       cache_.Get({sinks != nullptr ? "attention_merge_sinks" : "attention_merge",
                                   sinks != nullptr ? 3u : 2u,
                                   sizeof(AttentionMergePush),
                                   {shape.head_dim}}));
  s.Dispatch(*split, {{&q}, {&k_cache}, {&v_cache}, {scratch, true}, {&params}}, &push,
             shape.n_head, ntok, parts);
  AttentionMergePush merge_push{shape.n_head, parts};
  if (sinks != nullptr) {
    s.Dispatch(*merge, {{scratch}, {&out, true}, {sinks}}, &merge_push, shape.n_head, ntok);
  } else {
    s.Dispatch(*merge, {{scratch}, {&out, true}}, &merge_push, shape.n_head, ntok);
  }
  return Status::Ok();
}

Status Kernels::Argmax(CommandStream& s, const Buffer& x, const Buffer& out, uint32_t width,
                       uint32_t rows) {
  HFD_RETURN_IF_ERROR(CheckFits(x, uint64_t{rows} * width, "argmax input"));
  HFD_ASSIGN_OR_RETURN(const Pipeline* p, cache_.Get({"argmax", 2, sizeof(uint32_t), {}}));
  s.Dispatch(*p, {{&x}, {&out, true}}, &width, rows);
  return Status::Ok();
}

Status Kernels::TopLogits(CommandStream& s, const Buffer& x, const Buffer& out, uint32_t width,
                          uint32_t rows, uint32_t k) {
  if (k < 1 || k > runtime::kMaxTopLogits || k > width) {
    return InvalidArgument(fmt::format("top logits take 1 to {} entries of a row of {}, not {}",
                                       runtime::kMaxTopLogits, width, k));
  }
  HFD_RETURN_IF_ERROR(CheckFits(x, uint64_t{rows} * width, "top logits input"));
  HFD_RETURN_IF_ERROR(
      CheckFits(out, uint64_t{rows} * runtime::TopLogitsWidth(k), "top logits output"));
  HFD_ASSIGN_OR_RETURN(const Pipeline* p, cache_.Get({"top_logits", 2, sizeof(uint32_t), {k}}));
  s.Dispatch(*p, {{&x}, {&out, true}}, &width, rows);
  return Status::Ok();
}

Status Kernels::Copy(CommandStream& s, const Buffer& src, const Buffer& dst, uint32_t n,
                     uint32_t src_offset, uint32_t dst_offset) {
  HFD_RETURN_IF_ERROR(CheckFits(src, uint64_t{src_offset} + n, "copy source"));
  HFD_RETURN_IF_ERROR(CheckFits(dst, uint64_t{dst_offset} + n, "copy destination"));
  HFD_ASSIGN_OR_RETURN(const Pipeline* p, cache_.Get({"copy", 2, sizeof(CopyPush), {}}));
  CopyPush push{n, src_offset, dst_offset};
  GroupGrid g = SplitGroups(CeilDiv(n, 256));
  s.Dispatch(*p, {{&src}, {&dst, true}}, &push, g.x, g.y);
  return Status::Ok();
}

Status Kernels::LastRows(CommandStream& s, const Buffer& x, const Buffer& out, const Buffer& params,
                         uint32_t width, uint32_t rows) {
  HFD_RETURN_IF_ERROR(CheckFits(out, uint64_t{width} * rows, "last rows output"));
  HFD_ASSIGN_OR_RETURN(const Pipeline* p, cache_.Get({"last_rows", 3, sizeof(LastRowsPush), {}}));
  LastRowsPush push{width, rows};
  GroupGrid g = SplitGroups(CeilDiv(uint64_t{width} * rows, 256));
  s.Dispatch(*p, {{&x}, {&out, true}, {&params}}, &push, g.x, g.y);
  return Status::Ok();
}

Status Kernels::MoeRoute(CommandStream& s, const Buffer& x, const Buffer& routes,
                         const MoeShape& moe, uint32_t ntok) {
  if (moe.top_k < 1 || moe.top_k > std::min(moe.n_expert, kMaxMoeTopK)) {
    return Unsupported(
        fmt::format("moe_route: {} experts per token of {}; the Vulkan backend "
                    "takes 1 to {} and at most the expert count",
                    moe.top_k, moe.n_expert, kMaxMoeTopK));
  }
  HFD_RETURN_IF_ERROR(CheckFits(x, uint64_t{ntok} * moe.n_expert, "moe_route input"));
  HFD_RETURN_IF_ERROR(CheckFits(routes, uint64_t{ntok} * 2 * moe.top_k, "moe_route output"));
  HFD_ASSIGN_OR_RETURN(
      const Pipeline* p,
      cache_.Get({"moe_route", 2, sizeof(MoeRoutePush), {moe.norm_topk ? 1u : 0u}}));
  MoeRoutePush push{moe.n_expert, moe.top_k};
  GroupGrid g = SplitGroups(ntok);
  s.Dispatch(*p, {{&x}, {&routes, true}}, &push, g.x, g.y);
  return Status::Ok();
}

uint64_t Kernels::MoeGroupBytes(const MoeShape& moe, uint32_t ntok) {
  return (3 * uint64_t{moe.n_expert} + uint64_t{ntok} * moe.top_k) * 4;
}

Status Kernels::MoeGroup(CommandStream& s, const Buffer& routes, const Buffer& group,
                         const MoeShape& moe, uint32_t ntok) {
  HFD_RETURN_IF_ERROR(CheckFits(routes, uint64_t{ntok} * 2 * moe.top_k, "moe_group routes"));
  HFD_RETURN_IF_ERROR(CheckFits(group, MoeGroupBytes(moe, ntok) / 4, "moe_group index"));
  HFD_ASSIGN_OR_RETURN(const Pipeline* p, cache_.Get({"moe_group", 2, sizeof(MoeGroupPush), {}}));
  MoeGroupPush push{ntok, moe.top_k, moe.n_expert};
  s.Dispatch(*p, {{&routes}, {&group, true}}, &push, 1);
  return Status::Ok();
}

Status Kernels::MoeMatMulVec(CommandStream& s, const DeviceTensor& w, const Buffer& x,
                             const Buffer& routes, const Buffer& y, const MoeShape& moe,
                             uint32_t x_width, uint32_t ntok) {
  HFD_RETURN_IF_ERROR(CheckFits(routes, uint64_t{ntok} * 2 * moe.top_k, "moe_matmul routes"));
  return MoeMatMul(s, w, x, routes, y, moe, x_width, ntok, {});
}

Status Kernels::MoeMatMulVecGated(CommandStream& s, const DeviceTensor& gate,
                                  const DeviceTensor& up, const Buffer& x, const Buffer& routes,
                                  const Buffer& y, const MoeShape& moe, uint32_t x_width,
                                  uint32_t ntok, const GluActivation& act,
                                  const ExpertBiases& biases) {
  if (!CanGate(gate, up)) {
    return InvalidArgument("gated expert matmul: the gate and up experts differ in type or shape");
  }
  if ((biases.gate != nullptr || biases.up != nullptr) &&
      !CanAddExpertBiases(gate, biases, moe.n_expert)) {
    return InvalidArgument(
        "gated expert matmul: the expert biases are not float32 rows of the experts' outputs");
  }
  HFD_RETURN_IF_ERROR(CheckFits(routes, uint64_t{ntok} * 2 * moe.top_k, "moe_matmul routes"));
  return MoeMatMul(s, gate, x, routes, y, moe, x_width, ntok,
                   {.up = &up, .act = act, .biases = biases});
}

bool Kernels::CanAddExpertBiases(const DeviceTensor& gate, const ExpertBiases& biases,
                                 uint32_t n_expert) {
  if (n_expert == 0) return false;
  for (const DeviceTensor* b : {biases.gate, biases.up}) {
    if (b == nullptr || b->type() != TensorType::kF32 || b->chunks().size() != 1 ||
        b->nrows() != n_expert || b->ncols() * n_expert != gate.nrows()) {
      return false;
    }
  }
  return true;
}

Status Kernels::MoeMatMulTiled(CommandStream& s, const DeviceTensor& w, const Buffer& x,
                               const Buffer& group, const Buffer& y, const MoeShape& moe,
                               uint32_t x_width, uint32_t ntok) {
  HFD_RETURN_IF_ERROR(CheckFits(group, MoeGroupBytes(moe, ntok) / 4, "moe_matmul index"));
  return MoeMatMul(s, w, x, group, y, moe, x_width, ntok, {.tiled = true});
}

Status Kernels::MoeMatMul(CommandStream& s, const DeviceTensor& w, const Buffer& x,
                          const Buffer& index, const Buffer& y, const MoeShape& moe,
                          uint32_t x_width, uint32_t ntok, MoeKernel kernel) {
  if (moe.n_expert == 0 || w.nrows() % moe.n_expert != 0) {
    return InvalidArgument(
        fmt::format("moe_matmul: {} rows are not {} experts", w.nrows(), moe.n_expert));
  }
  const auto rows = static_cast<uint32_t>(w.nrows() / moe.n_expert);
  const auto cols = static_cast<uint32_t>(w.ncols());
  if (x_width != cols && x_width != moe.top_k * cols) {
    return InvalidArgument(
        fmt::format("moe_matmul: an input of width {} for experts of {} columns", x_width, cols));
  }
  HFD_RETURN_IF_ERROR(CheckFits(x, uint64_t{ntok} * x_width, "moe_matmul input"));
  HFD_RETURN_IF_ERROR(CheckFits(y, uint64_t{ntok} * moe.top_k * rows, "moe_matmul output"));
  const uint32_t per_row = MatVecThreadsPerRow(cols);
  const bool gated = kernel.up != nullptr;
  const bool biased = kernel.biases.gate != nullptr;
  const std::vector<uint32_t> glu = GluSpec(kernel.act.clamp);
  HFD_ASSIGN_OR_RETURN(
      const Pipeline* p,
      kernel.tiled ? WeightPipeline("mul_mat_moe", w.type(), 4, sizeof(MoePush))
      : gated
          ? WeightPipeline(biased ? "mul_mat_vec_glu_moe_bias" : "mul_mat_vec_glu_moe", w.type(),
                           biased ? 7 : 5, sizeof(MoePush),
                           {per_row, cols, static_cast<uint32_t>(kernel.act.kind), glu[0], glu[1]})
          : WeightPipeline("mul_mat_vec_moe", w.type(), 4, sizeof(MoePush), {per_row, cols, 0}));
  for (const TensorChunk& c : w.chunks()) {
    if (c.first_row % rows != 0 || c.rows % rows != 0) {
      return InvalidArgument("moe_matmul: a buffer of the expert matrix splits an expert");
    }
    MoePush push{cols,
                 RowStride(w),
                 rows,
                 0,
                 x_width,
                 rows,
                 ntok,
                 moe.top_k,
                 x_width == cols ? 0 : cols,
                 static_cast<uint32_t>(c.first_row / rows),
                 static_cast<uint32_t>(c.rows / rows),
                 moe.n_expert};
    const GroupGrid g = SplitGroups(CeilDiv(rows, kMatVecGroup / per_row));
    if (kernel.tiled) {
      s.Dispatch(*p, {{&c.buffer}, {&x}, {&y, true}, {&index}}, &push, CeilDiv(rows, kTiledTile),
                 CeilDiv(ntok, kTiledTile), push.experts);
    } else if (biased) {  // CanGate and CanAddExpertBiases: one buffer each
      s.Dispatch(*p,
                 {{&c.buffer},
                  {&x},
                  {&y, true},
                  {&kernel.up->chunks()[0].buffer},
                  {&index},
                  {&kernel.biases.gate->chunks()[0].buffer},
                  {&kernel.biases.up->chunks()[0].buffer}},
                 &push, g.x, g.y, ntok * moe.top_k);
    } else if (gated) {  // CanGate: one buffer each
      s.Dispatch(*p, {{&c.buffer}, {&x}, {&y, true}, {&kernel.up->chunks()[0].buffer}, {&index}},
                 &push, g.x, g.y, ntok * moe.top_k);
    } else {
      s.Dispatch(*p, {{&c.buffer}, {&x}, {&y, true}, {&index}}, &push, g.x, g.y, ntok * moe.top_k);
    }
  }
  return Status::Ok();
}

Status Kernels::MoeWeightedSum(CommandStream& s, const Buffer& x, const Buffer& routes,
                               const Buffer& out, uint32_t width, uint32_t top_k, uint32_t ntok) {
  const uint32_t n = width * ntok;
  HFD_RETURN_IF_ERROR(CheckFits(x, uint64_t{n} * top_k, "moe_weighted_sum input"));
  HFD_RETURN_IF_ERROR(CheckFits(routes, uint64_t{ntok} * 2 * top_k, "moe_weighted_sum routes"));
  HFD_RETURN_IF_ERROR(CheckFits(out, n, "moe_weighted_sum output"));
  HFD_ASSIGN_OR_RETURN(const Pipeline* p,
                       cache_.Get({"moe_weighted_sum", 3, sizeof(MoeWeightedSumPush), {}}));
  MoeWeightedSumPush push{n, width, top_k};
  GroupGrid g = SplitGroups(CeilDiv(n, 256));
  s.Dispatch(*p, {{&x}, {&routes}, {&out, true}}, &push, g.x, g.y);
  return Status::Ok();
}

bool Kernels::SupportsExpertBiasType(TensorType type) {
  return type == TensorType::kF32 || type == TensorType::kF16 || type == TensorType::kBF16;
}

Status Kernels::MoeAddBias(CommandStream& s, const DeviceTensor& bias, const Buffer& x,
                           const Buffer& routes, const Buffer& out, const MoeShape& moe,
                           uint32_t width, uint32_t ntok) {
  if (!SupportsExpertBiasType(bias.type())) {
    return Unsupported(
        "moe_add_bias: the Vulkan backend reads expert biases of F32, F16 or "
        "BF16, not " +
        std::string(TypeName(bias.type())));
  }
  if (bias.ncols() != width || bias.nrows() != moe.n_expert || bias.chunks().size() != 1) {
    return InvalidArgument(
        fmt::format("moe_add_bias: a bias of {} x {} in {} buffers for {} experts of width {}",
                    bias.nrows(), bias.ncols(), bias.chunks().size(), moe.n_expert, width));
  }
  const uint32_t pairs = ntok * moe.top_k;
  HFD_RETURN_IF_ERROR(CheckFits(x, uint64_t{pairs} * width, "moe_add_bias input"));
  HFD_RETURN_IF_ERROR(CheckFits(out, uint64_t{pairs} * width, "moe_add_bias output"));
  HFD_RETURN_IF_ERROR(CheckFits(routes, uint64_t{ntok} * 2 * moe.top_k, "moe_add_bias routes"));
  HFD_ASSIGN_OR_RETURN(const Pipeline* p,
                       WeightPipeline("moe_add_bias", bias.type(), 4, sizeof(MoeAddBiasPush)));
  MoeAddBiasPush push{width, RowStride(bias), pairs, moe.top_k, moe.n_expert};
  const GroupGrid g = SplitGroups(CeilDiv(uint64_t{pairs} * CeilDiv(width, 32), 64));
  s.Dispatch(*p, {{&bias.chunks()[0].buffer}, {&x}, {&out, true}, {&routes}}, &push, g.x, g.y);
  return Status::Ok();
}

Status Kernels::SigmoidGate(CommandStream& s, const Buffer& x, const Buffer& gate,
                            const Buffer& out, uint32_t width, uint32_t ntok) {
  HFD_RETURN_IF_ERROR(CheckFits(gate, ntok, "sigmoid_gate gate"));
  return Elementwise(s, "sigmoid_gate", x, gate, out, width * ntok, width);
}

}  // namespace hfd::vk
