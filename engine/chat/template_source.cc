#include "engine/chat/template_source.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "engine/io/local_file_set.h"
#include "engine/io/read_small_file.h"

namespace hfd::chat {
namespace {

Result<nlohmann::json> ParseConfig(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Corrupt("tokenizer_config.json is not a valid JSON object");
  }
  return j;
}

std::string TokenText(const nlohmann::json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object()) {
    auto it = j.find("content");
    if (it != j.end() && it->is_string()) return it->get<std::string>();
  }
  return "";
}

}  // namespace

Result<std::string> ChatTemplateFromTokenizerConfig(std::string_view config_json,
                                                    std::string_view name) {
  HFD_ASSIGN_OR_RETURN(nlohmann::json config, ParseConfig(config_json));
  auto it = config.find("chat_template");
  if (it == config.end() || it->is_null()) {
    return NotFound(
        "tokenizer_config.json has no chat_template; pass a prompt instead of "
        "messages, or give the model a template");
  }
  if (it->is_string()) return it->get<std::string>();
  if (it->is_array()) {
    std::vector<std::string> names;
    for (const auto& entry : *it) {
      if (!entry.is_object()) continue;
      auto n = entry.find("name");
      auto t = entry.find("template");
      if (n == entry.end() || t == entry.end() || !n->is_string() || !t->is_string()) continue;
      if (n->get<std::string>() == name) return t->get<std::string>();
      names.push_back(n->get<std::string>());
    }
    return NotFound(
        fmt::format("tokenizer_config.json has no chat template named '{}' (it has: {})", name,
                    fmt::join(names, ", ")));
  }
  return Corrupt("tokenizer_config.json's chat_template is neither a string nor a list");
}

Result<std::string> FindChatTemplate(const io::ModelFileSet& files, std::string_view name) {
  constexpr std::string_view kJinja = "chat_template.jinja";
  constexpr std::string_view kConfig = "tokenizer_config.json";
  if (name == "default" && files.Has(kJinja)) {
    return io::ReadSmallFile(files, kJinja, io::kConfigMaxBytes);
  }
  if (!files.Has(kConfig)) {
    return NotFound(
        fmt::format("no chat template in {}: neither chat_template.jinja nor "
                    "tokenizer_config.json exists",
                    files.description()));
  }
  HFD_ASSIGN_OR_RETURN(std::string config, io::ReadSmallFile(files, kConfig, io::kConfigMaxBytes));
  return ChatTemplateFromTokenizerConfig(config, name);
}

Result<std::string> FindChatTemplate(const std::filesystem::path& model_dir,
                                     std::string_view name) {
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<io::ModelFileSet> files, io::OpenLocalDirectory(model_dir));
  return FindChatTemplate(*files, name);
}

Result<ChatTemplate> ChatTemplateFromGguf(std::string_view metadata_value) {
  if (metadata_value.empty()) {
    return NotFound("the GGUF file has no tokenizer.chat_template");
  }
  return ChatTemplate::Parse(metadata_value);
}

Status SpecialTokensFromTokenizerConfig(std::string_view config_json, RenderOptions* options) {
  HFD_ASSIGN_OR_RETURN(nlohmann::json config, ParseConfig(config_json));
  options->bos_token = config.contains("bos_token") ? TokenText(config["bos_token"]) : "";
  options->eos_token = config.contains("eos_token") ? TokenText(config["eos_token"]) : "";
  return Status::Ok();
}

}  // namespace hfd::chat
