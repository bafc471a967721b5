// The most likely entries of a logits row and the row's logsumexp: what a token's
// log-probability (logit - logsumexp) and its likeliest alternatives are computed from.
// FindTopLogits is the op's CPU definition (graph.h, OpKind::kTopLogits): the CPU backend
// runs it for the op and the generator on a logits row it already holds; the Vulkan
// shader top_logits.comp computes the same on the device.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace hfd::runtime {

// The most alternatives a request may ask for (OpenAI's top_logprobs limit). The top-logits
// decode graph always computes this many.
inline constexpr int32_t kMaxTopLogits = 20;

// Floats in the op's output row for `k` entries: k ids (as floats, exact below 2^24), their
// k logits, then the logsumexp.
constexpr int64_t TopLogitsWidth(int32_t k) { return 2 * int64_t{k} + 1; }

struct TopLogits {
  std::vector<int32_t> ids;   // best first; the lower id first among equal logits
  std::vector<float> logits;  // the logits of `ids`
  float logsumexp = 0.0f;     // log of the sum of exp(logit) over the whole row
};

// The `k` (>= 0) largest entries of `row` and its logsumexp, in float with the row's
// maximum subtracted before exp. NaN entries are ignored; fewer than k entries come back
// when fewer remain.
TopLogits FindTopLogits(std::span<const float> row, int32_t k);

// The op's output row for `top` (TopLogitsWidth(k) floats); missing entries get id -1 and
// logit -inf.
void PackTopLogits(const TopLogits& top, int32_t k, std::span<float> out);
// The inverse of PackTopLogits, dropping missing entries.
TopLogits UnpackTopLogits(std::span<const float> packed, int32_t k);

}  // namespace hfd::runtime
