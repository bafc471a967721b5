// The CPU's mixture-of-experts ops (graph.h: kMoeRoute, kMoeMatMul, kMoeWeightedSum,
// kMoeAddBias, kSigmoidGate). The expert product reads only the picked experts' weights in place,
// and computes each expert once per call over every (token, slot) routed to it, so a prefill
// streams each expert's weights once with MatMul's tiles; threads split each expert's rows.
#pragma once

#include <cstdint>
#include <vector>

#include "backends/cpu/kernels/matmul.h"
#include "engine/runtime/graph.h"
#include "hfd/status.h"

namespace hfd::cpu {

// Per token (`rows` rows of moe.n_expert logits): the top moe.top_k experts and their
// weights, written as graph.h's kMoeRoute defines (width 2 * top_k). Ties go to the lower
// expert id, so routing does not depend on the order of any sum.
void MoeRoute(const float* logits, float* routes, int64_t rows, const runtime::MoeAttrs& moe);

// Stacked experts: expert e is `rows` rows of `cols` values of `type` at experts[e].
struct ExpertWeights {
  TensorType type{};
  const std::vector<const uint8_t*>* experts = nullptr;
  int64_t rows = 0;
  int64_t cols = 0;
};

// kMoeMatMul over `n_tokens` rows: x has width `x_width` (cols, or top_k * cols), routes
// kMoeRoute's rows, y width top_k * rows. `scratch` is reused between calls (any thread
// may not share it). Errors: an expert id outside the stack, MatMul's errors.
Status MoeMatMul(Isa isa, const ExpertWeights& w, const float* x, int64_t x_width,
                 const float* routes, int32_t top_k, int64_t n_tokens, float* y, ThreadPool& pool,
                 ActPrecision precision, std::vector<float>& scratch);

// kMoeWeightedSum: y[t] = sum_s weight(t, s) * x[t] part s, parts of `width`.
void MoeWeightedSum(const float* x, const float* routes, float* y, int64_t rows, int64_t width,
                    int32_t top_k);

// kMoeAddBias: y[t] part s = x[t] part s + bias row (id s of t), parts and bias rows of
// `width` (bias: moe.n_expert rows). Errors: an expert id outside the bias rows.
Status MoeAddBias(const float* x, const float* routes, const float* bias, float* y, int64_t rows,
                  int64_t width, const runtime::MoeAttrs& moe);

// kSigmoidGate: y[t] = x[t] * sigmoid(gate[t]) over rows of `width`.
void SigmoidGate(const float* x, const float* gate, float* y, int64_t rows, int64_t width);

}  // namespace hfd::cpu
