#include "engine/tokenizer/hf_normalizer.h"

#include <string>
#include <utility>

#include "engine/tokenizer/hf_json.h"

namespace hfd::tok {
namespace {

using json = nlohmann::json;

Result<NormalizerStep> ReadReplace(const json& node) {
  NormalizerStep step;
  step.op = NormalizerOp::kReplace;
  const auto content = StringMember(node, "content");
  if (!content) return Corrupt("a Replace normalizer has no string 'content'");
  step.text = *content;
  const json* pattern = Member(node, "pattern");
  if (auto regex = pattern ? StringMember(*pattern, "Regex") : std::nullopt) {
    auto compiled = CompiledRegex::Compile(*regex);
    if (!compiled.ok()) return compiled.status().WithContext("Replace normalizer");
    step.regex = std::move(compiled).value();
  } else if (auto literal = pattern ? StringMember(*pattern, "String") : std::nullopt) {
    step.literal = *literal;
  } else {
    return Corrupt("a Replace normalizer has neither a Regex nor a String pattern");
  }
  return step;
}

// sentencepiece's charsmap, base64-encoded; an empty one changes nothing.
Result<NormalizerStep> ReadPrecompiled(const json& node) {
  NormalizerStep step;
  step.op = NormalizerOp::kPrecompiled;
  const std::string text = StringMember(node, "precompiled_charsmap").value_or("");
  if (text.empty()) return step;
  auto blob = DecodeBase64(text);
  if (!blob.ok()) return blob.status().WithContext("normalizer Precompiled");
  auto charsmap = PrecompiledCharsmap::Parse(*blob);
  if (!charsmap.ok()) return charsmap.status().WithContext("normalizer Precompiled");
  step.charsmap = std::move(charsmap).value();
  return step;
}

BertNormalizerOptions ReadBert(const json& node) {
  BertNormalizerOptions o;
  o.clean_text = BoolMember(node, "clean_text", true);
  o.chinese_chars = BoolMember(node, "handle_chinese_chars", true);
  o.lowercase = BoolMember(node, "lowercase", true);
  // strip_accents null (or absent) follows lowercase, as in BERT's original tokenizer.
  o.strip_accents = BoolMember(node, "strip_accents", o.lowercase);
  return o;
}

// The steps that have no options.
constexpr std::pair<std::string_view, NormalizerOp> kPlainSteps[] = {
    {"NFC", NormalizerOp::kNfc},
    {"NFKC", NormalizerOp::kNfkc},
    {"NFD", NormalizerOp::kNfd},
    {"NFKD", NormalizerOp::kNfkd},
    {"Lowercase", NormalizerOp::kLowercase},
    {"StripAccents", NormalizerOp::kStripAccents},
    {"Nmt", NormalizerOp::kNmt},
};

Result<NormalizerStep> ReadStep(const json& node) {
  const std::string type = TypeOf(node);
  NormalizerStep step;
  for (const auto& [name, op] : kPlainSteps) {
    if (type == name) {
      step.op = op;
      return step;
    }
  }
  if (type == "Strip") {
    step.op = NormalizerOp::kStrip;
    step.strip_left = BoolMember(node, "strip_left", true);
    step.strip_right = BoolMember(node, "strip_right", true);
  } else if (type == "Replace") {
    return ReadReplace(node);
  } else if (type == "Prepend") {
    step.op = NormalizerOp::kPrepend;
    const auto text = StringMember(node, "prepend");
    if (!text) return Corrupt("a Prepend normalizer has no string 'prepend'");
    step.text = *text;
  } else if (type == "Precompiled") {
    return ReadPrecompiled(node);
  } else if (type == "BertNormalizer") {
    step.op = NormalizerOp::kBert;
    step.bert = ReadBert(node);
  } else {
    return Unsupported("normalizer '" + type + "' is not supported");
  }
  return step;
}

}  // namespace

Result<std::shared_ptr<const Normalizer>> ReadNormalizer(std::span<const json* const> steps) {
  auto normalizer = std::make_shared<Normalizer>();
  for (const json* node : steps) {
    HFD_ASSIGN_OR_RETURN(NormalizerStep step, ReadStep(*node));
    normalizer->Add(std::move(step));
  }
  return std::shared_ptr<const Normalizer>(std::move(normalizer));
}

}  // namespace hfd::tok
