#include "tests/backends/op_cases.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <numbers>
#include <random>

#include "engine/model/desc_from_config.h"
#include "engine/quant/half.h"
#include "engine/runtime/rope_freqs.h"
#include "engine/runtime/top_logits.h"
#include "tests/support/random_blocks.h"

namespace hfd::testing {
namespace {

#include "tests/backends/rope_scaling_reference.inc"

using runtime::OpKind;
using runtime::ValueId;
using runtime::WeightId;

// Rows of every input table: the token ids a call may name.
constexpr int32_t kTableRows = 24;

using Rows = std::vector<std::vector<double>>;  // one output row per token (or one row)
using Reference = std::function<Rows(const OpCall&)>;

// Decode (one token), a few tokens, and a prefill of 19: the CPU's register tiles (up to
// 16 tokens) with leftovers, and the Vulkan tiled matmul (from 8 tokens).
std::vector<OpCall> DecodeAndPrefill() {
  std::vector<int32_t> prefill(19);
  for (int32_t i = 0; i < 19; ++i) prefill[i] = (i * 7 + 3) % kTableRows;
  return {{0, {3}}, {1, {5, 0, 23, 2, 11}}, {6, prefill}};
}

// Consecutive positions from 0, token t at position t: a prefill, then decode steps, as a
// conversation feeds the KV cache.
std::vector<OpCall> Conversation(const std::vector<int32_t>& sizes) {
  std::vector<OpCall> calls;
  int32_t pos = 0;
  for (int32_t n : sizes) {
    OpCall call{pos, {}};
    for (int32_t i = 0; i < n; ++i) call.tokens.push_back(pos + i);
    calls.push_back(call);
    pos += n;
  }
  return calls;
}

// Float types take any row length (97: not a multiple of any SIMD width); block types three
// blocks (an odd count, so kernels that take two blocks at a time meet a leftover).
int64_t OddCols(TensorType type) {
  const int64_t block = GetTypeTraits(type)->block_elems;
  return block == 1 ? 97 : 3 * block;
}

uint32_t SeedOf(const std::string& name) {
  uint32_t h = 2166136261u;  // FNV-1a
  for (char c : name) h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
  return h;
}

// Builds one case: input tables, weights, the op, and its reference.
class CaseBuilder {
 public:
  CaseBuilder(std::string name, OpKind op, TensorType type, std::vector<OpCall> calls)
      : seed_(SeedOf(name)) {
    c_.name = std::move(name);
    c_.op = op;
    c_.type = type;
    c_.calls = std::move(calls);
    for (const OpCall& call : c_.calls) {
      c_.graph.max_tokens = std::max<int32_t>(c_.graph.max_tokens, call.tokens.size());
    }
    // Ops without attention still need a cache to compile against; a small one.
    Cache({1, 128, 1, 2, runtime::KvType::kF16});
  }

  void Cache(const runtime::KvCacheDesc& desc) {
    c_.cache = desc;
    c_.graph.n_layer = desc.n_layer;
    c_.graph.n_head_kv = desc.n_head_kv;
    c_.graph.head_dim = desc.head_dim;
  }

  // A random weight of `type` and shape {cols, rows} (rows == 1: a vector {cols}); the
  // floats it decodes to go to `decoded`.
  WeightId Weight(TensorType type, int64_t cols, int64_t rows, std::vector<float>* decoded) {
    const std::string name = c_.name + ".w" + std::to_string(c_.graph.weights.size());
    RandomMatrix m = MakeRandomMatrix(type, rows, cols, seed_++);
    std::vector<int64_t> shape = rows == 1 ? std::vector<int64_t>{cols} : std::vector{cols, rows};
    c_.graph.weights.push_back({name, type, shape});
    c_.tensors[name] = MemoryTensor{type, shape, std::move(m.bytes)};
    *decoded = std::move(m.decoded);
    return static_cast<WeightId>(c_.graph.weights.size() - 1);
  }

  // Makes weight `w` ({cols, rows * n}) a stack of n experts: shape {cols, rows, n}.
  void Stack(WeightId w, int64_t n) {
    std::vector<int64_t>& shape = c_.graph.weights[w].shape;
    shape = {shape[0], shape[1] / n, n};
    c_.tensors[c_.graph.weights[w].name].shape = shape;
  }

  // get_rows of a new random F32 table of `width` (its values go to `table`): an input of
  // the op. `plant` may edit the table first.
  ValueId Input(int64_t width, std::vector<float>* table,
                const std::function<void(std::vector<float>&)>& plant = nullptr) {
    const WeightId w = Weight(TensorType::kF32, width, kTableRows, table);
    if (plant) {
      plant(*table);
      std::memcpy(c_.tensors[c_.graph.weights[w].name].bytes.data(), table->data(),
                  table->size() * sizeof(float));
    }
    return Op(runtime::MakeOp(OpKind::kGetRows, runtime::kNone, runtime::kNone, runtime::kNone, w),
              width);
  }

  runtime::ConstId Constant(std::vector<float> values) {
    c_.graph.constants.push_back(std::move(values));
    return static_cast<runtime::ConstId>(c_.graph.constants.size() - 1);
  }

  // Appends `op` with a new output value.
  ValueId Op(runtime::Op op, int64_t width, runtime::Rows rows = runtime::Rows::kTokens,
             runtime::ValueType type = runtime::ValueType::kF32) {
    op.out = static_cast<ValueId>(c_.graph.values.size());
    c_.graph.values.push_back({std::string(runtime::OpName(op.kind)), width, rows, type});
    c_.graph.ops.push_back(op);
    return op.out;
  }

  // Makes `out` the graph's output and computes the reference of every call.
  OpCase Finish(ValueId out, runtime::GraphOutput kind, const Reference& reference,
                OpTolerance tol) {
    c_.graph.output_kind = kind;
    switch (kind) {
      case runtime::GraphOutput::kLastArgmax:
        c_.graph.argmax = out;
        break;
      case runtime::GraphOutput::kLastTopLogits:
        c_.graph.top_logits = out;
        break;
      default:
        c_.graph.logits = out;
    }
    for (const OpCall& call : c_.calls) {
      for (const std::vector<double>& row : reference(call)) {
        c_.reference.insert(c_.reference.end(), row.begin(), row.end());
      }
    }
    c_.tol = tol;
    return std::move(c_);
  }

 private:
  OpCase c_;
  uint32_t seed_;
};

// Row `token` of a table of `width` columns.
std::vector<double> RowOf(const std::vector<float>& table, int64_t width, int32_t token) {
  return {table.begin() + token * width, table.begin() + (token + 1) * width};
}

// Applies `f` to the input rows of each token of a call.
Reference PerToken(std::function<std::vector<double>(int32_t token)> f) {
  return [f = std::move(f)](const OpCall& call) {
    Rows rows;
    for (int32_t token : call.tokens) rows.push_back(f(token));
    return rows;
  };
}

bool IsFloatType(TensorType t) {
  return t == TensorType::kF32 || t == TensorType::kF16 || t == TensorType::kBF16;
}

// ---- The cases, one function per op. ----

void AddGetRows(std::vector<OpCase>& cases, TensorType type) {
  CaseBuilder b("get_rows_" + TypeName(type), OpKind::kGetRows, type, DecodeAndPrefill());
  const int64_t cols = OddCols(type);
  std::vector<float> table;
  const WeightId w = b.Weight(type, cols, kTableRows, &table);
  const ValueId out = b.Op(
      runtime::MakeOp(OpKind::kGetRows, runtime::kNone, runtime::kNone, runtime::kNone, w), cols);
  // Decoding is exact: every path reads the same numbers.
  cases.push_back(b.Finish(out, runtime::GraphOutput::kAllLogits,
                           PerToken([&](int32_t t) { return RowOf(table, cols, t); }),
                           {1e-7, 1e-7}));
}

void AddMatMul(std::vector<OpCase>& cases, TensorType type) {
  CaseBuilder b("matmul_" + TypeName(type), OpKind::kMatMul, type, DecodeAndPrefill());
  // 40 output rows: two 16-row tiles and a leftover.
  const int64_t cols = OddCols(type), rows = 40;
  std::vector<float> in;
  const ValueId x = b.Input(cols, &in);
  std::vector<float> weight;
  const WeightId w = b.Weight(type, cols, rows, &weight);
  const ValueId out =
      b.Op(runtime::MakeOp(OpKind::kMatMul, x, runtime::kNone, runtime::kNone, w), rows);
  auto ref = [&, cols](int32_t t) {
    std::vector<double> y(rows);
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t k = 0; k < cols; ++k) y[r] += double(weight[r * cols + k]) * in[t * cols + k];
    }
    return y;
  };
  // Measured (error / RMS): float weights about 1e-6; quantized weights 1-2e-2 with int8
  // activations and 5e-5 with finer ones (a kernel bug shows as 1e-1 and more).
  const OpTolerance tol = IsFloatType(type) ? OpTolerance{1e-5, 1e-5} : OpTolerance{5e-2, 2e-4};
  cases.push_back(b.Finish(out, runtime::GraphOutput::kAllLogits, PerToken(ref), tol));
}

// A projection with its bias and GELU (BERT's feed-forward up): a chain the CPU backend runs
// as one op (backends/cpu/epilogue_groups.h).
void AddMatMulBiasGelu(std::vector<OpCase>& cases, TensorType type) {
  CaseBuilder b("matmul_bias_gelu_" + TypeName(type), OpKind::kMatMul, type, DecodeAndPrefill());
  const int64_t cols = OddCols(type), rows = 40;
  std::vector<float> in, weight, bias;
  const ValueId x = b.Input(cols, &in);
  const WeightId w = b.Weight(type, cols, rows, &weight);
  const WeightId wb = b.Weight(TensorType::kF32, rows, 1, &bias);
  const ValueId product =
      b.Op(runtime::MakeOp(OpKind::kMatMul, x, runtime::kNone, runtime::kNone, w), rows);
  const ValueId biased =
      b.Op(runtime::MakeOp(OpKind::kAddBias, product, runtime::kNone, runtime::kNone, wb), rows);
  const ValueId out = b.Op(runtime::MakeOp(OpKind::kGelu, biased), rows);
  auto ref = [&, cols](int32_t t) {
    std::vector<double> y(rows);
    for (int64_t r = 0; r < rows; ++r) {
      double v = bias[r];
      for (int64_t k = 0; k < cols; ++k) v += double(weight[r * cols + k]) * in[t * cols + k];
      y[r] = 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
    }
    return y;
  };
  const OpTolerance tol = IsFloatType(type) ? OpTolerance{1e-5, 1e-5} : OpTolerance{5e-2, 2e-4};
  cases.push_back(b.Finish(out, runtime::GraphOutput::kAllLogits, PerToken(ref), tol));
}

// A projection followed by Gemma's GeGLU (the product as its up, the gate another value) or
// by soft-capping (its output head): chains the CPU backend runs as one op
// (backends/cpu/epilogue_groups.h).
void AddMatMulTanhEpilogue(std::vector<OpCase>& cases, TensorType type, OpKind epilogue) {
  CaseBuilder b("matmul_" + std::string(runtime::OpName(epilogue)) + "_" + TypeName(type),
                OpKind::kMatMul, type, DecodeAndPrefill());
  const int64_t cols = OddCols(type), rows = 40;
  // The products' RMS (uniform +-1 weights and inputs): soft-capping meets tanh's linear and
  // saturated ranges alike.
  const auto cap = static_cast<float>(std::sqrt(cols / 9.0));
  std::vector<float> in, gate, weight;
  const ValueId x = b.Input(cols, &in);
  const ValueId g = b.Input(rows, &gate);
  const WeightId w = b.Weight(type, cols, rows, &weight);
  const ValueId product =
      b.Op(runtime::MakeOp(OpKind::kMatMul, x, runtime::kNone, runtime::kNone, w), rows);
  runtime::Op op = epilogue == OpKind::kGeGLU ? runtime::MakeOp(OpKind::kGeGLU, g, product)
                                              : runtime::MakeOp(OpKind::kSoftCap, product);
  op.scalar = epilogue == OpKind::kSoftCap ? cap : 0.0f;
  const ValueId out = b.Op(op, rows);
  auto ref = [&, cols, cap, epilogue](int32_t t) {
    std::vector<double> y(rows);
    for (int64_t r = 0; r < rows; ++r) {
      double v = 0;
      for (int64_t k = 0; k < cols; ++k) v += double(weight[r * cols + k]) * in[t * cols + k];
      const double u = gate[t * rows + r];
      const double inner = std::sqrt(2 / std::numbers::pi) * (u + 0.044715 * u * u * u);
      y[r] = epilogue == OpKind::kGeGLU ? 0.5 * u * (1 + std::tanh(inner)) * v
                                        : cap * std::tanh(v / cap);
    }
    return y;
  };
  const OpTolerance tol = IsFloatType(type) ? OpTolerance{1e-5, 1e-5} : OpTolerance{5e-2, 2e-4};
  cases.push_back(b.Finish(out, runtime::GraphOutput::kAllLogits, PerToken(ref), tol));
}

void AddRmsNorm(std::vector<OpCase>& cases, TensorType type, int64_t group) {
  const int64_t width = 96;
  CaseBuilder b("rms_norm_" + TypeName(type) + (group == width ? "" : "_per_head"),
                OpKind::kRmsNorm, type, DecodeAndPrefill());
  std::vector<float> in;
  const ValueId x = b.Input(width, &in);
  std::vector<float> weight;
  const WeightId w = b.Weight(type, group, 1, &weight);
  runtime::Op op = runtime::MakeOp(OpKind::kRmsNorm, x, runtime::kNone, runtime::kNone, w);
  op.norm = {1e-5f, group};
  const ValueId out = b.Op(op, width);
  auto ref = [&, width, group](int32_t t) {
    std::vector<double> y(width);
    for (int64_t g0 = 0; g0 < width; g0 += group) {
      double ss = 0;
      for (int64_t i = 0; i < group; ++i)
        ss += double(in[t * width + g0 + i]) * in[t * width + g0 + i];
      const double scale = 1.0 / std::sqrt(ss / group + double(op.norm.eps));
      for (int64_t i = 0; i < group; ++i) y[g0 + i] = in[t * width + g0 + i] * scale * weight[i];
    }
    return y;
  };
  cases.push_back(b.Finish(out, runtime::GraphOutput::kAllLogits, PerToken(ref), {2e-6, 2e-6}));
}

// With `with_bias`, followed by its bias add, as BERT has it (a chain the CPU backend runs as
// one op: backends/cpu/epilogue_groups.h).
void AddLayerNorm(std::vector<OpCase>& cases, TensorType type, bool with_bias = false) {
  const int64_t width = 96;
  CaseBuilder b("layer_norm_" + TypeName(type) + (with_bias ? "_bias" : ""), OpKind::kLayerNorm,
                type, DecodeAndPrefill());
  std::vector<float> in;
  // An offset the mean must remove.
  const ValueId x = b.Input(width, &in, [](std::vector<float>& t) {
    for (float& v : t) v += 3.0f;
  });
  std::vector<float> weight;
  const WeightId w = b.Weight(type, width, 1, &weight);
  std::vector<float> bias(width, 0.0f);
  const WeightId wb = with_bias ? b.Weight(TensorType::kF32, width, 1, &bias) : runtime::kNone;
  runtime::Op op = runtime::MakeOp(OpKind::kLayerNorm, x, runtime::kNone, runtime::kNone, w);
  op.norm = {1e-5f, width};
  ValueId out = b.Op(op, width);
  if (with_bias) {
    out = b.Op(runtime::MakeOp(OpKind::kAddBias, out, runtime::kNone, runtime::kNone, wb), width);
  }
  auto ref = [&, width](int32_t t) {
    std::vector<double> y = RowOf(in, width, t);
    double mean = 0, var = 0;
    for (double v : y) mean += v / width;
    for (double v : y) var += (v - mean) * (v - mean) / width;
    for (int64_t i = 0; i < width; ++i) {
      y[i] = (y[i] - mean) / std::sqrt(var + double(op.norm.eps)) * weight[i] + bias[i];
    }
    return y;
  };
  cases.push_back(b.Finish(out, runtime::GraphOutput::kAllLogits, PerToken(ref), {2e-6, 2e-6}));
}

// Texts of 1, 4 and 3 tokens in one call, then one text of 5: rows by position in the
// text (fixed_row < 0) or one fixed row.
std::vector<OpCall> Texts() {
  return {{0, {3, 5, 0, 23, 2, 11, 7, 9}, {1, 4, 3}}, {0, {4, 6, 8, 10, 12}, {5}}};
}

// Added to token rows, as BERT adds them (a graph needs a get_rows of token ids).
void AddPositionRows(std::vector<OpCase>& cases, int32_t fixed_row) {
  const int64_t cols = 97;
  CaseBuilder b(fixed_row < 0 ? "position_rows" : "position_rows_fixed", OpKind::kPositionRows,
                TensorType::kF32, Texts());
  std::vector<float> in;
  const ValueId x = b.Input(cols, &in);
  std::vector<float> table;
  const WeightId w = b.Weight(TensorType::kF32, cols, kTableRows, &table);
  runtime::Op op =
      runtime::MakeOp(OpKind::kPositionRows, runtime::kNone, runtime::kNone, runtime::kNone, w);
  op.fixed_row = fixed_row;
  const ValueId rows = b.Op(op, cols);
  const ValueId out = b.Op(runtime::MakeOp(OpKind::kAdd, x, rows), cols);
  auto ref = [&, cols, fixed_row](const OpCall& call) {
    Rows out_rows;
    size_t t = 0;
    for (int32_t len : call.seq_lens) {
      for (int32_t p = 0; p < len; ++p, ++t) {
        std::vector<double> y = RowOf(in, cols, call.tokens[t]);
        const std::vector<double> r = RowOf(table, cols, fixed_row < 0 ? p : fixed_row);
        for (int64_t i = 0; i < cols; ++i) y[i] += r[i];
        out_rows.push_back(std::move(y));
      }
    }
    return out_rows;
  };
  cases.push_back(b.Finish(out, runtime::GraphOutput::kAllLogits, ref, {1e-7, 1e-7}));
}

void AddAddBias(std::vector<OpCase>& cases, TensorType type) {
  const int64_t width = 67;
  CaseBuilder b("add_bias_" + TypeName(type), OpKind::kAddBias, type, DecodeAndPrefill());
  std::vector<float> in;
  const ValueId x = b.Input(width, &in);
  std::vector<float> bias;
  const WeightId w = b.Weight(type, width, 1, &bias);
  const ValueId out =
      b.Op(runtime::MakeOp(OpKind::kAddBias, x, runtime::kNone, runtime::kNone, w), width);
  auto ref = [&, width](int32_t t) {
    std::vector<double> y = RowOf(in, width, t);
    for (int64_t i = 0; i < width; ++i) y[i] += bias[i];
    return y;
  };
  cases.push_back(b.Finish(out, runtime::GraphOutput::kAllLogits, PerToken(ref), {1e-6, 1e-6}));
}

// `row` (n_head heads of head_dim) with pair i of the first n_rot elements of each head
// (all when n_rot is 0) turned by angle(i), cos and sin times `magnitude`; the rest stays.
std::vector<double> RotateRow(std::vector<double> row, int n_head, int head_dim, bool interleaved,
                              const std::function<double(int)>& angle, double magnitude = 1.0,
                              int n_rot = 0) {
  const std::vector<double> v = row;
  const int half = (n_rot > 0 ? n_rot : head_dim) / 2;
  for (int h = 0; h < n_head; ++h) {
    for (int i = 0; i < half; ++i) {
      const int a = h * head_dim + (interleaved ? 2 * i : i);
      const int c = interleaved ? a + 1 : a + half;
      const double cs = std::cos(angle(i)) * magnitude, sn = std::sin(angle(i)) * magnitude;
      row[a] = v[a] * cs - v[c] * sn;
      row[c] = v[a] * sn + v[c] * cs;
    }
  }
  return row;
}

// kRope at pos + t, or kTextRope at each token's position within its text. n_rot <
// head_dim: partial rotary (the rest of each head copied); attn_factor scales cos and sin
// (longrope's attention factor).
void AddRope(std::vector<OpCase>& cases, runtime::RopeLayout layout, OpKind kind = OpKind::kRope,
             int32_t n_rot = 16, float attn_factor = 1.0f) {
  const int32_t n_head = 3, head_dim = 16, width = n_head * head_dim;
  const bool interleaved = layout == runtime::RopeLayout::kInterleaved;
  const bool per_text = kind == OpKind::kTextRope;
  // Positions up to 92: angles of tens of radians.
  const std::vector<OpCall> calls =
      per_text ? Texts() : std::vector<OpCall>{{0, {1, 2, 3, 4, 5}}, {5, {6}}, {90, {7, 8, 9}}};
  CaseBuilder b(std::string(per_text ? "text_" : "") +
                    (interleaved ? "rope_interleaved" : "rope_half_split") +
                    (n_rot < head_dim ? "_partial_mscale" : ""),
                kind, TensorType::kF32, calls);
  std::vector<float> in;
  const ValueId x = b.Input(width, &in);
  std::vector<float> freqs(n_rot / 2);
  for (int i = 0; i < n_rot / 2; ++i) freqs[i] = std::pow(10000.0f, -2.0f * i / n_rot);
  runtime::Op op = runtime::MakeOp(kind, x);
  op.rope = {n_head, head_dim, layout, b.Constant(freqs), n_rot, attn_factor};
  const ValueId out = b.Op(op, width);
  auto ref = [&, freqs, interleaved, per_text, n_rot, attn_factor](const OpCall& call) {
    // Each token's position: pos + t, or its place within its text.
    std::vector<int32_t> positions;
    for (int32_t len : call.seq_lens) {
      for (int32_t p = 0; p < len; ++p) positions.push_back(p);
    }
    Rows rows;
    for (size_t t = 0; t < call.tokens.size(); ++t) {
      const double position = per_text ? positions[t] : call.pos + int32_t(t);
      rows.push_back(RotateRow(
          RowOf(in, width, call.tokens[t]), n_head, head_dim, interleaved,
          [&](int i) { return position * freqs[i]; }, attn_factor, n_rot));
    }
    return rows;
  };
  cases.push_back(b.Finish(out, runtime::GraphOutput::kAllLogits, ref, {1e-5, 1e-5}));
}

// RoPE scaled as a model's config.json says (linear, yarn, dynamic NTK), at positions
// past the original context, against the frequencies and magnitude computed by
// scripts/rope_scaling_reference.py from transformers' formulas. hfd's side is what the
// graph builder makes of the config: the per-pair divisors and the op's scaling attributes.
void AddScaledRope(std::vector<OpCase>& cases, const RopeRefCase& ref) {
  constexpr int32_t width = kRopeRefHeads * kRopeRefHeadDim;
  std::vector<OpCall> calls;
  int32_t row = 0;
  for (const RopeRefCall& c : ref.calls) {
    calls.push_back({c.pos, {}});
    for (int32_t t = 0; t < c.n_tokens; ++t) calls.back().tokens.push_back(row++ % kTableRows);
  }
  CaseBuilder b(std::string("rope_") + ref.name, OpKind::kRope, TensorType::kF32, calls);
  b.Cache({1, ref.calls[2].pos + ref.calls[2].n_tokens, 1, 2, runtime::KvType::kF16});
  std::vector<float> in;
  const ValueId x = b.Input(width, &in);
  Result<model::ModelDesc> desc = model::DescFromConfig(ref.config, "");
  if (!desc.ok()) {
    std::fprintf(stderr, "rope case %s: %s\n", ref.name, desc.status().ToString().c_str());
    std::abort();
  }
  std::vector<float> freqs = runtime::RopeInvFreqs(kRopeRefHeadDim, desc->rope_theta);
  for (size_t i = 0; i < desc->rope_freq_factors.size(); ++i) {
    freqs[i] /= desc->rope_freq_factors[i];
  }
  const runtime::RopeLayout layout =
      ref.interleaved ? runtime::RopeLayout::kInterleaved : runtime::RopeLayout::kHalfSplit;
  runtime::Op op = runtime::MakeOp(OpKind::kRope, x);
  op.rope = {kRopeRefHeads, kRopeRefHeadDim, layout, b.Constant(freqs)};
  op.rope.attn_factor = desc->rope_scaling.attn_factor;
  if (desc->rope_scaling.type == model::RopeScalingType::kDynamic) {
    op.rope.ntk_factor = desc->rope_scaling.factor;
    op.rope.ntk_original_ctx = static_cast<int32_t>(desc->rope_scaling.original_max_position);
  }
  const ValueId out = b.Op(op, width);
  auto reference = [&in, &ref](const OpCall& call) {
    const RopeRefCall* c = &ref.calls[0];
    while (c->pos != call.pos) ++c;
    Rows rows;
    for (size_t t = 0; t < call.tokens.size(); ++t) {
      // float32 position times float32 frequency, as transformers computes the angle.
      const auto p = static_cast<float>(call.pos + int32_t(t));
      rows.push_back(RotateRow(
          RowOf(in, width, call.tokens[t]), kRopeRefHeads, kRopeRefHeadDim, ref.interleaved,
          [&](int i) { return double(p * c->inv_freq[i]); }, c->attn_factor));
    }
    return rows;
  };
  // hfd's frequencies are within 2 ulp of the reference's (model_test checks them at that
  // bound); at position 40000 one ulp of a frequency near 1 moves the float angle by ~4e-3.
  cases.push_back(b.Finish(out, runtime::GraphOutput::kAllLogits, reference, {5e-3, 5e-3}));
}

struct AttentionShape {
  const char* name;
  int32_t n_head, n_head_kv, head_dim, window;
  runtime::KvType kv;
  float softcap = 0.0f;
};

// kAttention over a conversation, or kTextAttention / kTextCausalAttention over Texts():
// token t attends to the keys of its text, all of them or up to itself (and the window).
void AddAttention(std::vector<OpCase>& cases, const AttentionShape& s,
                  OpKind kind = OpKind::kAttention) {
  const bool per_text = kind == OpKind::kTextAttention || kind == OpKind::kTextCausalAttention;
  const bool whole_text = kind == OpKind::kTextAttention;
  // A prefill, then decode steps and a few more tokens: later calls read keys written by
  // earlier ones. 512 positions make the Vulkan decode split its keys (flash decoding), as
  // they do the texts' second call of 5 tokens.
  CaseBuilder b(std::string(runtime::OpName(kind)) + "_" + s.name, kind, TensorType::kF32,
                per_text ? Texts() : Conversation({19, 1, 1, 3}));
  b.Cache({1, 512, s.n_head_kv, s.head_dim, s.kv});
  const int64_t q_width = int64_t{s.n_head} * s.head_dim,
                kv_width = int64_t{s.n_head_kv} * s.head_dim;
  std::vector<float> qt;
  const ValueId q = b.Input(q_width, &qt);
  std::vector<float> kt;
  const ValueId k = b.Input(kv_width, &kt);
  std::vector<float> vt;
  const ValueId v = b.Input(kv_width, &vt);
  // kSinkAttention's sinks: logits around the scores' size, so they take a real share.
  std::vector<float> sinks(s.n_head, -INFINITY);
  const WeightId sink_weight = kind == OpKind::kSinkAttention
                                   ? b.Weight(TensorType::kF32, s.n_head, 1, &sinks)
                                   : runtime::kNone;
  runtime::Op op = runtime::MakeOp(kind, q, k, v, sink_weight);
  op.attn = {0,          s.n_head, s.n_head_kv,
             s.head_dim, s.window, 1.0f / std::sqrt(static_cast<float>(s.head_dim)),
             s.softcap};
  const ValueId out = b.Op(op, q_width);
  // The cache holds what the calls wrote, rounded to its type.
  auto stored = [kv = s.kv](float x) {
    return kv == runtime::KvType::kF16 ? double(HalfToFloat(FloatToHalf(x))) : double(x);
  };
  Rows keys, values;  // what the cache holds, filled call by call
  auto ref = [&](const OpCall& call) {
    for (size_t t = 0; t < call.tokens.size(); ++t) {
      std::vector<double> kr(kv_width), vr(kv_width);
      for (int64_t i = 0; i < kv_width; ++i) {
        kr[i] = stored(kt[call.tokens[t] * kv_width + i]);
        vr[i] = stored(vt[call.tokens[t] * kv_width + i]);
      }
      keys.resize(std::max<size_t>(keys.size(), call.pos + t + 1));
      values.resize(keys.size());
      keys[call.pos + t] = kr;
      values[call.pos + t] = vr;
    }
    // Each token's text, as positions in the cache: [first, last].
    std::vector<int64_t> first(call.tokens.size(), call.pos);
    std::vector<int64_t> last(call.tokens.size(), call.pos + int64_t(call.tokens.size()) - 1);
    for (int64_t begin = 0; int32_t len : call.seq_lens) {
      std::fill_n(first.begin() + begin, len, call.pos + begin);
      std::fill_n(last.begin() + begin, len, call.pos + begin + len - 1);
      begin += len;
    }
    Rows rows;
    for (size_t t = 0; t < call.tokens.size(); ++t) {
      const int64_t p = call.pos + int64_t(t);
      int64_t lo = s.window > 0 ? std::max<int64_t>(0, p - s.window + 1) : 0;
      if (per_text) lo = std::max(lo, first[t]);
      const int64_t hi = whole_text ? last[t] : p;
      std::vector<double> y(q_width);
      for (int h = 0; h < s.n_head; ++h) {
        const int64_t kv_off = int64_t{h / (s.n_head / s.n_head_kv)} * s.head_dim;
        const float* qv = &qt[call.tokens[t] * q_width + int64_t{h} * s.head_dim];
        std::vector<double> score;
        for (int64_t j = lo; j <= hi; ++j) {
          double d = 0;
          for (int i = 0; i < s.head_dim; ++i) d += qv[i] * keys[j][kv_off + i];
          d *= op.attn.scale;
          score.push_back(s.softcap > 0 ? s.softcap * std::tanh(d / s.softcap) : d);
        }
        const double m = std::max(*std::max_element(score.begin(), score.end()), double(sinks[h]));
        double sum = std::exp(sinks[h] - m);
        for (double& e : score) sum += (e = std::exp(e - m));
        for (int64_t j = lo; j <= hi; ++j) {
          for (int i = 0; i < s.head_dim; ++i) {
            y[int64_t{h} * s.head_dim + i] += score[j - lo] / sum * values[j][kv_off + i];
          }
        }
      }
      rows.push_back(std::move(y));
    }
    return rows;
  };
  cases.push_back(b.Finish(out, runtime::GraphOutput::kAllLogits, ref, {5e-6, 5e-6}));
}

void AddElementwise(std::vector<OpCase>& cases, OpKind kind) {
  const int64_t width = 67;
  CaseBuilder b(std::string(runtime::OpName(kind)), kind, TensorType::kF32, DecodeAndPrefill());
  std::vector<float> a;
  const ValueId x0 = b.Input(width, &a);
  std::vector<float> c;
  const ValueId x1 = b.Input(width, &c);
  const ValueId out = b.Op(runtime::MakeOp(kind, x0, x1), width);
  auto ref = [&, kind, width](int32_t t) {
    std::vector<double> y(width);
    for (int64_t i = 0; i < width; ++i) {
      const double u = a[t * width + i], v = c[t * width + i];
      switch (kind) {
        case OpKind::kAdd:
          y[i] = u + v;
          break;
        case OpKind::kGeGLU: {
          const double inner = std::sqrt(2 / std::numbers::pi) * (u + 0.044715 * u * u * u);
          y[i] = 0.5 * u * (1 + std::tanh(inner)) * v;
          break;
        }
        default:  // kSwiGLU
          y[i] = u / (1 + std::exp(-u)) * v;
      }
    }
    return y;
  };
  cases.push_back(b.Finish(out, runtime::GraphOutput::kAllLogits, PerToken(ref), {1e-6, 1e-6}));
}

// kScale, kSoftCap and kGelu: one input and (but for kGelu) a scalar attribute.
void AddScalar(std::vector<OpCase>& cases, OpKind kind, float scalar) {
  const int64_t width = 67;
  CaseBuilder b(std::string(runtime::OpName(kind)), kind, TensorType::kF32, DecodeAndPrefill());
  std::vector<float> in;
  // Inputs up to +-8 against a cap of 2: tanh's saturated range, not only its linear one.
  const ValueId x = b.Input(width, &in, [](std::vector<float>& t) {
    for (float& v : t) v *= 8.0f;
  });
  runtime::Op op = runtime::MakeOp(kind, x);
  op.scalar = scalar;
  const ValueId out = b.Op(op, width);
  auto ref = [&, kind, width, scalar](int32_t t) {
    std::vector<double> y = RowOf(in, width, t);
    for (double& v : y) {
      if (kind == OpKind::kScale) v *= scalar;
      if (kind == OpKind::kSoftCap) v = scalar * std::tanh(v / scalar);
      if (kind == OpKind::kGelu) v = 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
    }
    return y;
  };
  cases.push_back(b.Finish(out, runtime::GraphOutput::kAllLogits, PerToken(ref), {1e-6, 1e-6}));
}

void AddLastRow(std::vector<OpCase>& cases) {
  const int64_t width = 33;
  CaseBuilder b("last_row", OpKind::kLastRow, TensorType::kF32, DecodeAndPrefill());
  std::vector<float> in;
  const ValueId x = b.Input(width, &in);
  const ValueId out = b.Op(runtime::MakeOp(OpKind::kLastRow, x), width, runtime::Rows::kOne);
  auto ref = [&, width](const OpCall& call) { return Rows{RowOf(in, width, call.tokens.back())}; };
  cases.push_back(b.Finish(out, runtime::GraphOutput::kLastLogits, ref, {0, 0}));
}

// Argmax and top logits read the last token's row (their graph outputs are one row), over
// rows with equal maxima planted (the lower id wins) and NaNs (ignored), one of them first.
void PlantTiesAndNaNs(std::vector<float>& table, int64_t width) {
  for (int32_t r = 0; r < kTableRows; ++r) {
    for (int64_t col : {int64_t{900}, int64_t{17} * r + 5, int64_t{40}})
      table[r * width + col] = 3.0f;
    table[r * width + 700] = 2.5f;
    table[r * width + 701] = 2.5f;
    table[r * width + 600] = NAN;
    if (r % 2 == 1) table[r * width] = NAN;  // the last tokens of the calls: 3, 11, 9
  }
}

// The ids of a row's non-NaN elements, largest first, the lower id first among equals.
std::vector<int32_t> RankedIds(const std::vector<double>& row) {
  std::vector<int32_t> ids;
  for (size_t i = 0; i < row.size(); ++i) {
    if (!std::isnan(row[i])) ids.push_back(static_cast<int32_t>(i));
  }
  std::stable_sort(ids.begin(), ids.end(), [&](int32_t a, int32_t b) { return row[a] > row[b]; });
  return ids;
}

void AddArgmax(std::vector<OpCase>& cases) {
  const int64_t width = 1001;
  CaseBuilder b("argmax", OpKind::kArgmax, TensorType::kF32, DecodeAndPrefill());
  std::vector<float> in;
  const ValueId x = b.Input(width, &in, [&](std::vector<float>& t) { PlantTiesAndNaNs(t, width); });
  const ValueId last = b.Op(runtime::MakeOp(OpKind::kLastRow, x), width, runtime::Rows::kOne);
  const ValueId out = b.Op(runtime::MakeOp(OpKind::kArgmax, last), 1, runtime::Rows::kOne,
                           runtime::ValueType::kI32);
  auto ref = [&, width](const OpCall& call) {
    return Rows{{double(RankedIds(RowOf(in, width, call.tokens.back())).front())}};
  };
  cases.push_back(b.Finish(out, runtime::GraphOutput::kLastArgmax, ref, {0, 0}));
}

void AddTopLogits(std::vector<OpCase>& cases) {
  const int64_t width = 1001;
  const int32_t k = runtime::kMaxTopLogits;
  CaseBuilder b("top_logits", OpKind::kTopLogits, TensorType::kF32, DecodeAndPrefill());
  std::vector<float> in;
  const ValueId x = b.Input(width, &in, [&](std::vector<float>& t) { PlantTiesAndNaNs(t, width); });
  const ValueId last = b.Op(runtime::MakeOp(OpKind::kLastRow, x), width, runtime::Rows::kOne);
  runtime::Op op = runtime::MakeOp(OpKind::kTopLogits, last);
  op.top_k = k;
  const ValueId out = b.Op(op, runtime::TopLogitsWidth(k), runtime::Rows::kOne);
  auto ref = [&, width, k](const OpCall& call) {
    const std::vector<double> row = RowOf(in, width, call.tokens.back());
    const std::vector<int32_t> ids = RankedIds(row);
    std::vector<double> y;
    y.reserve(runtime::TopLogitsWidth(k));
    for (int32_t i = 0; i < k; ++i) y.push_back(ids[i]);
    for (int32_t i = 0; i < k; ++i) y.push_back(row[ids[i]]);
    double sum = 0;
    for (int32_t id : ids) sum += std::exp(row[id] - row[ids[0]]);
    y.push_back(row[ids[0]] + std::log(sum));
    return Rows{y};
  };
  cases.push_back(b.Finish(out, runtime::GraphOutput::kLastTopLogits, ref, {1e-7, 1e-7}));
}

#include "tests/backends/op_cases_moe.inc"

std::vector<OpCase> BuildCases() {
  std::vector<OpCase> cases;
  for (TensorType type : AllTensorTypes()) {
    AddGetRows(cases, type);
    AddMatMul(cases, type);
  }
  for (TensorType type : {TensorType::kF32, TensorType::kF16, TensorType::kBF16}) {
    AddRmsNorm(cases, type, 96);
    AddAddBias(cases, type);
    AddLayerNorm(cases, type);
  }
  AddRmsNorm(cases, TensorType::kF32, 32);  // Qwen3's per-head q/k norm
  for (TensorType type : {TensorType::kF32, TensorType::kQ8_0}) AddMatMulBiasGelu(cases, type);
  for (TensorType type : {TensorType::kF32, TensorType::kQ6_K}) {
    AddMatMulTanhEpilogue(cases, type, OpKind::kGeGLU);
    AddMatMulTanhEpilogue(cases, type, OpKind::kSoftCap);
  }
  AddLayerNorm(cases, TensorType::kF32, true);
  AddRope(cases, runtime::RopeLayout::kInterleaved);
  AddRope(cases, runtime::RopeLayout::kHalfSplit);
  AddRope(cases, runtime::RopeLayout::kHalfSplit, OpKind::kRope, 12,
          1.19f);  // Phi-4-mini's 3/4, longrope
  AddRope(cases, runtime::RopeLayout::kInterleaved, OpKind::kRope, 12, 1.19f);
  for (const RopeRefCase& ref : kRopeRefCases) AddScaledRope(cases, ref);
  for (const AttentionShape& s :
       {AttentionShape{"gqa_f16", 4, 2, 32, 0, runtime::KvType::kF16},
        AttentionShape{"window_f32", 4, 1, 64, 5, runtime::KvType::kF32},
        AttentionShape{"window_f16", 2, 2, 128, 7, runtime::KvType::kF16},
        // Gemma 2's scores soft-capped at a cap near their size.
        AttentionShape{"softcap_window_f16", 4, 2, 64, 5, runtime::KvType::kF16, 0.5f}}) {
    AddAttention(cases, s);
  }
  AddElementwise(cases, OpKind::kSwiGLU);
  AddElementwise(cases, OpKind::kGeGLU);
  AddScalar(cases, OpKind::kScale, 11.3f);
  AddScalar(cases, OpKind::kSoftCap, 2.0f);
  AddScalar(cases, OpKind::kGelu, 0.0f);
  AddPositionRows(cases, -1);
  AddPositionRows(cases, 1);
  // Texts within one call (encoders, decoder embedders), over F16 and F32 caches.
  AddAttention(cases, {"gqa_f16", 4, 2, 32, 0, runtime::KvType::kF16}, OpKind::kTextAttention);
  AddAttention(cases, {"mha_f32", 4, 4, 32, 0, runtime::KvType::kF32}, OpKind::kTextAttention);
  AddAttention(cases, {"gqa_f16", 4, 2, 32, 0, runtime::KvType::kF16},
               OpKind::kTextCausalAttention);
  AddAttention(cases, {"window_f32", 4, 1, 64, 2, runtime::KvType::kF32},
               OpKind::kTextCausalAttention);
  AddRope(cases, runtime::RopeLayout::kHalfSplit, OpKind::kTextRope);
  AddElementwise(cases, OpKind::kAdd);
  AddLastRow(cases);
  AddArgmax(cases);
  AddTopLogits(cases);
  AddMoeCases(cases);
  return cases;
}

}  // namespace

std::vector<TensorType> AllTensorTypes() {
  std::vector<TensorType> types;
  for (uint32_t id = 0; id < 64; ++id) {
    if (IsSupportedType(static_cast<TensorType>(id))) types.push_back(static_cast<TensorType>(id));
  }
  return types;
}

const std::vector<OpCase>& AllOpCases() {
  static const std::vector<OpCase> cases = BuildCases();
  return cases;
}

}  // namespace hfd::testing
