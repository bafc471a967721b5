#include "engine/tokenizer/pre_tokenizer_pipeline.h"

#include <string>
#include <utility>

namespace hfd::tok {

Result<PreTokenizerPipeline> PreTokenizerPipeline::FromRegexes(
    std::span<const std::string_view> regexes) {
  PreTokenizerPipeline pipeline;
  for (std::string_view pattern : regexes) {
    HFD_ASSIGN_OR_RETURN(auto regex, CompiledRegex::Compile(pattern));
    pipeline.Add({std::move(regex), SplitBehavior::kIsolated, false});
  }
  return pipeline;
}

Status PreTokenizerPipeline::Split(std::string_view text, PipelineScratch& scratch,
                                   std::vector<TextRange>& out) const {
  out.assign(1, TextRange{0, text.size()});
  if (text.empty()) out.clear();
  for (const SplitStep& step : steps_) {
    scratch.next.clear();
    for (const TextRange& piece : out) {
      HFD_RETURN_IF_ERROR(SplitByRegex(*step.regex, step.behavior, step.invert, text, piece,
                                       scratch.regex, scratch.next));
    }
    out.swap(scratch.next);
  }
  return Status::Ok();
}

Status AddBertSplits(PreTokenizerPipeline& pipeline) {
  HFD_ASSIGN_OR_RETURN(auto whitespace, CompiledRegex::Compile(kWhitespaceRegex));
  HFD_ASSIGN_OR_RETURN(auto punctuation, CompiledRegex::Compile(kPunctuationRegex));
  pipeline.Add({std::move(whitespace), SplitBehavior::kRemoved, false});
  pipeline.Add({std::move(punctuation), SplitBehavior::kIsolated, false});
  return Status::Ok();
}

void ChoosePreTokenizer(PreTokenizerPipeline pipeline, PreTokenizer& pre,
                        std::shared_ptr<const PreTokenizerPipeline>& stored) {
  const auto& steps = pipeline.steps();
  if (steps.size() == 1 && steps[0].behavior == SplitBehavior::kIsolated && !steps[0].invert) {
    if (auto fast = PreTokenizerForRegex(steps[0].regex->pattern())) {
      pre = *fast;
      stored.reset();
      return;
    }
  }
  if (steps.empty()) {
    pre = PreTokenizer::kWhole;
    stored.reset();
    return;
  }
  pre = PreTokenizer::kPipeline;
  stored = std::make_shared<const PreTokenizerPipeline>(std::move(pipeline));
}

}  // namespace hfd::tok
