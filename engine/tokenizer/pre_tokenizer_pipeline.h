// A pre-tokenizer as data: regex split steps run in order, each on every piece the step
// before produced (llama.cpp's list of regexes; Hugging Face's Split, Digits, Whitespace
// ... inside a Sequence). Pipelines that are exactly one hand-written matcher run as
// that matcher instead (see ChoosePreTokenizer).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "engine/tokenizer/pre_tokenizer.h"
#include "engine/tokenizer/regex_splitter.h"
#include "include/hfd/status.h"

namespace hfd::tok {

struct SplitStep {
  std::shared_ptr<const CompiledRegex> regex;
  SplitBehavior behavior = SplitBehavior::kIsolated;
  bool invert = false;
};

// Working memory of one Split call; reuse it across calls on one thread.
struct PipelineScratch {
  RegexScratch regex;
  std::vector<TextRange> next;
};

// Immutable once built: Split may run on any number of threads, each with its own scratch.
class PreTokenizerPipeline {
 public:
  // Each regex (PCRE2 syntax) splits with isolated matches, as llama.cpp's lists do.
  static Result<PreTokenizerPipeline> FromRegexes(std::span<const std::string_view> regexes);

  void Add(SplitStep step) { steps_.push_back(std::move(step)); }
  const std::vector<SplitStep>& steps() const { return steps_; }

  // The pieces of `text`, in order, replacing `out`. With no steps the text is one piece.
  Status Split(std::string_view text, PipelineScratch& scratch, std::vector<TextRange>& out) const;

 private:
  std::vector<SplitStep> steps_;
};

// Hugging Face's BertPreTokenizer: whitespace runs removed, then each punctuation
// character isolated.
Status AddBertSplits(PreTokenizerPipeline& pipeline);

// Sets m.pre (and the pipeline it runs) for `pipeline`: a hand-written matcher when the
// pipeline is one isolated step with a regex that matcher reproduces, else kPipeline.
void ChoosePreTokenizer(PreTokenizerPipeline pipeline, PreTokenizer& pre,
                        std::shared_ptr<const PreTokenizerPipeline>& stored);

}  // namespace hfd::tok
