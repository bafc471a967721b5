// Finds added and special tokens in raw text before BPE runs, so they are never split:
// leftmost match first, the longest token at that position.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hfd::tok {

struct AddedToken {
  std::string content;
  int32_t id = -1;
  bool special = false;  // skipped by Decode(skip_special=true)
  bool lstrip = false;   // swallows the whitespace on its left
  bool rstrip = false;   // swallows the whitespace on its right
};

struct AddedTokenMatch {
  size_t start;  // match span in the text, whitespace taken by lstrip/rstrip included
  size_t end;
  int32_t id;
};

// Immutable after Build; safe for concurrent use.
class AddedTokenMatcher {
 public:
  void Build(const std::vector<AddedToken>& tokens);

  // The first match at or after `from`; start == text.size() when there is none.
  // `floor` is where lstrip may stop (the end of the previous match).
  AddedTokenMatch Find(std::string_view text, size_t from, size_t floor) const;

  bool empty() const { return tokens_.empty(); }

 private:
  std::vector<AddedToken> tokens_;
  // Per first byte, indices into tokens_, longest content first.
  std::array<std::vector<uint32_t>, 256> by_first_byte_;
};

}  // namespace hfd::tok
