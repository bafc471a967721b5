#include "engine/runtime/graph.h"

namespace hfd::runtime {

std::string_view OpName(OpKind kind) {
  switch (kind) {
    case OpKind::kGetRows:
      return "get_rows";
    case OpKind::kRmsNorm:
      return "rms_norm";
    case OpKind::kMatMul:
      return "matmul";
    case OpKind::kAddBias:
      return "add_bias";
    case OpKind::kRope:
      return "rope";
    case OpKind::kAttention:
      return "attention";
    case OpKind::kSwiGLU:
      return "swiglu";
    case OpKind::kGeGLU:
      return "geglu";
    case OpKind::kScale:
      return "scale";
    case OpKind::kSoftCap:
      return "softcap";
    case OpKind::kAdd:
      return "add";
    case OpKind::kLastRow:
      return "last_row";
    case OpKind::kArgmax:
      return "argmax";
    case OpKind::kTopLogits:
      return "top_logits";
    case OpKind::kLayerNorm:
      return "layer_norm";
    case OpKind::kGelu:
      return "gelu";
    case OpKind::kPositionRows:
      return "position_rows";
    case OpKind::kTextAttention:
      return "text_attention";
    case OpKind::kTextRope:
      return "text_rope";
    case OpKind::kTextCausalAttention:
      return "text_causal_attention";
    case OpKind::kMoeRoute:
      return "moe_route";
    case OpKind::kMoeMatMul:
      return "moe_matmul";
    case OpKind::kMoeWeightedSum:
      return "moe_weighted_sum";
    case OpKind::kSigmoidGate:
      return "sigmoid_gate";
    case OpKind::kSinkAttention:
      return "sink_attention";
    case OpKind::kClampedSwiGLU:
      return "clamped_swiglu";
    case OpKind::kMoeAddBias:
      return "moe_add_bias";
  }
  return "unknown";
}

}  // namespace hfd::runtime
