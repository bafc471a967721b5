#include "engine/model/fused_weights.h"

#include <charconv>

#include "engine/quant/tensor_type.h"

namespace hfd::model {

std::optional<FusedPart> FusedPartOf(std::string_view name, const ModelDesc& d) {
  if (d.arch != Architecture::kNomicBert || !name.starts_with("blk.")) return std::nullopt;
  const std::string_view rest = name.substr(4);
  int layer = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), layer);
  if (ec != std::errc() || end == rest.data()) return std::nullopt;
  const std::string_view part = rest.substr(static_cast<size_t>(end - rest.data()));
  const int64_t q_rows = d.n_head * d.head_dim;
  const int64_t kv_rows = d.n_head_kv * d.head_dim;
  const std::string fused = "blk." + std::to_string(layer) + ".attn_qkv.weight";
  if (part == ".attn_q.weight") return FusedPart{fused, 0, q_rows};
  if (part == ".attn_k.weight") return FusedPart{fused, q_rows, kv_rows};
  if (part == ".attn_v.weight") return FusedPart{fused, q_rows + kv_rows, kv_rows};
  return std::nullopt;
}

Result<WeightView> SliceRows(const WeightView& fused, const FusedPart& part) {
  if (fused.shape.size() != 2 || part.first_row + part.rows > fused.shape[1]) {
    return Corrupt("weight " + part.fused + " has too few rows for the projections it fuses");
  }
  const auto row_bytes = static_cast<uint64_t>(RowBytes(fused.type, fused.shape[0]));
  return WeightView{fused.type,
                    {fused.shape[0], part.rows},
                    fused.data + static_cast<uint64_t>(part.first_row) * row_bytes,
                    static_cast<uint64_t>(part.rows) * row_bytes};
}

}  // namespace hfd::model
