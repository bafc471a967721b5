// tokenizer.json models of whole words: WordPiece (BERT) and WordLevel.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/tokenizer/tokenizer_model.h"
#include "include/hfd/status.h"

namespace hfd::tok {

bool IsWordModelType(std::string_view type);

// The model's kind and options (unk_token, continuing_subword_prefix,
// max_input_chars_per_word) and the WordPiece decoder's cleanup flag. The vocabulary must
// be filled: a model whose unk_token is not in it is refused (a word it cannot split
// would have no id).
Status ReadWordModel(const nlohmann::json& doc, TokenizerModel& m);

}  // namespace hfd::tok
