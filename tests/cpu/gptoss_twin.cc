#include "tests/cpu/gptoss_twin.h"

#include <cstring>
#include <map>
#include <string>

#include "engine/model/tensor_names.h"
#include "engine/quant/blocks.h"
#include "tests/support/safetensors_writer.h"

namespace hfd::testing {
namespace {

constexpr size_t kBlockBytes = sizeof(BlockMXFP4);

// Row r of an MXFP4 weight of `groups` blocks per row as HF's blocks (codes 2i, 2i + 1 in
// byte i) and scales, appended.
void AppendHfRow(const uint8_t* row, int64_t groups, RawTensor& blocks, RawTensor& scales) {
  for (int64_t g = 0; g < groups; ++g) {
    BlockMXFP4 b;
    std::memcpy(&b, row + g * kBlockBytes, kBlockBytes);
    auto code = [&](int i) { return i < kQK / 2 ? b.qs[i] & 15 : b.qs[i - kQK / 2] >> 4; };
    for (int i = 0; i < kQK / 2; ++i) {
      blocks.bytes.push_back(static_cast<uint8_t>(code(2 * i) | (code(2 * i + 1) << 4)));
    }
    scales.bytes.push_back(b.e);
  }
}

Result<model::WeightView> Mxfp4(const model::ModelFiles& gguf, const std::string& name) {
  HFD_ASSIGN_OR_RETURN(model::WeightView w, gguf.Weight(name));
  if (w.type != TensorType::kMXFP4 || w.shape.size() != 3) {
    return InvalidArgument(name + " is not a stack of MXFP4 experts");
  }
  return w;
}

// One layer's fused expert tensors from the stacked ones of blk.{i}.
Status AddLayerExperts(const model::ModelFiles& gguf, int64_t layer,
                       std::map<std::string, RawTensor>& out) {
  const std::string blk = "blk." + std::to_string(layer) + ".";
  const std::string hf = "model.layers." + std::to_string(layer) + ".mlp.experts.";
  HFD_ASSIGN_OR_RETURN(model::WeightView gate, Mxfp4(gguf, blk + "ffn_gate_exps.weight"));
  HFD_ASSIGN_OR_RETURN(model::WeightView up, Mxfp4(gguf, blk + "ffn_up_exps.weight"));
  HFD_ASSIGN_OR_RETURN(model::WeightView down, Mxfp4(gguf, blk + "ffn_down_exps.weight"));
  const int64_t cols = gate.shape[0], ff = gate.shape[1], n = gate.shape[2];
  const int64_t groups = cols / kQK;
  RawTensor& blocks = out[hf + "gate_up_proj_blocks"];
  RawTensor& scales = out[hf + "gate_up_proj_scales"];
  blocks = {"U8", {n, 2 * ff, groups, 16}, {}};
  scales = {"U8", {n, 2 * ff, groups}, {}};
  const auto row_bytes = static_cast<size_t>(groups) * kBlockBytes;
  for (int64_t r = 0; r < n * ff; ++r) {  // expert e's row j is r = e * ff + j
    AppendHfRow(gate.data + r * row_bytes, groups, blocks, scales);
    AppendHfRow(up.data + r * row_bytes, groups, blocks, scales);
  }
  const int64_t down_groups = down.shape[0] / kQK, e = down.shape[1];
  RawTensor& down_blocks = out[hf + "down_proj_blocks"];
  RawTensor& down_scales = out[hf + "down_proj_scales"];
  down_blocks = {"U8", {n, e, down_groups, 16}, {}};
  down_scales = {"U8", {n, e, down_groups}, {}};
  for (int64_t r = 0; r < n * e; ++r) {
    AppendHfRow(down.data + r * down_groups * kBlockBytes, down_groups, down_blocks, down_scales);
  }
  HFD_ASSIGN_OR_RETURN(model::WeightView gate_bias, gguf.Weight(blk + "ffn_gate_exps.bias"));
  HFD_ASSIGN_OR_RETURN(model::WeightView up_bias, gguf.Weight(blk + "ffn_up_exps.bias"));
  RawTensor& bias = out[hf + "gate_up_proj_bias"];
  bias = {"F32", {n, 2 * ff}, {}};
  for (int64_t i = 0; i < n * ff; ++i) {
    for (const model::WeightView* part : {&gate_bias, &up_bias}) {
      const uint8_t* v = part->data + i * sizeof(float);
      bias.bytes.insert(bias.bytes.end(), v, v + sizeof(float));
    }
  }
  return Status::Ok();
}

// The stacked expert tensors AddLayerExperts writes in HF's fused form.
bool IsFusedInHf(const std::string& name) {
  for (const char* part : {"ffn_gate_exps.", "ffn_up_exps.", "ffn_down_exps.weight"}) {
    if (name.find(part) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

Status WriteGptOssTwin(const model::ModelFiles& gguf, const std::filesystem::path& config,
                       const std::filesystem::path& dir) {
  std::filesystem::copy_file(config, dir / "config.json");
  const model::ModelDesc& d = gguf.desc();
  std::map<std::string, RawTensor> out;
  for (const std::string& name : gguf.WeightNames()) {
    if (IsFusedInHf(name)) continue;
    HFD_ASSIGN_OR_RETURN(model::WeightView w, gguf.Weight(name));
    const std::optional<std::string> hf = model::HfFromCanonical(name, d.arch);
    if (w.type != TensorType::kF32 || !hf) {
      return InvalidArgument(name + " is not an F32 tensor with a Hugging Face name");
    }
    out[*hf] = {"F32", {w.shape.rbegin(), w.shape.rend()}, {w.data, w.data + w.nbytes}};
  }
  for (int64_t layer = 0; layer < d.n_layer; ++layer) {
    HFD_RETURN_IF_ERROR(AddLayerExperts(gguf, layer, out));
  }
  WriteSafetensors(dir / "model.safetensors", out);
  return Status::Ok();
}

Status WriteTinyGptOssTwin(const std::filesystem::path& testdata,
                           const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return ErrnoError("cannot create " + dir.string(), ec.value());
  HFD_ASSIGN_OR_RETURN(const std::unique_ptr<model::ModelFiles> gguf,
                       model::OpenModelFiles(testdata / "tiny-gptoss.gguf"));
  return WriteGptOssTwin(*gguf, testdata / "tiny-gptoss.config.json", dir);
}

}  // namespace hfd::testing
