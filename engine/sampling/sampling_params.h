// Parameters of token sampling and stopping, with validation that explains bad values.
// Defaults follow llama.cpp's command-line defaults.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hfd/status.h"

namespace hfd::sampling {

struct SamplingParams {
  // 0 picks the most likely token (greedy); otherwise logits are divided by it. [0, 100]
  float temperature = 0.8f;
  // Keep only the k most likely tokens; 0 keeps all. >= 0
  int32_t top_k = 40;
  // Keep the smallest set of most likely tokens whose probability reaches top_p. (0, 1]
  float top_p = 0.95f;
  // Drop tokens less likely than min_p times the most likely one; 0 disables. [0, 1]
  float min_p = 0.05f;
  // Penalties over the last `penalty_last_n` tokens of prompt + generated text (see
  // docs/sampling.md): a positive logit is divided by repetition_penalty, a negative one
  // multiplied (1 disables, > 0); presence_penalty is subtracted once from every token
  // that occurs there, frequency_penalty once per occurrence ([-2, 2] each).
  float repetition_penalty = 1.0f;
  float presence_penalty = 0.0f;
  float frequency_penalty = 0.0f;
  // How many of the most recent tokens the penalties look at: 0 none, -1 all. >= -1
  int32_t penalty_last_n = 64;
  // Same seed, same logits: same tokens. Absent: seeded from the system's entropy.
  std::optional<uint64_t> seed;
  // Generation stops after this many tokens; -1 means at the context limit. >= -1
  int32_t max_tokens = -1;
  // Generation stops before any of these strings; they are not part of the output.
  std::vector<std::string> stop;
};

// The most stop strings and the longest one a request may give.
inline constexpr size_t kMaxStopStrings = 16;
inline constexpr size_t kMaxStopStringBytes = 256;

// OK, or InvalidArgument naming the parameter, its value and the allowed range.
Status Validate(const SamplingParams& params);

}  // namespace hfd::sampling
