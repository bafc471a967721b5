// One regex split step of a pre-tokenizer, run by PCRE2. PCRE2 because the tokenizers'
// regexes need what std::regex lacks (Unicode properties such as \p{L}, lookahead on
// code points, linear-time JIT matching) and it bounds backtracking with match limits
// that report an error instead of hanging.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "include/hfd/status.h"

namespace hfd::tok {

// A piece of text as byte offsets [begin, end).
struct TextRange {
  size_t begin = 0;
  size_t end = 0;
};

// What a split does with the regex's matches, as in Hugging Face tokenizers'
// SplitDelimiterBehavior.
enum class SplitBehavior {
  kIsolated,            // matches and the text between them are each a piece
  kRemoved,             // matches are dropped
  kMergedWithPrevious,  // a match joins the piece before it
  kMergedWithNext,      // a match joins the piece after it
  kContiguous,          // adjacent matches form one piece
};

class CompiledRegex;

// Per-thread matching state (PCRE2 match data, match context with the limits, JIT
// stack). Not thread-safe; one per Encode call or per thread. Created on first use.
class RegexScratch {
 public:
  RegexScratch();
  ~RegexScratch();
  RegexScratch(const RegexScratch&) = delete;
  RegexScratch& operator=(const RegexScratch&) = delete;

 private:
  friend class CompiledRegex;
  friend Status SplitByRegex(const CompiledRegex&, SplitBehavior, bool, std::string_view, TextRange,
                             RegexScratch&, std::vector<TextRange>&);
  struct State;
  Status Init();
  std::unique_ptr<State> state_;
};

// A pattern compiled once (UTF, Unicode properties, JIT when the CPU has it). Immutable:
// one instance may be used by any number of threads, each with its own RegexScratch.
class CompiledRegex {
 public:
  // The pattern in PCRE2 syntax. An error names the pattern, PCRE2's message and the
  // offset where compiling stopped.
  static Result<std::shared_ptr<const CompiledRegex>> Compile(std::string_view pattern);

  ~CompiledRegex();
  CompiledRegex(const CompiledRegex&) = delete;
  CompiledRegex& operator=(const CompiledRegex&) = delete;

  const std::string& pattern() const { return pattern_; }

  // Appends every match in `text`, left to right, not overlapping (empty matches
  // included). Invalid UTF-8 is allowed: no match includes an invalid byte. Fails when a
  // match exceeds the backtracking limits, naming the pattern.
  Status FindAll(std::string_view text, RegexScratch& scratch, std::vector<TextRange>& out) const;

 private:
  struct Code;
  CompiledRegex(std::string pattern, std::unique_ptr<Code> code);

  std::string pattern_;
  std::unique_ptr<Code> code_;
};

// Splits `piece` of `text` by the matches of `regex` (matches and gaps swap roles when
// `invert`), applies `behavior` and appends the non-empty pieces to `out`.
Status SplitByRegex(const CompiledRegex& regex, SplitBehavior behavior, bool invert,
                    std::string_view text, TextRange piece, RegexScratch& scratch,
                    std::vector<TextRange>& out);

}  // namespace hfd::tok
