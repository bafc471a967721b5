#include "engine/tokenizer/model_builder.h"

#include <algorithm>

#include "engine/tokenizer/unicode.h"

namespace hfd::tok {

namespace {

Status MissingToken(size_t rank, const MergeText& merge) {
  return Corrupt("merge #" + std::to_string(rank) + " '" + std::string(merge.left) + " " +
                 std::string(merge.right) + "' uses a token that is not in the vocabulary");
}

bool IsOneCharacter(std::string_view text) {
  return static_cast<size_t>(DecodeUtf8(text, 0).len) == text.size();
}

// The merge-only id of a character outside the vocabulary, added on first use.
int32_t MergeOnlyId(TokenizerModel& m, std::string_view character) {
  int32_t i = m.merge_char_index.Find(m.merge_chars, character);
  if (i < 0) {
    i = static_cast<int32_t>(m.merge_chars.size());
    m.merge_chars.emplace_back(character);
    m.merge_char_index.Insert(m.merge_chars, i);
  }
  return MergeOnlySymbol(i);
}

}  // namespace

Result<MergeText> SplitMergeLine(std::string_view line, size_t rank) {
  const size_t space = line.find(' ', 1);
  if (space == std::string_view::npos) {
    return Corrupt("merge #" + std::to_string(rank) + " '" + std::string(line) +
                   "' is not two tokens separated by a space");
  }
  return MergeText{line.substr(0, space), line.substr(space + 1)};
}

Status AddRankedMerges(TokenizerModel& m, const std::vector<MergeText>& merges) {
  constexpr size_t kBatch = 16;
  m.merges.Reserve(merges.size());
  std::string joined[kBatch];
  uint32_t hashes[kBatch][3];
  int32_t ids[kBatch][3];  // left, right, joined
  for (size_t base = 0; base < merges.size(); base += kBatch) {
    const size_t n = std::min(kBatch, merges.size() - base);
    for (size_t i = 0; i < n; ++i) {
      const MergeText& merge = merges[base + i];
      joined[i].assign(merge.left);
      joined[i].append(merge.right);
      hashes[i][0] = TokenIndex::Hash(merge.left);
      hashes[i][1] = TokenIndex::Hash(merge.right);
      hashes[i][2] = TokenIndex::Hash(joined[i]);
      for (uint32_t h : hashes[i]) m.index.Prefetch(h);
    }
    for (size_t i = 0; i < n; ++i) {
      const MergeText& merge = merges[base + i];
      ids[i][0] = m.index.Find(m.vocab, merge.left, hashes[i][0]);
      ids[i][1] = m.index.Find(m.vocab, merge.right, hashes[i][1]);
      ids[i][2] = m.index.Find(m.vocab, joined[i], hashes[i][2]);
      if (ids[i][0] < 0 || ids[i][1] < 0 || ids[i][2] < 0) return MissingToken(base + i, merge);
      m.merges.Prefetch(ids[i][0], ids[i][1]);
    }
    for (size_t i = 0; i < n; ++i) {
      m.merges.Insert(ids[i][0], ids[i][1], MergeRule{-static_cast<float>(base + i), ids[i][2]});
    }
  }
  return Status::Ok();
}

void AddScoreMerges(TokenizerModel& m, const std::vector<float>& scores) {
  m.merges.Reserve(m.vocab.size() * 2);
  for (size_t id = 0; id < m.vocab.size(); ++id) {
    const std::string_view text = m.vocab[id];
    if (text.size() < 2) continue;
    // Every split at a character boundary whose halves can both be merge symbols.
    for (size_t cut = DecodeUtf8(text, 0).len; cut < text.size();
         cut += DecodeUtf8(text, cut).len) {
      const std::string_view left_text = text.substr(0, cut);
      const std::string_view right_text = text.substr(cut);
      int32_t left = FindToken(m, left_text);
      if (left < 0 && !IsOneCharacter(left_text)) continue;
      int32_t right = FindToken(m, right_text);
      if (right < 0 && !IsOneCharacter(right_text)) continue;
      if (left < 0) left = MergeOnlyId(m, left_text);
      if (right < 0) right = MergeOnlyId(m, right_text);
      m.merges.Insert(left, right, MergeRule{scores[id], static_cast<int32_t>(id)});
    }
  }
}

}  // namespace hfd::tok
