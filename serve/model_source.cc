#include "serve/model_source.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <vector>

#include "engine/chat/template_source.h"
#include "engine/gguf/gguf_file.h"
#include "hub/model_ref.h"
#include "hub/repo_cache.h"

namespace hfd::serve {
namespace fs = std::filesystem;
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Inside a snapshot: the directory when it has tokenizer.json, else a GGUF file (the one
// matching the quant selector, else the first; split GGUFs keep the vocabulary in part 1).
Result<fs::path> PickInSnapshot(const hub::RepoCache& cache, const std::string& commit,
                                const hub::ModelRef& ref) {
  const fs::path dir = cache.snapshot_dir(commit);
  if (cache.HasSnapshotFile(commit, "tokenizer.json")) return dir;
  std::vector<std::string> ggufs;
  for (const std::string& file : cache.ListSnapshotFiles(commit)) {
    if (file.ends_with(".gguf")) ggufs.push_back(file);
  }
  const std::string quant = Lower(ref.quant);
  for (const std::string& file : ggufs) {
    if (!quant.empty() && Lower(file).find(quant) != std::string::npos) return dir / file;
  }
  if (!ggufs.empty() && quant.empty()) return dir / ggufs.front();
  return NotFound("the cached snapshot of " + ref.ToString() + " (" + dir.string() +
                  ") has no tokenizer.json and no " + (quant.empty() ? "" : ref.quant + " ") +
                  ".gguf file");
}

Result<fs::path> ResolveHubModel(const std::string& model, const fs::path& hub_cache_dir) {
  HFD_ASSIGN_OR_RETURN(hub::ModelRef ref, hub::ParseModelRef(model));
  const std::string pull_hint =
      "; run `hfctl pull " + ref.ToString() + "` first (these commands never download)";
  if (hub_cache_dir.empty()) return NotFound("no Hub cache directory is configured" + pull_hint);
  const hub::RepoCache cache(hub_cache_dir, ref.repo_id);
  std::string commit = ref.revision;
  if (!hub::IsCommitSha(commit)) {
    HFD_ASSIGN_OR_RETURN(std::optional<std::string> recorded, cache.ReadRef(ref.revision));
    if (!recorded) {
      return NotFound(ref.ToString() + " is not in the Hub cache " + hub_cache_dir.string() +
                      pull_hint);
    }
    commit = *recorded;
  }
  std::error_code ec;
  if (!fs::is_directory(cache.snapshot_dir(commit), ec)) {
    return NotFound("snapshot " + commit + " of " + ref.repo_id + " is not in the Hub cache " +
                    hub_cache_dir.string() + pull_hint);
  }
  return PickInSnapshot(cache, commit, ref);
}

Result<std::string> ReadSmallFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Template tokens from the tokenizer's own BOS/EOS, overridden by tokenizer_config.json.
void SetSpecialTokens(const tok::Tokenizer& tokenizer, const fs::path& config_path,
                      chat::RenderOptions& options) {
  if (tokenizer.bos_id() >= 0) options.bos_token = tokenizer.TokenText(tokenizer.bos_id());
  if (tokenizer.eos_id() >= 0) options.eos_token = tokenizer.TokenText(tokenizer.eos_id());
  if (config_path.empty()) return;
  Result<std::string> config = ReadSmallFile(config_path);
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

Result<chat::ChatTemplate> TemplateFromDir(const fs::path& dir) {
  HFD_ASSIGN_OR_RETURN(std::string source, chat::FindChatTemplate(dir));
  return chat::ChatTemplate::Parse(source);
}

Result<chat::ChatTemplate> TemplateFromGguf(const gguf::GgufFile& file, const fs::path& path) {
  if (!file.Has("tokenizer.chat_template")) {
    return NotFound(path.string() + " has no tokenizer.chat_template");
  }
  HFD_ASSIGN_OR_RETURN(std::string source, file.GetString("tokenizer.chat_template"));
  return chat::ChatTemplateFromGguf(source);
}

}  // namespace

Result<fs::path> ResolveModelSource(const std::string& model, const fs::path& hub_cache_dir) {
  if (model.empty()) return InvalidArgument("param 'model' is empty");
  if (model.front() == '/') {
    std::error_code ec;
    fs::path canonical = fs::canonical(model, ec);
    if (ec) return NotFound("model path " + model + ": " + ec.message());
    return canonical;
  }
  if (hub::IsLocalPath(model)) {
    return InvalidArgument("model path '" + model +
                           "' is relative; send an absolute path (hfctl makes paths absolute)");
  }
  return ResolveHubModel(model, hub_cache_dir);
}

Result<std::shared_ptr<const ModelText>> LoadModelText(const fs::path& source) {
  auto text = std::make_shared<ModelText>();
  std::error_code ec;
  if (fs::is_directory(source, ec)) {
    HFD_ASSIGN_OR_RETURN(text->tokenizer, tok::Tokenizer::FromHfDir(source));
    const fs::path config = source / "tokenizer_config.json";
    SetSpecialTokens(*text->tokenizer, fs::exists(config, ec) ? config : fs::path(),
                     text->render_options);
    SetTemplate(TemplateFromDir(source), *text);
    return std::shared_ptr<const ModelText>(std::move(text));
  }
  if (source.extension() != ".gguf") {
    return InvalidArgument(source.string() +
                           " is neither a .gguf file nor a model directory with tokenizer.json");
  }
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<gguf::GgufFile> file, gguf::GgufFile::Open(source));
  HFD_ASSIGN_OR_RETURN(text->tokenizer, tok::Tokenizer::FromGguf(*file));
  SetSpecialTokens(*text->tokenizer, fs::path(), text->render_options);
  SetTemplate(TemplateFromGguf(*file, source), *text);
  return std::shared_ptr<const ModelText>(std::move(text));
}

}  // namespace hfd::serve
