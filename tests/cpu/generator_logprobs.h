// Checks Generate's log-probabilities on a backend: asking for them leaves the tokens as
// they were (greedy and seeded sampling), and each token's logprob and alternatives are
// log-softmax of the logits Session::Feed gives for the same tokens, one at a time.
// Shared by the CPU and Vulkan tests.
#pragma once

#include <filesystem>

#include "engine/runtime/backend.h"

namespace hfd::testing {

// Runs the checks on `model` (a .gguf with its tokenizer) loaded on `backend`, with
// gtest assertions.
void CheckGeneratorLogprobs(runtime::Backend& backend, const std::filesystem::path& model);

}  // namespace hfd::testing
