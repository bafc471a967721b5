// A model's text side: its tokenizer and chat template, read from its files. Shared by the
// tokenizer methods and the serving core.
#pragma once

#include <memory>
#include <optional>

#include "engine/chat/chat_template.h"
#include "engine/chat/harmony_channels.h"
#include "engine/tokenizer/tokenizer.h"
#include "hfd/status.h"
#include "serve/model_source.h"

namespace hfd::serve {

// Immutable once loaded; shared by concurrent requests.
struct ModelText {
  std::unique_ptr<tok::Tokenizer> tokenizer;
  std::optional<chat::ChatTemplate> chat_template;
  Status template_error;               // why chat_template is empty
  chat::RenderOptions render_options;  // bos_token / eos_token for the template
};

// The ids of the harmony format's markers (gpt-oss) in `tokenizer`'s vocabulary; nullopt
// for a model that does not answer in harmony's channels.
std::optional<chat::HarmonyTokens> HarmonyTokensOf(const tok::Tokenizer& tokenizer);

// Reads the tokenizer and chat template of `source`: from its GGUF file's metadata, or
// from a checkpoint's tokenizer.json, tokenizer_config.json and chat_template.jinja.
Result<std::shared_ptr<const ModelText>> LoadModelText(const ModelSource& source);

}  // namespace hfd::serve
