// The demo model of the README's quick start: Llama architecture, ~29M random weights in
// Q8_0 (it prints gibberish, quickly), GPT-2's real BPE vocabulary plus the ChatML
// control tokens <|im_start|> and <|im_end|>, and a ChatML chat template, so `hfctl run`
// and the interactive chat work end to end on a machine with no network.
#pragma once

#include <filesystem>

#include "engine/model/model_desc.h"
#include "hfd/status.h"

namespace hfd::demo {

// The ChatML template the demo model carries (as Qwen2 and many others use).
extern const char* const kChatMlTemplate;

// The shape of the demo model for a vocabulary of `n_vocab` tokens.
model::ModelDesc DemoDesc(int64_t n_vocab, int32_t bos_id, int32_t eos_id);

// Writes the demo model to `out`, taking the tokenizer from the vocabulary-only GGUF file
// `vocab` (llama.cpp's ggml-vocab-gpt-2.gguf). Deterministic: the same inputs give the
// same bytes, so the test Hub serves the same commit every time.
Status WriteDemoModel(const std::filesystem::path& vocab, const std::filesystem::path& out);

}  // namespace hfd::demo
