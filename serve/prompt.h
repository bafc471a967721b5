// A request's text made into prompt tokens: a raw prompt, or chat messages rendered with
// the model's chat template; and the ids that end a generation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hfd/status.h"
#include "serve/model_text.h"

namespace hfd::serve {

// `prompt` tokenized; the tokenizer's BOS/EOS are added unless `raw`.
std::vector<int32_t> TextPromptTokens(const ModelText& text, const std::string& prompt, bool raw);

// `messages` rendered with the generation prompt (plus `variables`, an object or null)
// and tokenized. Special tokens written by the template are recognized; BOS is added only
// when the tokenizer wants one and the template did not write it. NotFound when the model
// has no chat template.
Result<std::vector<int32_t>> ChatPromptTokens(const ModelText& text, const nlohmann::json& messages,
                                              const nlohmann::json& variables);

// Text `index` of an embed request tokenized with the tokenizer's specials (BERT's CLS and
// SEP). Longer than `ctx`: cut to ctx tokens keeping a closing special token when
// `truncate`, else InvalidArgument naming the text and the lengths. InvalidArgument for a
// text with no tokens.
Result<std::vector<int32_t>> EmbedInputTokens(const ModelText& text, const std::string& input,
                                              size_t index, int32_t ctx, bool truncate);

// The tokenizer's end-of-sequence ids plus the end-of-turn tokens of common chat
// templates (<|im_end|>, <|eot_id|>, <|end|>, <end_of_turn>) that its vocabulary has; for a
// harmony model (gpt-oss), <|return|> and <|call|> instead of <|end|>.
std::vector<int32_t> ChatStopIds(const tok::Tokenizer& tokenizer);

}  // namespace hfd::serve
