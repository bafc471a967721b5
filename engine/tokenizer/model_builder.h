// Steps both loaders share when filling a TokenizerModel.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/tokenizer/tokenizer_model.h"
#include "include/hfd/status.h"

namespace hfd::tok {

struct MergeText {
  std::string_view left;
  std::string_view right;
};

// Splits a merges-list line "left right" at its space.
Result<MergeText> SplitMergeLine(std::string_view line, size_t rank);

// Adds a merges list, best first: both halves of each merge and their join must be in the
// vocabulary. Lookups are batched and prefetched: this is most of a 128k-vocabulary load.
Status AddRankedMerges(TokenizerModel& m, const std::vector<MergeText>& merges);

// SentencePiece merging: any two adjacent tokens whose concatenation is a token join,
// the one with the highest score first. `scores` has one entry per vocabulary entry.
void AddScoreMerges(TokenizerModel& m, const std::vector<float>& scores);

}  // namespace hfd::tok
