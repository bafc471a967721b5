// Tokenizer::FromHfFiles / FromHfDir / FromJson: tokenizer.json (+ tokenizer_config.json
// and generation_config.json) into a TokenizerModel.
#include <filesystem>

#include "engine/io/local_file_set.h"
#include "engine/io/read_small_file.h"
#include "engine/tokenizer/hf_config.h"
#include "engine/tokenizer/model_builder.h"
#include "engine/tokenizer/post_processor.h"
#include "engine/tokenizer/tokenizer.h"
#include "engine/tokenizer/tokenizer_json_reader.h"
#include "engine/tokenizer/tokenizer_model.h"
#include "engine/tokenizer/unigram_loader.h"

namespace hfd::tok {
namespace {

using json = nlohmann::json;

constexpr std::string_view kTokenizerJson = "tokenizer.json";

// A symbolic link checked out by git without symlink support is a small file holding the
// link's relative target (the fixtures' tiny-qwen3/tokenizer.json is one): follow it once,
// through the same file set, so it reaches no file the set would not open.
Result<std::string> ReadFollowingGitLink(const io::ModelFileSet& files) {
  HFD_ASSIGN_OR_RETURN(std::string text,
                       io::ReadSmallFile(files, kTokenizerJson, io::kTokenizerJsonMaxBytes));
  const bool looks_like_link = !text.empty() && text.size() < 1024 && text[0] != '{' &&
                               text[0] != '/' && text.find_first_of("\n{") == std::string::npos;
  if (!looks_like_link || !files.Has(text)) return text;
  return io::ReadSmallFile(files, text, io::kTokenizerJsonMaxBytes);
}

// A config file that may be absent: "" when it is.
Result<std::string> ReadOptionalConfig(const io::ModelFileSet& files, std::string_view name) {
  if (!files.Has(name)) return std::string();
  return io::ReadSmallFile(files, name, io::kConfigMaxBytes);
}

Status FillVocab(TokenizerJson& doc, TokenizerModel& m) {
  if (doc.vocab.empty()) return Corrupt("model.vocab is missing or empty");
  int64_t max_id = -1;
  for (const auto& [text, id] : doc.vocab) {
    if (id < 0 || id >= INT32_MAX) {
      return Corrupt("model.vocab gives '" + text + "' the invalid id " + std::to_string(id));
    }
    max_id = std::max(max_id, id);
  }
  if (const json* added = Member(doc.rest, "added_tokens"); added && added->is_array()) {
    for (const json& t : *added) {
      const json* id = Member(t, "id");
      if (id && id->is_number_integer()) max_id = std::max(max_id, id->get<int64_t>());
    }
  }
  if (max_id >= (int64_t{1} << 24)) {
    return Corrupt("token id " + std::to_string(max_id) + " is implausibly large");
  }
  m.vocab.assign(static_cast<size_t>(max_id) + 1, std::string());
  for (auto& [text, id] : doc.vocab) m.vocab[id] = std::move(text);
  m.index.Build(m.vocab);
  return Status::Ok();
}

Status FillMerges(const TokenizerJson& doc, TokenizerModel& m) {
  std::vector<MergeText> merges;
  merges.reserve(doc.merges.size());
  for (const TokenizerJson::Merge& merge : doc.merges) {
    merges.push_back({doc.MergeLeft(merge), doc.MergeRight(merge)});
  }
  return AddRankedMerges(m, merges);
}

Status FillFromTokenizerJson(std::string_view text, TokenizerModel& m) {
  HFD_ASSIGN_OR_RETURN(TokenizerJson doc, ReadTokenizerJson(text));
  if (!doc.rest.is_object()) return Corrupt("the top level is not a JSON object");
  HFD_RETURN_IF_ERROR(CheckModelType(doc.rest));
  const json& model = *Member(doc.rest, "model");
  if (const json* type = Member(model, "type"); type && *type == "Unigram") {
    HFD_RETURN_IF_ERROR(ReadUnigramJson(model, m));
  } else {
    HFD_RETURN_IF_ERROR(FillVocab(doc, m));
    HFD_RETURN_IF_ERROR(FillMerges(doc, m));
  }
  HFD_RETURN_IF_ERROR(ReadPipeline(doc.rest, m));
  HFD_RETURN_IF_ERROR(ReadAddedTokens(doc.rest, m));
  return ReadPostProcessor(doc.rest, m);
}

Result<std::unique_ptr<TokenizerModel>> BuildModel(std::string_view tokenizer_json,
                                                   std::string_view config_json,
                                                   std::string_view generation_json) {
  auto m = std::make_unique<TokenizerModel>();
  try {
    HFD_RETURN_IF_ERROR(FillFromTokenizerJson(tokenizer_json, *m).WithContext("tokenizer.json"));
    if (!config_json.empty()) {
      HFD_RETURN_IF_ERROR(
          ApplyTokenizerConfig(config_json, *m).WithContext("tokenizer_config.json"));
    }
    if (!generation_json.empty()) {
      HFD_RETURN_IF_ERROR(
          ApplyGenerationConfig(generation_json, *m).WithContext("generation_config.json"));
    }
  } catch (const json::exception& e) {
    return Corrupt(std::string("unexpected JSON content: ") + e.what());
  }
  if (m->eos_id >= 0) m->eog_ids.push_back(m->eos_id);
  return m;
}

}  // namespace

Result<std::unique_ptr<Tokenizer>> Tokenizer::FromJson(std::string_view tokenizer_json,
                                                       std::string_view tokenizer_config_json,
                                                       std::string_view generation_config_json) {
  auto model = BuildModel(tokenizer_json, tokenizer_config_json, generation_config_json);
  if (!model.ok()) return model.status();
  return Create(std::move(model).value());
}

Result<std::unique_ptr<Tokenizer>> Tokenizer::FromHfFiles(const io::ModelFileSet& files) {
  if (!files.Has(kTokenizerJson)) {
    return NotFound("no tokenizer.json in '" + files.description() +
                    "' (only tokenizer.json is supported, not tokenizer.model alone)");
  }
  HFD_ASSIGN_OR_RETURN(std::string text, ReadFollowingGitLink(files));
  HFD_ASSIGN_OR_RETURN(std::string config, ReadOptionalConfig(files, "tokenizer_config.json"));
  HFD_ASSIGN_OR_RETURN(std::string generation, ReadOptionalConfig(files, "generation_config.json"));
  auto tokenizer = FromJson(text, config, generation);
  if (!tokenizer.ok()) return tokenizer.status().WithContext(files.description());
  return tokenizer;
}

Result<std::unique_ptr<Tokenizer>> Tokenizer::FromHfDir(const std::filesystem::path& dir) {
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<io::ModelFileSet> files, io::OpenLocalDirectory(dir));
  return FromHfFiles(*files);
}

}  // namespace hfd::tok
