#include "bench/synthetic_model.h"

#include <cstring>
#include <random>

#include <fmt/format.h>

#include "engine/gguf/gguf_writer.h"
#include "engine/quant/dequantize.h"

namespace hfd::bench {

namespace {

constexpr int64_t kPoolRows = 16;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// llama.cpp's use_more_bits(i_layer, n_layers).
bool UseMoreBits(int64_t layer, int64_t n_layer) {
  return layer < n_layer / 8 || layer >= 7 * n_layer / 8 || (layer - n_layer / 8) % 3 == 2;
}

int64_t LayerOf(std::string_view tensor) {
  if (tensor.substr(0, 4) != "blk.") return -1;
  return std::stoll(std::string(tensor.substr(4, tensor.find('.', 4) - 4)));
}

// llama.cpp's fallback when a row does not divide into 256-value super-blocks.
TensorType Fallback(TensorType type, int64_t row_length) {
  if (row_length % 256 == 0) return type;
  if (type == TensorType::kQ6_K) return TensorType::kQ8_0;
  if (type == TensorType::kQ4_K) return TensorType::kQ5_0;
  return type;
}

}  // namespace

const std::vector<ModelShape>& KnownShapes() {
  static const std::vector<ModelShape> shapes = {
      {"tinyllama-1.1b", "llama", 32000, 2048, 22, 32, 4, 64, 5632, 10000.0, 1e-5, false, false,
       0.0},
      {"llama-3.2-1b", "llama", 128256, 2048, 16, 32, 8, 64, 8192, 500000.0, 1e-5, true, false,
       32.0},
      {"qwen2.5-0.5b", "qwen2", 151936, 896, 24, 14, 2, 64, 4864, 1000000.0, 1e-6, true, true, 0.0},
  };
  return shapes;
}

Result<ModelShape> ShapeByName(std::string_view name) {
  for (const ModelShape& s : KnownShapes()) {
    if (s.name == name) return s;
  }
  return NotFound(
      fmt::format("no synthetic shape named {}; known: tinyllama-1.1b, "
                  "llama-3.2-1b, qwen2.5-0.5b",
                  name));
}

Result<TensorType> TypeFor(const ModelShape& shape, std::string_view mix, std::string_view tensor,
                           int64_t row_length) {
  const bool head =
      tensor == "output.weight" || (shape.tied_embeddings && tensor == "token_embd.weight");
  if (mix == "F16") return TensorType::kF16;
  if (mix == "Q8_0") return TensorType::kQ8_0;
  if (mix == "Q4_0") return head ? Fallback(TensorType::kQ6_K, row_length) : TensorType::kQ4_0;
  if (mix == "Q4_K_M") {
    TensorType type = TensorType::kQ4_K;
    const int64_t layer = LayerOf(tensor);
    if (head) {
      type = TensorType::kQ6_K;
    } else if ((EndsWith(tensor, "attn_v.weight") || EndsWith(tensor, "ffn_down.weight")) &&
               UseMoreBits(layer, shape.n_layer)) {
      type = TensorType::kQ6_K;
    }
    return Fallback(type, row_length);
  }
  return InvalidArgument(fmt::format("unknown weight mix {}; use F16, Q8_0, Q4_0 or Q4_K_M", mix));
}

Status WriteSyntheticModel(const ModelShape& s, std::string_view mix,
                           const std::filesystem::path& path, uint32_t seed,
                           const std::function<void(gguf::GgufWriter&)>& add_metadata) {
  gguf::GgufWriter w;
  const std::string a = s.arch;
  w.AddString("general.architecture", a);
  w.AddString("general.name", fmt::format("synthetic {} {}", s.name, mix));
  w.AddU32(a + ".context_length", 4096);
  w.AddU32(a + ".embedding_length", static_cast<uint32_t>(s.n_embd));
  w.AddU32(a + ".block_count", static_cast<uint32_t>(s.n_layer));
  w.AddU32(a + ".feed_forward_length", static_cast<uint32_t>(s.n_ff));
  w.AddU32(a + ".attention.head_count", static_cast<uint32_t>(s.n_head));
  w.AddU32(a + ".attention.head_count_kv", static_cast<uint32_t>(s.n_head_kv));
  w.AddU32(a + ".rope.dimension_count", static_cast<uint32_t>(s.head_dim));
  w.AddU32(a + ".vocab_size", static_cast<uint32_t>(s.n_vocab));
  w.AddF32(a + ".rope.freq_base", static_cast<float>(s.rope_theta));
  w.AddF32(a + ".attention.layer_norm_rms_epsilon", static_cast<float>(s.rms_eps));

  std::mt19937 rng(seed);
  // A quantized matrix: kPoolRows random rows encoded once, repeated to fill the tensor.
  const auto matrix = [&](const std::string& name, int64_t cols, int64_t rows) -> Status {
    HFD_ASSIGN_OR_RETURN(TensorType type, TypeFor(s, mix, name, cols));
    const int64_t row_bytes = RowBytes(type, cols);
    auto pool = std::make_shared<std::vector<uint8_t>>(row_bytes * kPoolRows);
    std::normal_distribution<float> dist(0.0f, 0.02f);
    std::vector<float> row(cols);
    for (int64_t r = 0; r < kPoolRows; ++r) {
      for (float& x : row) x = dist(rng);
      HFD_RETURN_IF_ERROR(QuantizeRow(type, row.data(), pool->data() + r * row_bytes, cols));
    }
    w.AddTensor(name, type, {cols, rows}, [pool, row_bytes, rows](uint8_t* dst, uint64_t) {
      for (int64_t r = 0; r < rows; ++r) {
        std::memcpy(dst + r * row_bytes, pool->data() + (r % kPoolRows) * row_bytes, row_bytes);
      }
      return Status::Ok();
    });
    return Status::Ok();
  };
  const auto vector = [&](const std::string& name, int64_t n, float value) {
    std::vector<uint8_t> bytes(n * sizeof(float));
    for (int64_t i = 0; i < n; ++i) std::memcpy(bytes.data() + i * 4, &value, 4);
    w.AddTensor(name, TensorType::kF32, {n}, std::move(bytes));
  };

  const int64_t q = s.n_head * s.head_dim, kv = s.n_head_kv * s.head_dim;
  HFD_RETURN_IF_ERROR(matrix("token_embd.weight", s.n_embd, s.n_vocab));
  if (!s.tied_embeddings) HFD_RETURN_IF_ERROR(matrix("output.weight", s.n_embd, s.n_vocab));
  vector("output_norm.weight", s.n_embd, 1.0f);
  if (s.llama3_rope_factor > 0) {
    // llama.cpp stores llama3 scaling as per-frequency divisors; ones keep the bench simple.
    vector("rope_freqs.weight", s.head_dim / 2, 1.0f);
  }
  for (int64_t l = 0; l < s.n_layer; ++l) {
    const std::string p = fmt::format("blk.{}.", l);
    vector(p + "attn_norm.weight", s.n_embd, 1.0f);
    vector(p + "ffn_norm.weight", s.n_embd, 1.0f);
    HFD_RETURN_IF_ERROR(matrix(p + "attn_q.weight", s.n_embd, q));
    HFD_RETURN_IF_ERROR(matrix(p + "attn_k.weight", s.n_embd, kv));
    HFD_RETURN_IF_ERROR(matrix(p + "attn_v.weight", s.n_embd, kv));
    HFD_RETURN_IF_ERROR(matrix(p + "attn_output.weight", q, s.n_embd));
    if (s.qkv_bias) {
      vector(p + "attn_q.bias", q, 0.01f);
      vector(p + "attn_k.bias", kv, 0.01f);
      vector(p + "attn_v.bias", kv, 0.01f);
    }
    HFD_RETURN_IF_ERROR(matrix(p + "ffn_gate.weight", s.n_embd, s.n_ff));
    HFD_RETURN_IF_ERROR(matrix(p + "ffn_up.weight", s.n_embd, s.n_ff));
    HFD_RETURN_IF_ERROR(matrix(p + "ffn_down.weight", s.n_ff, s.n_embd));
  }
  if (add_metadata) add_metadata(w);
  return w.Write(path);
}

}  // namespace hfd::bench
