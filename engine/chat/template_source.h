// Where a model's chat template comes from: a Hugging Face model directory
// (tokenizer_config.json's "chat_template", a string or a list of named templates, or the
// chat_template.jinja file newer transformers versions write), or the GGUF metadata key
// `tokenizer.chat_template` whose value the caller passes in.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "engine/chat/chat_template.h"
#include "engine/io/model_file_set.h"
#include "hfd/status.h"

namespace hfd::chat {

// The template named `name` ("default" unless a model offers e.g. "tool_use") from the
// text of a tokenizer_config.json. NotFound when it has none.
Result<std::string> ChatTemplateFromTokenizerConfig(std::string_view config_json,
                                                    std::string_view name = "default");

// Looks among `files` for chat_template.jinja, then tokenizer_config.json, each read within
// io::kConfigMaxBytes.
Result<std::string> FindChatTemplate(const io::ModelFileSet& files,
                                     std::string_view name = "default");
// The same in a local directory (tests), read through io::OpenLocalDirectory.
Result<std::string> FindChatTemplate(const std::filesystem::path& model_dir,
                                     std::string_view name = "default");

// Parses the value of a GGUF `tokenizer.chat_template`; NotFound when it is empty.
Result<ChatTemplate> ChatTemplateFromGguf(std::string_view metadata_value);

// Fills options->bos_token / eos_token from a tokenizer_config.json's "bos_token" and
// "eos_token" (strings or {"content": ...} objects); absent tokens become "".
Status SpecialTokensFromTokenizerConfig(std::string_view config_json, RenderOptions* options);

}  // namespace hfd::chat
