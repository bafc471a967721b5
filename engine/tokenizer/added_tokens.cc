#include "engine/tokenizer/added_tokens.h"

#include <algorithm>

namespace hfd::tok {
namespace {

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

}  // namespace

void AddedTokenMatcher::Build(const std::vector<AddedToken>& tokens) {
  tokens_.clear();
  for (auto& bucket : by_first_byte_) bucket.clear();
  for (const AddedToken& t : tokens) {
    if (t.content.empty()) continue;
    tokens_.push_back(t);
  }
  for (uint32_t i = 0; i < tokens_.size(); ++i) {
    by_first_byte_[static_cast<uint8_t>(tokens_[i].content[0])].push_back(i);
  }
  for (auto& bucket : by_first_byte_) {
    std::stable_sort(bucket.begin(), bucket.end(), [&](uint32_t a, uint32_t b) {
      return tokens_[a].content.size() > tokens_[b].content.size();
    });
  }
}

AddedTokenMatch AddedTokenMatcher::Find(std::string_view text, size_t from, size_t floor) const {
  if (tokens_.empty()) return {text.size(), text.size(), -1};
  for (size_t pos = from; pos < text.size(); ++pos) {
    const auto& bucket = by_first_byte_[static_cast<uint8_t>(text[pos])];
    for (uint32_t index : bucket) {
      const AddedToken& t = tokens_[index];
      if (text.compare(pos, t.content.size(), t.content) != 0) continue;
      size_t start = pos;
      size_t end = pos + t.content.size();
      if (t.lstrip) {
        while (start > floor && IsAsciiSpace(text[start - 1])) --start;
      }
      if (t.rstrip) {
        while (end < text.size() && IsAsciiSpace(text[end])) ++end;
      }
      return {start, end, t.id};
    }
  }
  return {text.size(), text.size(), -1};
}

}  // namespace hfd::tok
