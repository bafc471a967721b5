#include "engine/tokenizer/unigram.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "engine/tokenizer/unicode.h"

namespace hfd::tok {
namespace {

// sentencepiece's kUnkPenalty: an unknown character scores this far below the rarest piece.
constexpr double kUnknownPenalty = 10.0;

}  // namespace

Result<UnigramModel> UnigramModel::Build(const std::vector<std::string>& vocab,
                                         const std::vector<float>& scores,
                                         const std::vector<uint8_t>& usable) {
  if (scores.size() != vocab.size() || usable.size() != vocab.size()) {
    return Corrupt("Unigram scores do not match the vocabulary");
  }
  // Build the trie with per-node edge lists, then flatten it.
  std::vector<std::vector<std::pair<uint8_t, int32_t>>> edges(1);
  std::vector<int32_t> node_id(1, -1);
  double min_score = std::numeric_limits<double>::infinity();
  for (size_t id = 0; id < vocab.size(); ++id) {
    if (!usable[id] || vocab[id].empty()) continue;
    min_score = std::min<double>(min_score, scores[id]);
    int32_t node = 0;
    for (char ch : vocab[id]) {
      const auto c = static_cast<uint8_t>(ch);
      auto& list = edges[node];
      auto it = std::find_if(list.begin(), list.end(), [c](const auto& e) { return e.first == c; });
      if (it != list.end()) {
        node = it->second;
        continue;
      }
      const auto child = static_cast<int32_t>(edges.size());
      list.emplace_back(c, child);
      edges.emplace_back();
      node_id.push_back(-1);
      node = child;
    }
    if (node_id[node] < 0) node_id[node] = static_cast<int32_t>(id);  // the first id wins
  }
  if (edges[0].empty()) return Corrupt("the Unigram vocabulary has no usable piece");

  UnigramModel model;
  model.edge_begin_.reserve(edges.size() + 1);
  for (auto& list : edges) {
    std::sort(list.begin(), list.end());
    model.edge_begin_.push_back(static_cast<uint32_t>(model.edge_label_.size()));
    for (const auto& [label, target] : list) {
      model.edge_label_.push_back(label);
      model.edge_target_.push_back(target);
    }
  }
  model.edge_begin_.push_back(static_cast<uint32_t>(model.edge_label_.size()));
  model.root_children_.assign(256, -1);
  for (const auto& [label, target] : edges[0]) model.root_children_[label] = target;
  model.node_id_ = std::move(node_id);
  model.scores_ = scores;
  model.unknown_score_ = min_score - kUnknownPenalty;
  return model;
}

int32_t UnigramModel::Child(int32_t node, uint8_t c) const {
  if (node == 0) return root_children_[c];
  for (uint32_t e = edge_begin_[node], end = edge_begin_[node + 1]; e < end; ++e) {
    if (edge_label_[e] == c) return edge_target_[e];
    if (edge_label_[e] > c) break;
  }
  return -1;
}

void UnigramModel::Encode(std::string_view word, UnigramScratch& scratch,
                          std::vector<Symbol>& out) const {
  out.clear();
  const size_t n = word.size();
  auto& best = scratch.best;
  best.assign(n + 1, {-std::numeric_limits<double>::infinity(), 0, -1});
  best[0].score = 0;
  // Forward pass, one character at a time: every piece starting here offers a better
  // score to the position where it ends. Ties keep the first offer, as sentencepiece does.
  // Each step walks the trie at most as deep as the longest piece, so the cost is linear
  // in the word.
  for (size_t pos = 0; pos < n;) {
    const size_t char_len = std::min<size_t>(DecodeUtf8(word, pos).len, n - pos);
    const double here = best[pos].score;
    bool whole_char_piece = false;
    int32_t node = 0;
    for (size_t end = pos; end < n;) {
      node = Child(node, static_cast<uint8_t>(word[end]));
      if (node < 0) break;
      ++end;
      const int32_t id = node_id_[node];
      if (id < 0) continue;
      whole_char_piece = whole_char_piece || end - pos == char_len;
      const double score = here + scores_[id];
      if (score > best[end].score) best[end] = {score, static_cast<uint32_t>(pos), id};
    }
    if (!whole_char_piece) {
      const double score = here + unknown_score_;
      if (score > best[pos + char_len].score) {
        best[pos + char_len] = {score, static_cast<uint32_t>(pos), -1};
      }
    }
    pos += char_len;
  }
  // Backtrack from the end, joining runs of unknown characters.
  for (size_t end = n; end > 0;) {
    const UnigramScratch::Best& b = best[end];
    if (b.id < 0 && !out.empty() && out.back().id < 0) {
      out.back().len += out.back().start - b.start;
      out.back().start = b.start;
    } else {
      out.push_back({b.id, b.start, static_cast<uint32_t>(end - b.start)});
    }
    end = b.start;
  }
  std::reverse(out.begin(), out.end());
}

}  // namespace hfd::tok
