#include "engine/model/fused_weights.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <span>

namespace hfd::model {
namespace {

// Rows [first, first + count) of the stored tensor `fused`.
struct FusedPart {
  std::string fused;
  int64_t first = 0;
  int64_t count = 0;
  int64_t total = 0;  // rows the fused tensor must have
};

// "blk.<N>.<rest>" -> N, rest.
bool SplitLayerName(std::string_view name, int64_t* layer, std::string_view* rest) {
  constexpr std::string_view kPrefix = "blk.";
  if (!name.starts_with(kPrefix)) return false;
  name.remove_prefix(kPrefix.size());
  const size_t dot = name.find('.');
  if (dot == std::string_view::npos) return false;
  const auto [end, ec] = std::from_chars(name.data(), name.data() + dot, *layer);
  if (ec != std::errc() || end != name.data() + dot) return false;
  *rest = name.substr(dot + 1);
  return true;
}

class FusedSplitFiles final : public ModelFiles {
 public:
  explicit FusedSplitFiles(std::unique_ptr<ModelFiles> inner) : inner_(std::move(inner)) {}

  ModelFormat format() const override { return inner_->format(); }
  const ModelDesc& desc() const override { return inner_->desc(); }
  const gguf::GgufFile* gguf() const override { return inner_->gguf(); }
  Status CheckIntact() const override { return inner_->CheckIntact(); }
  Result<std::unique_ptr<DerivedViews>> Derive(DerivedKey key,
                                               const std::vector<DerivedTensor>& tensors,
                                               std::string_view what) const override {
    return inner_->Derive(std::move(key), tensors, what);
  }

  Result<WeightView> Weight(std::string_view name) const override {
    const std::optional<FusedPart> part = PartOf(name);
    if (!part) return inner_->Weight(name);
    HFD_ASSIGN_OR_RETURN(const WeightView fused, inner_->Weight(part->fused));
    if (fused.shape.size() != 2 || fused.shape[1] != part->total) {
      return Corrupt("fused weight '" + part->fused + "' has " +
                     (fused.shape.size() == 2 ? std::to_string(fused.shape[1]) : "no") +
                     " rows; the model description needs " + std::to_string(part->total));
    }
    // Rows are stored whole (a quantized row is whole blocks), so a row range is a byte range.
    const int64_t row_bytes = RowBytes(fused.type, fused.shape[0]);
    if (row_bytes <= 0 || static_cast<uint64_t>(row_bytes * part->total) > fused.nbytes) {
      return Corrupt("fused weight '" + part->fused + "' is shorter than its shape");
    }
    return WeightView{fused.type,
                      {fused.shape[0], part->count},
                      fused.data + row_bytes * part->first,
                      static_cast<uint64_t>(row_bytes * part->count)};
  }

  bool HasWeight(std::string_view name) const override {
    const std::optional<FusedPart> part = PartOf(name);
    return part ? inner_->HasWeight(part->fused) : inner_->HasWeight(name);
  }

  std::vector<std::string> WeightNames() const override {
    std::vector<std::string> names;
    for (std::string& name : inner_->WeightNames()) {
      int64_t layer = 0;
      std::string_view rest;
      const bool fused_qkv = SplitLayerName(name, &layer, &rest) && rest == "attn_qkv.weight";
      if (!fused_qkv && !IsFusedGateUp(name)) {
        names.push_back(std::move(name));
        continue;
      }
      const std::string p = "blk." + std::to_string(layer) + ".";
      static constexpr const char* kQkv[] = {"attn_q", "attn_k", "attn_v"};
      static constexpr const char* kGateUp[] = {"ffn_gate", "ffn_up"};
      for (const char* part :
           fused_qkv ? std::span<const char* const>(kQkv) : std::span<const char* const>(kGateUp)) {
        names.push_back(p + part + ".weight");
      }
    }
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  // A layer's gate and up are fused when it has an ffn_up but no ffn_gate.
  bool IsFusedGateUp(std::string_view name) const {
    int64_t layer = 0;
    std::string_view rest;
    return SplitLayerName(name, &layer, &rest) && rest == "ffn_up.weight" &&
           !inner_->HasWeight("blk." + std::to_string(layer) + ".ffn_gate.weight");
  }

  std::optional<FusedPart> PartOf(std::string_view name) const {
    int64_t layer = 0;
    std::string_view rest;
    if (!SplitLayerName(name, &layer, &rest)) return std::nullopt;
    const ModelDesc& d = inner_->desc();
    const std::string p = "blk." + std::to_string(layer) + ".";
    const int64_t q = d.n_head * d.head_dim;
    const int64_t kv = d.n_head_kv * d.head_dim;
    const std::string qkv = p + "attn_qkv.weight";
    if (rest == "attn_q.weight" || rest == "attn_k.weight" || rest == "attn_v.weight") {
      if (!inner_->HasWeight(qkv)) return std::nullopt;
      const int64_t first = rest == "attn_q.weight" ? 0 : rest == "attn_k.weight" ? q : q + kv;
      return FusedPart{qkv, first, rest == "attn_q.weight" ? q : kv, q + 2 * kv};
    }
    if (rest == "ffn_gate.weight" || rest == "ffn_up.weight") {
      const std::string up = p + "ffn_up.weight";
      if (!IsFusedGateUp(up)) return std::nullopt;
      return FusedPart{up, rest == "ffn_gate.weight" ? 0 : d.n_ff, d.n_ff, 2 * d.n_ff};
    }
    return std::nullopt;
  }

  std::unique_ptr<ModelFiles> inner_;
};

}  // namespace

std::unique_ptr<ModelFiles> SplitFusedWeights(std::unique_ptr<ModelFiles> inner) {
  return std::make_unique<FusedSplitFiles>(std::move(inner));
}

}  // namespace hfd::model
