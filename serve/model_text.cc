#include "serve/model_text.h"

#include "engine/chat/template_source.h"
#include "engine/gguf/gguf_file.h"
#include "engine/io/read_small_file.h"

namespace hfd::serve {
namespace {

constexpr std::string_view kTokenizerConfig = "tokenizer_config.json";

// Template tokens from the tokenizer's own BOS/EOS, overridden by tokenizer_config.json
// when the files have one (null `files`: a GGUF model, which has none).
void SetSpecialTokens(const tok::Tokenizer& tokenizer, const io::ModelFileSet* files,
                      chat::RenderOptions& options) {
  if (tokenizer.bos_id() >= 0) options.bos_token = tokenizer.TokenText(tokenizer.bos_id());
  if (tokenizer.eos_id() >= 0) options.eos_token = tokenizer.TokenText(tokenizer.eos_id());
  if (files == nullptr || !files->Has(kTokenizerConfig)) return;
  Result<std::string> config = io::ReadSmallFile(*files, kTokenizerConfig, io::kConfigMaxBytes);
  chat::RenderOptions from_config;
  if (!config.ok() || !chat::SpecialTokensFromTokenizerConfig(*config, &from_config).ok()) return;
  if (!from_config.bos_token.empty()) options.bos_token = from_config.bos_token;
  if (!from_config.eos_token.empty()) options.eos_token = from_config.eos_token;
}

void SetTemplate(Result<chat::ChatTemplate> parsed, ModelText& text) {
  if (parsed.ok()) {
    text.chat_template = std::move(parsed).value();
  } else {
    text.template_error = parsed.status().WithContext("the model's chat template");
  }
}

Result<chat::ChatTemplate> TemplateFromFiles(const io::ModelFileSet& files) {
  HFD_ASSIGN_OR_RETURN(std::string source, chat::FindChatTemplate(files));
  return chat::ChatTemplate::Parse(source);
}

Result<chat::ChatTemplate> TemplateFromGguf(const gguf::GgufFile& file, const std::string& label) {
  if (!file.Has("tokenizer.chat_template")) {
    return NotFound(label + " has no tokenizer.chat_template");
  }
  HFD_ASSIGN_OR_RETURN(std::string source, file.GetString("tokenizer.chat_template"));
  return chat::ChatTemplateFromGguf(source);
}

}  // namespace

std::optional<chat::HarmonyTokens> HarmonyTokensOf(const tok::Tokenizer& tokenizer) {
  return chat::FindHarmonyTokens([&](std::string_view text) { return tokenizer.TokenId(text); });
}

Result<std::shared_ptr<const ModelText>> LoadModelText(const ModelSource& source) {
  const io::ModelFileSet& files = *source.files;
  auto text = std::make_shared<ModelText>();
  if (source.gguf.empty()) {
    HFD_ASSIGN_OR_RETURN(text->tokenizer, tok::Tokenizer::FromHfFiles(files));
    SetSpecialTokens(*text->tokenizer, &files, text->render_options);
    SetTemplate(TemplateFromFiles(files), *text);
    return std::shared_ptr<const ModelText>(std::move(text));
  }
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<gguf::GgufFile> file,
                       gguf::GgufFile::Open(files, source.gguf));
  HFD_ASSIGN_OR_RETURN(text->tokenizer, tok::Tokenizer::FromGguf(*file));
  SetSpecialTokens(*text->tokenizer, nullptr, text->render_options);
  SetTemplate(TemplateFromGguf(*file, files.Label(source.gguf)), *text);
  return std::shared_ptr<const ModelText>(std::move(text));
}

}  // namespace hfd::serve
