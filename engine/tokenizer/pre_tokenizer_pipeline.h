// A pre-tokenizer as data: regex split steps run in order, each on every piece the step
// before produced (llama.cpp's list of regexes; Hugging Face's Split, Digits, Whitespace
// ... inside a Sequence). Pipelines that are exactly one hand-written matcher run as
// that matcher instead (see ChoosePreTokenizer).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/tokenizer/pre_tokenizer.h"
#include "engine/tokenizer/regex_splitter.h"
#include "include/hfd/status.h"

namespace hfd::tok {

// Hugging Face's Metaspace as a step among splits: each piece has its spaces written as
// "▁", gets a "▁" in front unless it starts with one (prepend_scheme "always"), and with
// `split` is cut before each "▁".
struct MetaspaceStep {
  bool prepend = true;
  bool split = true;
};

// A regex split, or a Metaspace step when `metaspace` is set, or a UnicodeScripts split
// (script_splitter.h) when `scripts` is (in both, `regex` is null).
struct SplitStep {
  std::shared_ptr<const CompiledRegex> regex;
  SplitBehavior behavior = SplitBehavior::kIsolated;
  bool invert = false;
  std::optional<MetaspaceStep> metaspace;
  bool scripts = false;
};

// A split step by regex (no Metaspace).
inline SplitStep RegexStep(std::shared_ptr<const CompiledRegex> regex, SplitBehavior behavior,
                           bool invert) {
  SplitStep step;
  step.regex = std::move(regex);
  step.behavior = behavior;
  step.invert = invert;
  return step;
}

// Working memory of one Split call; reuse it across calls on one thread.
struct PipelineScratch {
  RegexScratch regex;
  std::vector<TextRange> next;
  // Set by Split: the text the pieces index. It is the input text unless a Metaspace step
  // rewrote it into one of `rewritten`.
  std::string_view text;
  std::string rewritten[2];
};

// Immutable once built: Split may run on any number of threads, each with its own scratch.
class PreTokenizerPipeline {
 public:
  // Each regex (PCRE2 syntax) splits with isolated matches, as llama.cpp's lists do.
  static Result<PreTokenizerPipeline> FromRegexes(std::span<const std::string_view> regexes);

  void Add(SplitStep step) { steps_.push_back(std::move(step)); }
  const std::vector<SplitStep>& steps() const { return steps_; }

  // True when a Metaspace step writes the spaces as "▁" (the caller must not).
  bool HasMetaspace() const;

  // The pieces of `text`, in order, replacing `out`, as ranges of scratch.text. With no
  // steps the text is one piece.
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
