#include "engine/tokenizer/pre_tokenizer_pipeline.h"

#include <string>
#include <utility>

#include "engine/tokenizer/script_splitter.h"

namespace hfd::tok {

Result<PreTokenizerPipeline> PreTokenizerPipeline::FromRegexes(
    std::span<const std::string_view> regexes) {
  PreTokenizerPipeline pipeline;
  for (std::string_view pattern : regexes) {
    HFD_ASSIGN_OR_RETURN(auto regex, CompiledRegex::Compile(pattern));
    pipeline.Add(RegexStep(std::move(regex), SplitBehavior::kIsolated, false));
  }
  return pipeline;
}

namespace {

// Writes each piece of `text` as Metaspace does into `dest`, replacing `out`'s ranges.
void RunMetaspace(const MetaspaceStep& step, std::string_view text, std::string& dest,
                  std::vector<TextRange>& out, std::vector<TextRange>& next) {
  dest.clear();
  next.clear();
  for (const TextRange& piece : out) {
    const size_t begin = dest.size();
    const std::string_view in = text.substr(piece.begin, piece.end - piece.begin);
    const bool marked = in.starts_with(' ') || in.starts_with(kSpaceMark);
    if (step.prepend && !marked) dest.append(kSpaceMark);
    for (char c : in) {
      if (c == ' ') {
        dest.append(kSpaceMark);
      } else {
        dest.push_back(c);
      }
    }
    const std::string_view written = std::string_view(dest).substr(begin);
    if (!step.split) {
      if (!written.empty()) next.push_back({begin, dest.size()});
      continue;
    }
    for (size_t pos = 0; pos < written.size();) {
      const size_t end = NextWordEnd(PreTokenizer::kMetaspaceWords, written, pos);
      next.push_back({begin + pos, begin + end});
      pos = end;
    }
  }
  out.swap(next);
}

}  // namespace

bool PreTokenizerPipeline::HasMetaspace() const {
  for (const SplitStep& step : steps_) {
    if (step.metaspace) return true;
  }
  return false;
}

Status PreTokenizerPipeline::Split(std::string_view text, PipelineScratch& scratch,
                                   std::vector<TextRange>& out) const {
  out.assign(1, TextRange{0, text.size()});
  if (text.empty()) out.clear();
  scratch.text = text;
  int buffer = 0;
  for (const SplitStep& step : steps_) {
    if (step.metaspace) {
      std::string& dest = scratch.rewritten[buffer];
      buffer ^= 1;  // the next rewrite reads this one
      RunMetaspace(*step.metaspace, scratch.text, dest, out, scratch.next);
      scratch.text = dest;
      continue;
    }
    text = scratch.text;
    scratch.next.clear();
    for (const TextRange& piece : out) {
      if (step.scripts) {
        SplitByScript(text, piece, scratch.next);
        continue;
      }
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
  pipeline.Add(RegexStep(std::move(whitespace), SplitBehavior::kRemoved, false));
  pipeline.Add(RegexStep(std::move(punctuation), SplitBehavior::kIsolated, false));
  return Status::Ok();
}

void ChoosePreTokenizer(PreTokenizerPipeline pipeline, PreTokenizer& pre,
                        std::shared_ptr<const PreTokenizerPipeline>& stored) {
  const auto& steps = pipeline.steps();
  if (steps.size() == 1 && steps[0].regex && steps[0].behavior == SplitBehavior::kIsolated &&
      !steps[0].invert) {
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
