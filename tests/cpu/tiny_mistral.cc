#include "tests/cpu/tiny_mistral.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

namespace hfd::testing {

TinyMistral::TinyMistral(const TinyMistralConfig& c, uint32_t seed) : c_(c) {
  std::mt19937 rng(seed);
  auto add = [&](const std::string& name, std::vector<int64_t> shape, float scale, float mean) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    std::normal_distribution<float> dist(mean, scale);
    std::vector<float> v(n);
    for (float& x : v) x = dist(rng);
    tensors_[name] = {std::move(shape), std::move(v)};
  };
  const int q = c.heads * c.head_dim, kv = c.kv_heads * c.head_dim;
  const float s_in = 1.0f / std::sqrt(static_cast<float>(c.hidden));
  add("model.embed_tokens.weight", {c.vocab, c.hidden}, 1.0f, 0.0f);
  add("lm_head.weight", {c.vocab, c.hidden}, s_in, 0.0f);
  add("model.norm.weight", {c.hidden}, 0.1f, 1.0f);
  for (int l = 0; l < c.layers; ++l) {
    const std::string p = "model.layers." + std::to_string(l) + ".";
    add(p + "input_layernorm.weight", {c.hidden}, 0.1f, 1.0f);
    add(p + "post_attention_layernorm.weight", {c.hidden}, 0.1f, 1.0f);
    // Large query/key weights make attention peaked, so masking a position changes logits.
    add(p + "self_attn.q_proj.weight", {q, c.hidden}, 2.0f * s_in, 0.0f);
    add(p + "self_attn.k_proj.weight", {kv, c.hidden}, 2.0f * s_in, 0.0f);
    add(p + "self_attn.v_proj.weight", {kv, c.hidden}, s_in, 0.0f);
    add(p + "self_attn.o_proj.weight", {c.hidden, q}, 1.0f / std::sqrt(static_cast<float>(q)),
        0.0f);
    add(p + "mlp.gate_proj.weight", {c.ffn, c.hidden}, s_in, 0.0f);
    add(p + "mlp.up_proj.weight", {c.ffn, c.hidden}, s_in, 0.0f);
    add(p + "mlp.down_proj.weight", {c.hidden, c.ffn}, 1.0f / std::sqrt(static_cast<float>(c.ffn)),
        0.0f);
  }
}

void TinyMistral::WriteHfDir(const std::filesystem::path& dir) const {
  nlohmann::json config = {
      {"architectures", {"MistralForCausalLM"}},
      {"model_type", "mistral"},
      {"vocab_size", c_.vocab},
      {"hidden_size", c_.hidden},
      {"intermediate_size", c_.ffn},
      {"num_hidden_layers", c_.layers},
      {"num_attention_heads", c_.heads},
      {"num_key_value_heads", c_.kv_heads},
      {"head_dim", c_.head_dim},
      {"max_position_embeddings", c_.max_positions},
      {"rms_norm_eps", c_.rms_eps},
      {"rope_theta", c_.rope_theta},
      {"sliding_window", c_.sliding_window},
      {"tie_word_embeddings", false},
      {"bos_token_id", 1},
      {"eos_token_id", 2},
      {"torch_dtype", "float32"},
  };
  std::ofstream(dir / "config.json") << config.dump(2);

  WriteF32Safetensors(dir / "model.safetensors", tensors_);
}

std::vector<double> TinyMistral::Linear(const std::string& name, const std::vector<double>& x,
                                        int out) const {
  const std::vector<float>& w = W(name);
  const size_t in = x.size();
  std::vector<double> y(out, 0.0);
  for (int r = 0; r < out; ++r) {
    for (size_t i = 0; i < in; ++i) y[r] += double{w[r * in + i]} * x[i];
  }
  return y;
}

std::vector<double> TinyMistral::RmsNorm(const std::string& name,
                                         const std::vector<double>& x) const {
  double ss = 0.0;
  for (double v : x) ss += v * v;
  const double scale = 1.0 / std::sqrt(ss / x.size() + c_.rms_eps);
  std::vector<double> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] * scale * W(name)[i];
  return y;
}

// Hugging Face's rotate_half: pairs (i, i + head_dim/2).
void TinyMistral::Rope(std::vector<double>& x, int n_head, int pos) const {
  const int half = c_.head_dim / 2;
  for (int h = 0; h < n_head; ++h) {
    for (int i = 0; i < half; ++i) {
      const double angle = pos * std::pow(c_.rope_theta, -2.0 * i / c_.head_dim);
      double& a = x[h * c_.head_dim + i];
      double& b = x[h * c_.head_dim + i + half];
      const double a0 = a, b0 = b;
      a = a0 * std::cos(angle) - b0 * std::sin(angle);
      b = a0 * std::sin(angle) + b0 * std::cos(angle);
    }
  }
}

std::vector<double> TinyMistral::ReferenceLogits(const std::vector<int32_t>& tokens) const {
  const int n = static_cast<int>(tokens.size());
  const int q_width = c_.heads * c_.head_dim, kv_width = c_.kv_heads * c_.head_dim;
  std::vector<std::vector<double>> x(n, std::vector<double>(c_.hidden));
  for (int t = 0; t < n; ++t) {
    for (int i = 0; i < c_.hidden; ++i)
      x[t][i] = W("model.embed_tokens.weight")[tokens[t] * c_.hidden + i];
  }
  for (int l = 0; l < c_.layers; ++l) {
    const std::string p = "model.layers." + std::to_string(l) + ".";
    std::vector<std::vector<double>> q(n), k(n), v(n);
    for (int t = 0; t < n; ++t) {
      const std::vector<double> h = RmsNorm(p + "input_layernorm.weight", x[t]);
      q[t] = Linear(p + "self_attn.q_proj.weight", h, q_width);
      k[t] = Linear(p + "self_attn.k_proj.weight", h, kv_width);
      v[t] = Linear(p + "self_attn.v_proj.weight", h, kv_width);
      Rope(q[t], c_.heads, t);
      Rope(k[t], c_.kv_heads, t);
    }
    for (int t = 0; t < n; ++t) {
      std::vector<double> attn(q_width, 0.0);
      const int lo = std::max(0, t - c_.sliding_window + 1);
      for (int h = 0; h < c_.heads; ++h) {
        const int kvh = h / (c_.heads / c_.kv_heads);
        std::vector<double> w;
        double mx = -INFINITY;
        for (int j = lo; j <= t; ++j) {
          double s = 0.0;
          for (int i = 0; i < c_.head_dim; ++i) {
            s += q[t][h * c_.head_dim + i] * k[j][kvh * c_.head_dim + i];
          }
          w.push_back(s / std::sqrt(static_cast<double>(c_.head_dim)));
          mx = std::max(mx, w.back());
        }
        double sum = 0.0;
        for (double& e : w) sum += (e = std::exp(e - mx));
        for (int j = lo; j <= t; ++j) {
          for (int i = 0; i < c_.head_dim; ++i) {
            attn[h * c_.head_dim + i] += w[j - lo] / sum * v[j][kvh * c_.head_dim + i];
          }
        }
      }
      const std::vector<double> o = Linear(p + "self_attn.o_proj.weight", attn, c_.hidden);
      for (int i = 0; i < c_.hidden; ++i) x[t][i] += o[i];
      const std::vector<double> h = RmsNorm(p + "post_attention_layernorm.weight", x[t]);
      const std::vector<double> g = Linear(p + "mlp.gate_proj.weight", h, c_.ffn);
      std::vector<double> u = Linear(p + "mlp.up_proj.weight", h, c_.ffn);
      for (int i = 0; i < c_.ffn; ++i) u[i] *= g[i] / (1.0 + std::exp(-g[i]));
      const std::vector<double> d = Linear(p + "mlp.down_proj.weight", u, c_.hidden);
      for (int i = 0; i < c_.hidden; ++i) x[t][i] += d[i];
    }
  }
  std::vector<double> logits;
  for (int t = 0; t < n; ++t) {
    const std::vector<double> row =
        Linear("lm_head.weight", RmsNorm("model.norm.weight", x[t]), c_.vocab);
    logits.insert(logits.end(), row.begin(), row.end());
  }
  return logits;
}

}  // namespace hfd::testing
