// Filling a TokenizerModel's Unigram parts, from tokenizer.json or from GGUF metadata.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/tokenizer/tokenizer_model.h"
#include "include/hfd/status.h"

namespace hfd::tok {

// tokenizer.json's "model": {"type": "Unigram", "vocab": [[piece, score], ...], "unk_id",
// "byte_fallback"}: fills the vocabulary (ids are list positions), its index, unk_id and
// the Unigram model (byte_fallback is read with the other model options). Every piece takes part in
// segmentation, as in Hugging Face tokenizers.
Status ReadUnigramJson(const nlohmann::json& model, TokenizerModel& m);

// Sets kind and the Unigram model over the filled vocabulary. The unknown token is
// required: sentencepiece emits it for characters no piece covers.
Status UseUnigram(TokenizerModel& m, const std::vector<float>& scores,
                  const std::vector<uint8_t>& usable);

}  // namespace hfd::tok
