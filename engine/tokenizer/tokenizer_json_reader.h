// A streaming reader for tokenizer.json. The two huge members, model.vocab and
// model.merges, go straight into flat storage; everything else becomes a small JSON tree.
// (Building a full nlohmann tree of a 150k-token file alone costs ~160 ms.)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "include/hfd/status.h"

namespace hfd::tok {

struct TokenizerJson {
  nlohmann::json rest;  // the document without model.vocab and model.merges
  std::vector<std::pair<std::string, int64_t>> vocab;  // in file order
  // Merges as [left, right] spans into merge_text (both the "a b" and ["a","b"] forms).
  std::string merge_text;
  struct Merge {
    uint32_t left_offset, left_len, right_offset, right_len;
  };
  std::vector<Merge> merges;

  std::string_view MergeLeft(const Merge& m) const {
    return std::string_view(merge_text).substr(m.left_offset, m.left_len);
  }
  std::string_view MergeRight(const Merge& m) const {
    return std::string_view(merge_text).substr(m.right_offset, m.right_len);
  }
};

// Parses the text; a syntax error or a malformed vocab/merges member is a Corrupt status
// that says where.
Result<TokenizerJson> ReadTokenizerJson(std::string_view text);

}  // namespace hfd::tok
