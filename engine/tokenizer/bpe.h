// The BPE merge loop shared by both tokenizer families: SentencePiece vocabularies merge
// by token score, byte-level ones by merge rank; both become a PairMap.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/tokenizer/pair_map.h"

namespace hfd::tok {

// A symbol's id for a piece the vocabulary lacks and no merge starts from.
inline constexpr int32_t kNoSymbol = -1;

// One symbol of a word being merged: a token id (kNoSymbol, which never merges, or another
// negative merge-only id for a piece the vocabulary lacks) and the bytes of the word it
// covers.
struct Symbol {
  int32_t id;
  uint32_t start;
  uint32_t len;
};

// Working memory for Merge, reused across words; one per thread.
struct BpeScratch {
  struct Candidate {
    float score;
    uint32_t left;  // index of the left symbol
    int32_t left_id;
    int32_t right_id;
    int32_t merged;
  };
  std::vector<Candidate> heap;
  std::vector<int32_t> prev;
  std::vector<int32_t> next;
};

// Applies merges to `symbols` in place: repeatedly joins the adjacent pair with the best
// score, leftmost first among equals, until no pair has a rule. O(n log n).
void Merge(const PairMap& merges, std::vector<Symbol>& symbols, BpeScratch& scratch);

}  // namespace hfd::tok
