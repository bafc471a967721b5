// A tiny random Mistral-architecture model for tests that have no public fixture
// (sliding-window attention): written as a Hugging Face directory (config.json + F32
// model.safetensors) for the engine to load, with a float64 forward pass of our own as
// the reference.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/support/safetensors_writer.h"

namespace hfd::testing {

struct TinyMistralConfig {
  int vocab = 96;
  int hidden = 32;
  int layers = 2;
  int heads = 4;
  int kv_heads = 2;
  int head_dim = 8;
  int ffn = 48;
  int sliding_window = 6;
  double rope_theta = 10000.0;
  double rms_eps = 1e-5;
  int max_positions = 256;
};

class TinyMistral {
 public:
  // Random weights from `seed` (normal, scaled so activations stay O(1)).
  TinyMistral(const TinyMistralConfig& config, uint32_t seed);

  // Writes config.json and model.safetensors (F32, Hugging Face tensor names) into `dir`.
  void WriteHfDir(const std::filesystem::path& dir) const;

  // Logits after every token of `tokens` (rows × vocab), computed in float64 with causal
  // attention restricted to the last `sliding_window` positions.
  std::vector<double> ReferenceLogits(const std::vector<int32_t>& tokens) const;

 private:
  const std::vector<float>& W(const std::string& name) const { return tensors_.at(name).data; }
  // y = W x for a Hugging Face [out][in] matrix.
  std::vector<double> Linear(const std::string& name, const std::vector<double>& x, int out) const;
  std::vector<double> RmsNorm(const std::string& name, const std::vector<double>& x) const;
  void Rope(std::vector<double>& x, int n_head, int pos) const;

  TinyMistralConfig c_;
  std::map<std::string, F32Tensor> tensors_;  // HF name -> shape and row-major data
};

}  // namespace hfd::testing
