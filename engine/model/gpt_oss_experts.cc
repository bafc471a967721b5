#include "engine/model/gpt_oss_experts.h"

#include <cstring>
#include <span>

#include "engine/model/model_files_impl.h"
#include "engine/quant/blocks.h"
#include "engine/quant/dequantize.h"
#include "engine/quant/mxfp4_hf.h"

namespace hfd::model {
namespace {

// The bytes of tensor `name`, which must have `shape` (HF order) and, unless `dtype` is
// empty, that dtype.
Result<std::span<const uint8_t>> Tensor(const safetensors::Checkpoint& ckpt,
                                        const std::string& name, const std::vector<int64_t>& shape,
                                        const std::string& dtype,
                                        const safetensors::HeaderEntry** entry = nullptr) {
  const safetensors::HeaderEntry* e = ckpt.Find(name);
  if (e == nullptr) return Corrupt("the gpt-oss checkpoint lacks " + name);
  if (e->shape != shape || (!dtype.empty() && e->dtype != dtype)) {
    return Corrupt(name + " is " + e->dtype + " " + internal::ShapeString(e->shape) +
                   "; expected " + (dtype.empty() ? "a float" : dtype) + " " +
                   internal::ShapeString(shape) + " for the model's config.json");
  }
  if (dtype.empty() && !e->supported) {
    return Unsupported(name + " has dtype " + e->dtype + "; hfd reads F32, F16 and BF16 biases");
  }
  if (entry != nullptr) *entry = e;
  const safetensors::Tensor t = ckpt.Get(*e);
  return std::span<const uint8_t>(t.data, t.nbytes);
}

// Experts of `rows` output rows of `cols` inputs, rows [first, first + step * n) by `step`
// of the fused tensor of `fused_rows` rows: MXFP4 blocks in GGML's layout, experts stacked.
Result<DerivedTensor> PackExperts(const safetensors::Checkpoint& ckpt, std::string name,
                                  const std::string& prefix, int64_t experts, int64_t fused_rows,
                                  int64_t cols, int64_t rows, int64_t first, int64_t step) {
  const int64_t groups = cols / 32;
  HFD_ASSIGN_OR_RETURN(std::span<const uint8_t> blocks,
                       Tensor(ckpt, prefix + "_blocks", {experts, fused_rows, groups, 16}, "U8"));
  HFD_ASSIGN_OR_RETURN(std::span<const uint8_t> scales,
                       Tensor(ckpt, prefix + "_scales", {experts, fused_rows, groups}, "U8"));
  const auto row_bytes = static_cast<size_t>(groups * sizeof(BlockMXFP4));
  const auto fill = [=](std::span<uint8_t> out) -> Status {
    for (int64_t e = 0; e < experts; ++e) {
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t src = e * fused_rows + first + r * step;
        HFD_RETURN_IF_ERROR(PackMxfp4FromHf(
            blocks.subspan(static_cast<size_t>(src * groups * 16),
                           static_cast<size_t>(groups * 16)),
            scales.subspan(static_cast<size_t>(src * groups), static_cast<size_t>(groups)),
            out.subspan(static_cast<size_t>(e * rows + r) * row_bytes, row_bytes)));
      }
    }
    return Status::Ok();
  };
  return DerivedTensor{std::move(name),
                       TensorType::kMXFP4,
                       {cols, rows, experts},
                       static_cast<uint64_t>(experts * rows) * row_bytes,
                       fill};
}

// The gate (first 0) or up (first 1) half of the interleaved biases, as F32 {ff, experts}.
Result<DerivedTensor> SplitBias(const safetensors::Checkpoint& ckpt, std::string name,
                                const std::string& hf_name, int64_t experts, int64_t ff,
                                int64_t first) {
  const safetensors::HeaderEntry* e = nullptr;
  HFD_ASSIGN_OR_RETURN(std::span<const uint8_t> bytes,
                       Tensor(ckpt, hf_name, {experts, 2 * ff}, "", &e));
  const TensorType type = e->type;
  const auto fill = [=](std::span<uint8_t> out) -> Status {
    std::vector<float> all(static_cast<size_t>(experts * 2 * ff));
    HFD_RETURN_IF_ERROR(DequantizeRow(type, bytes.data(), all.data(), experts * 2 * ff));
    for (int64_t i = 0; i < experts * ff; ++i) {
      const float v = all[static_cast<size_t>(2 * i + first)];
      std::memcpy(out.data() + i * static_cast<int64_t>(sizeof(float)), &v, sizeof(float));
    }
    return Status::Ok();
  };
  return DerivedTensor{std::move(name),
                       TensorType::kF32,
                       {ff, experts},
                       static_cast<uint64_t>(experts * ff) * sizeof(float),
                       fill};
}

}  // namespace

Result<std::vector<DerivedTensor>> GptOssExpertTensors(const ModelDesc& d,
                                                       const safetensors::Checkpoint& ckpt) {
  const int64_t n = d.n_expert, e = d.n_embd, ff = d.n_ff_expert;
  if (e % 32 != 0 || ff % 32 != 0) {
    return Corrupt(
        "gpt-oss's MXFP4 experts need hidden_size and intermediate_size in "
        "multiples of 32, not " +
        std::to_string(e) + " and " + std::to_string(ff));
  }
  std::vector<DerivedTensor> out;
  const auto add = [&out](Result<DerivedTensor> t) -> Status {
    if (!t.ok()) return t.status();
    out.push_back(std::move(t).value());
    return Status::Ok();
  };
  for (int64_t i = 0; i < d.n_layer; ++i) {
    const std::string hf = "model.layers." + std::to_string(i) + ".mlp.experts.";
    const std::string blk = "blk." + std::to_string(i) + ".";
    HFD_RETURN_IF_ERROR(add(PackExperts(ckpt, blk + "ffn_gate_exps.weight", hf + "gate_up_proj", n,
                                        2 * ff, e, ff, 0, 2)));
    HFD_RETURN_IF_ERROR(add(PackExperts(ckpt, blk + "ffn_up_exps.weight", hf + "gate_up_proj", n,
                                        2 * ff, e, ff, 1, 2)));
    HFD_RETURN_IF_ERROR(
        add(PackExperts(ckpt, blk + "ffn_down_exps.weight", hf + "down_proj", n, e, ff, e, 0, 1)));
    HFD_RETURN_IF_ERROR(
        add(SplitBias(ckpt, blk + "ffn_gate_exps.bias", hf + "gate_up_proj_bias", n, ff, 0)));
    HFD_RETURN_IF_ERROR(
        add(SplitBias(ckpt, blk + "ffn_up_exps.bias", hf + "gate_up_proj_bias", n, ff, 1)));
  }
  return out;
}

}  // namespace hfd::model
