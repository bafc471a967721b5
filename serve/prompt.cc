#include "serve/prompt.h"

#include <algorithm>
#include <array>
#include <string_view>

#include <fmt/format.h>

namespace hfd::serve {

std::vector<int32_t> TextPromptTokens(const ModelText& text, const std::string& prompt, bool raw) {
  return text.tokenizer->Encode(prompt, !raw);
}

Result<std::vector<int32_t>> ChatPromptTokens(const ModelText& text, const nlohmann::json& messages,
                                              const nlohmann::json& variables) {
  if (!text.chat_template) return text.template_error;
  chat::RenderOptions options = text.render_options;
  options.add_generation_prompt = true;
  if (variables.is_object()) options.extra = variables;
  HFD_ASSIGN_OR_RETURN(std::string rendered, text.chat_template->Render(messages, options));
  const tok::Tokenizer& tokenizer = *text.tokenizer;
  std::vector<int32_t> ids = tokenizer.Encode(rendered, false);
  const int32_t bos = tokenizer.bos_id();
  if (tokenizer.add_bos() && bos >= 0 && (ids.empty() || ids.front() != bos)) {
    ids.insert(ids.begin(), bos);
  }
  return ids;
}

std::vector<int32_t> ChatStopIds(const tok::Tokenizer& tokenizer) {
  constexpr std::array<std::string_view, 5> kEndOfTurn = {"<|im_end|>", "<|eot_id|>", "<|end|>",
                                                          "<end_of_turn>", "<|endoftext|>"};
  std::vector<int32_t> ids = tokenizer.eos_ids();
  for (std::string_view text : kEndOfTurn) {
    if (std::optional<int32_t> id = tokenizer.TokenId(text)) ids.push_back(*id);
  }
  // In harmony (gpt-oss) <|end|> ends a message, say the analysis, not the turn: the answer
  // follows (even when the file names it an end-of-generation token); <|return|> ends the
  // turn and <|call|> hands it to a tool.
  if (const std::optional<chat::HarmonyTokens> markers = HarmonyTokensOf(tokenizer)) {
    std::erase(ids, markers->end);
    for (std::string_view text : {"<|return|>", "<|call|>"}) {
      if (std::optional<int32_t> id = tokenizer.TokenId(text)) ids.push_back(*id);
    }
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

Result<std::vector<int32_t>> EmbedInputTokens(const ModelText& text, const std::string& input,
                                              size_t index, int32_t ctx, bool truncate) {
  const tok::Tokenizer& tokenizer = *text.tokenizer;
  std::vector<int32_t> ids = tokenizer.Encode(input, true);
  if (ids.empty()) return InvalidArgument(fmt::format("input {} has no tokens", index));
  if (static_cast<int64_t>(ids.size()) <= ctx) return ids;
  if (!truncate) {
    return InvalidArgument(
        fmt::format("input {} has {} tokens but the model's context holds {}; shorten it or let "
                    "the request truncate it",
                    index, ids.size(), ctx));
  }
  const int32_t last = ids.back();
  ids.resize(static_cast<size_t>(ctx));
  if (tokenizer.IsSpecial(last)) ids.back() = last;
  return ids;
}

}  // namespace hfd::serve
