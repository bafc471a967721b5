// SentencePiece's Unigram model: a word is cut into the vocabulary pieces whose scores
// (log probabilities) sum highest, found by Viterbi over a byte trie of the pieces.
// Hugging Face's "Unigram" tokenizer.json model and llama.cpp's UGM (GGUF "t5") both are.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/tokenizer/bpe.h"
#include "include/hfd/status.h"

namespace hfd::tok {

// Working memory of Encode; one per thread, reused across words.
struct UnigramScratch {
  struct Best {
    double score;    // best total score of the text up to this byte
    uint32_t start;  // where the last piece of that best segmentation starts
    int32_t id;      // that piece, -1 for an unknown character
  };
  std::vector<Best> best;
};

// Immutable once built: Encode may run on any number of threads, each with its scratch.
class UnigramModel {
 public:
  // `scores[id]` for every vocabulary entry; only entries with `usable[id]` set take part
  // in segmentation (control and byte tokens do not). Unknown characters score the lowest
  // usable score minus 10, as in sentencepiece.
  static Result<UnigramModel> Build(const std::vector<std::string>& vocab,
                                    const std::vector<float>& scores,
                                    const std::vector<uint8_t>& usable);

  // The best segmentation of `word`, replacing `out`: one Symbol per piece; a run of
  // characters no piece covers is one Symbol with id -1 (sentencepiece and Hugging Face
  // merge consecutive unknown characters into one unknown token).
  void Encode(std::string_view word, UnigramScratch& scratch, std::vector<Symbol>& out) const;

 private:
  // The child of trie node `node` along byte `c`, or -1.
  int32_t Child(int32_t node, uint8_t c) const;

  // Trie nodes: node n's edges are [edge_begin_[n], edge_begin_[n+1]), sorted by label.
  std::vector<uint32_t> edge_begin_;
  std::vector<uint8_t> edge_label_;
  std::vector<int32_t> edge_target_;
  std::vector<int32_t> node_id_;        // the piece ending at the node, -1 if none
  std::vector<int32_t> root_children_;  // byte -> child of the root: the busiest lookup
  std::vector<float> scores_;
  double unknown_score_ = 0;
};

}  // namespace hfd::tok
