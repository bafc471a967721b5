// GGUF's tokenizer.ggml.model "bert" (llama.cpp's WPM): a WordPiece vocabulary as
// llama.cpp's converter writes it, with BERT's uncased normalizer and pre-tokenizer.
#pragma once

#include "engine/tokenizer/tokenizer_model.h"
#include "include/hfd/status.h"

namespace hfd::tok {

// Sets the model kind, the WordPiece spelling ("▁" marks a word's first piece, other
// pieces have no "##") and Hugging Face's BertNormalizer (clean text, CJK spacing, strip
// accents, lowercase) and BertPreTokenizer, which produced the ids these models were
// trained on. Special ids are the loader's to set.
Status ConfigureGgufBert(TokenizerModel& m);

}  // namespace hfd::tok
