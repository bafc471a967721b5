// libFuzzer target: the PCRE2 split step on arbitrary patterns and arbitrary text
// (invalid UTF-8 included). Input: a pattern, a NUL byte, then the text. Compiling may
// fail and matching may hit the backtracking limit, but nothing may crash or hang, and
// every piece must lie inside the text, in order. Text alone also goes through the
// UnicodeScripts split.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <vector>

#include "engine/tokenizer/pre_tokenizer_table.h"
#include "engine/tokenizer/regex_splitter.h"
#include "engine/tokenizer/script_splitter.h"

namespace {

using hfd::tok::SplitBehavior;
using hfd::tok::TextRange;

void CheckPieces(const std::vector<TextRange>& pieces, size_t size) {
  size_t last_end = 0;
  for (const TextRange& r : pieces) {
    if (r.begin < last_end || r.end <= r.begin || r.end > size) std::abort();
    last_end = r.end;
  }
}

void SplitAllWays(const hfd::tok::CompiledRegex& regex, std::string_view text) {
  static hfd::tok::RegexScratch scratch;
  for (SplitBehavior behavior :
       {SplitBehavior::kIsolated, SplitBehavior::kRemoved, SplitBehavior::kMergedWithPrevious,
        SplitBehavior::kMergedWithNext, SplitBehavior::kContiguous}) {
    for (bool invert : {false, true}) {
      std::vector<TextRange> pieces;
      if (!SplitByRegex(regex, behavior, invert, text, {0, text.size()}, scratch, pieces).ok()) {
        continue;
      }
      CheckPieces(pieces, text.size());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  if (nul == std::string_view::npos) {
    // Text alone: split by every regex of llama.cpp's table.
    static const auto table = [] {
      std::vector<std::shared_ptr<const hfd::tok::CompiledRegex>> all;
      for (const auto& entry : hfd::tok::GgufPreTokenizers()) {
        for (std::string_view pattern : entry.regexes) {
          auto regex = hfd::tok::CompiledRegex::Compile(pattern);
          if (!regex.ok()) std::abort();
          all.push_back(std::move(regex).value());
        }
      }
      return all;
    }();
    for (const auto& regex : table) SplitAllWays(*regex, input);
    std::vector<TextRange> by_script;
    hfd::tok::SplitByScript(input, {0, input.size()}, by_script);
    CheckPieces(by_script, input.size());
    return 0;
  }
  auto regex = hfd::tok::CompiledRegex::Compile(input.substr(0, nul));
  if (regex.ok()) SplitAllWays(**regex, input.substr(nul + 1));
  return 0;
}
