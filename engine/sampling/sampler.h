// Chooses the next token from a model's logits: penalties, then greedy or temperature,
// top-k, top-p and min-p (in that order, as transformers applies them), then a draw from
// the seeded generator. Pure CPU code; one Sampler per generation, used from one thread.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "engine/sampling/rng.h"
#include "engine/sampling/sampling_params.h"
#include "hfd/status.h"

namespace hfd::sampling {

class Sampler {
 public:
  // Validates `params`; the sampler keeps a copy.
  static Result<Sampler> Create(const SamplingParams& params);

  // Picks a token id from `logits` (one per vocabulary entry; modified in place by the
  // penalties). `history` is the prompt followed by the tokens generated so far; the
  // penalties look at its last penalty_last_n entries. Ids outside the vocabulary in
  // `history` are ignored. Fails only for an empty or all-NaN `logits`.
  Result<int32_t> Sample(std::span<float> logits, std::span<const int32_t> history);

  const SamplingParams& params() const { return params_; }

  // A token still in the running: its (temperature-scaled) logit and probability.
  struct Candidate {
    int32_t id;
    float logit;
    float p;
  };

 private:
  explicit Sampler(const SamplingParams& params);
  void ApplyPenalties(std::span<float> logits, std::span<const int32_t> history);
  // Keeps the k best candidates sorted best first, or all (unsorted) when k is 0 or not
  // smaller than the vocabulary; scales their logits by 1 / temperature.
  void TopK(std::span<const float> logits);
  void Softmax();
  void TopP();
  void MinP();
  int32_t Draw();

  SamplingParams params_;
  Rng rng_;
  std::vector<Candidate> candidates_;  // reused across calls
  std::vector<int32_t> window_;        // reused across calls
  bool sorted_ = false;                // candidates_ sorted by logit, best first
};

// The index of the largest logit that is not NaN (the lowest index among equals); -1 if
// every one is NaN.
int32_t Argmax(std::span<const float> logits);

}  // namespace hfd::sampling
