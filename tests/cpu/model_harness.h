// Shared by the forward-pass tests: loads a model on the CPU backend and gives sessions
// over it, plus the logit statistics the comparisons need.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "backends/cpu/kernels/matmul.h"
#include "engine/model/model_files.h"
#include "engine/runtime/backend.h"
#include "engine/runtime/session.h"

namespace hfd::testing {

// A model loaded on a CPU backend. Members are destroyed in reverse order: backend first.
struct LoadedModel {
  std::unique_ptr<model::ModelFiles> files;
  std::unique_ptr<runtime::Backend> backend;

  // A new session with the given context and prefill batch; fails the test on error.
  std::unique_ptr<runtime::Session> NewSession(int32_t n_ctx = 512, int32_t batch = 16,
                                               runtime::KvType kv = runtime::KvType::kF16);
};

// Opens `path` (.gguf or Hugging Face dir) on a CPU backend with `threads` threads; adds a
// test failure and returns null files on error.
LoadedModel LoadOnCpu(const std::filesystem::path& path, int threads = 0,
                      cpu::ActPrecision activations = cpu::ActPrecision::kInt8);

// log softmax of one row of logits, in float64.
std::vector<double> LogSoftmax(std::span<const float> logits);

// KL(p || q) for two rows of log-probabilities.
double KlDivergence(const std::vector<double>& log_p, const std::vector<double>& log_q);

int32_t ArgmaxOf(std::span<const float> logits);

// The two largest logits' difference.
double TopTwoGap(std::span<const float> logits);

// `bytes` as valid UTF-8, each maximal invalid subsequence replaced by U+FFFD, as Python's
// bytes.decode(errors="replace") does. An incomplete character at the very end is dropped
// instead when `drop_incomplete_tail` (the next token may complete it).
std::string Utf8Lossy(std::string_view bytes, bool drop_incomplete_tail = false);

}  // namespace hfd::testing
