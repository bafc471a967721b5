// A tiny model that answers in gpt-oss's harmony format, token for token, whatever the
// prompt: its analysis message "Thinking hard." and then its final answer "Hello there!":
//   <|channel|>analysis<|message|>Thinking hard.<|end|>
//   <|start|>assistant<|channel|>final<|message|>Hello there!<|return|>
// so that tests see the channels go where they belong through the whole daemon. Its
// weights are set by hand (Llama architecture, F32): the embedding of each token says which
// step of that script it is, the output matrix names the next step's token, and one
// attention head with zero queries and keys averages over the context whether "Thinking"
// was said yet, which decides the two steps that repeat (<|channel|> then analysis or
// final, <|message|> then Thinking or Hello). It holds for contexts of 4 to about 3000
// tokens, greedy or with any sampling that keeps the most likely token.
#pragma once

#include <string>

#include "hfd/status.h"

namespace hfd::serve::testing {

inline constexpr const char* kHarmonyThinking = "Thinking hard.";
inline constexpr const char* kHarmonyAnswer = "Hello there!";
// The scripted generation is 14 tokens, the last <|return|>.
inline constexpr int kHarmonyReturn = 261;

inline constexpr int kHarmonyScriptTokens = 14;

// The GGUF file's bytes: a byte-level vocabulary with harmony's markers as control tokens,
// <|return|> as its end of sequence, and gpt-oss-20b's chat template
// (tests/chat/testdata/gpt-oss-20b).
Result<std::string> HarmonyTestModelBytes();

}  // namespace hfd::serve::testing
