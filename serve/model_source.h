// Where a model's files are and what its text side is: a model name (an absolute path or
// a cached Hub id) resolved to a file or directory, and the tokenizer and chat template
// read from it. Shared by the tokenizer methods and the serving core.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "engine/chat/chat_template.h"
#include "engine/tokenizer/tokenizer.h"
#include "hfd/status.h"

namespace hfd::serve {

// A model's text side. Immutable once loaded; shared by concurrent requests.
struct ModelText {
  std::unique_ptr<tok::Tokenizer> tokenizer;
  std::optional<chat::ChatTemplate> chat_template;
  Status template_error;               // why chat_template is empty
  chat::RenderOptions render_options;  // bos_token / eos_token for the template
};

// The file or directory a model reference names, canonical. `model` is an absolute local
// path (a .gguf file or a Hugging Face model directory) or a Hub id `org/name[@rev][:QUANT]`
// looked up in `hub_cache_dir` without the network (NotFound with a pull hint otherwise).
Result<std::filesystem::path> ResolveModelSource(const std::string& model,
                                                 const std::filesystem::path& hub_cache_dir);

// Reads a tokenizer and chat template from a .gguf file or a model directory.
Result<std::shared_ptr<const ModelText>> LoadModelText(const std::filesystem::path& source);

}  // namespace hfd::serve
