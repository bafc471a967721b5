// Reading the parts of tokenizer.json, tokenizer_config.json and generation_config.json
// that configure a TokenizerModel (everything but the vocabulary and merges).
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/tokenizer/hf_json.h"
#include "engine/tokenizer/tokenizer_model.h"
#include "include/hfd/status.h"

namespace hfd::tok {

// Refuses model types other than BPE (WordPiece, Unigram, ...) with a clear error.
Status CheckModelType(const nlohmann::json& doc);

// normalizer, pre_tokenizer, decoder and model options: picks the model kind and the
// pre-tokenizer; anything hfd cannot reproduce exactly is an Unsupported error naming it.
Status ReadPipeline(const nlohmann::json& doc, TokenizerModel& m);

// added_tokens: content, id and the special/lstrip/rstrip flags; vocab must be filled.
Status ReadAddedTokens(const nlohmann::json& doc, TokenizerModel& m);

// add_bos_token/add_eos_token, bos/eos/unk/pad tokens, added_tokens_decoder.
Status ApplyTokenizerConfig(std::string_view text, TokenizerModel& m);

// eos_token_id (a number or a list) and bos_token_id.
Status ApplyGenerationConfig(std::string_view text, TokenizerModel& m);

}  // namespace hfd::tok
