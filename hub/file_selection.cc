#include "hub/file_selection.h"

#include <fnmatch.h>

#include <algorithm>
#include <regex>
#include <set>

namespace hfd::hub {
namespace {

bool MatchesAny(const std::string& path, const std::vector<std::string>& globs) {
  return std::any_of(globs.begin(), globs.end(), [&](const std::string& g) {
    return fnmatch(g.c_str(), path.c_str(), 0) == 0;
  });
}

bool AtRoot(const std::string& path) { return path.find('/') == std::string::npos; }

// Files that describe the model and its tokenizer, taken alongside safetensors weights.
bool IsModelMetadata(const std::string& path) {
  static const std::set<std::string> kNames = {"config.json",        "generation_config.json",
                                               "tokenizer.json",     "tokenizer_config.json",
                                               "tokenizer.model",    "special_tokens_map.json",
                                               "vocab.json",         "merges.txt",
                                               "added_tokens.json",  "chat_template.jinja",
                                               "chat_template.json", "model.safetensors.index.json",
                                               "modules.json"};
  // A sentence-transformers model's pooling (engine/model/sentence_transformers.h).
  if (path == "1_Pooling/config.json") return true;
  return AtRoot(path) && kNames.count(path) > 0;
}

std::vector<std::string> SafetensorsWeights(const std::vector<std::string>& listing) {
  static const std::regex kShard(R"(.*-\d{5}-of-\d{5}\.safetensors)");
  const bool indexed =
      std::count(listing.begin(), listing.end(), "model.safetensors.index.json") > 0;
  std::vector<std::string> weights;
  for (const std::string& path : listing) {
    if (!AtRoot(path) || !path.ends_with(".safetensors")) continue;
    if (indexed ? std::regex_match(path, kShard) : path == "model.safetensors")
      weights.push_back(path);
  }
  if (weights.empty() && !indexed) {  // an unusual single-file name
    for (const std::string& path : listing) {
      if (AtRoot(path) && path.ends_with(".safetensors")) weights.push_back(path);
    }
  }
  return weights;
}

Result<Selection> SelectGguf(const std::vector<ListedFile>& listing,
                             const SelectionRequest& request) {
  if (std::none_of(listing.begin(), listing.end(),
                   [](const ListedFile& f) { return IsGgufName(f.path); })) {
    return NotFound("'" + request.repo_id + "' has no .gguf files; drop the ':" + request.quant +
                    "' selector to pull its safetensors weights");
  }
  std::vector<ListedFile> matching;
  std::copy_if(listing.begin(), listing.end(), std::back_inserter(matching),
               [&](const ListedFile& f) {
                 return IsGgufName(f.path) && GgufNameHasQuant(f.path, request.quant);
               });
  HFD_ASSIGN_OR_RETURN(std::vector<GgufModel> models, GgufModels(matching, false));
  if (models.size() != 1) {
    HFD_ASSIGN_OR_RETURN(const std::vector<GgufModel> all, GgufModels(listing, true));
    return NotFound(std::string(models.empty() ? "no" : "more than one") + " GGUF file in '" +
                    request.repo_id + "' matches quant '" + request.quant +
                    "'; available quants: " + QuantList(all) +
                    (models.empty() ? "" : "; use --include to pick the file"));
  }
  return Selection{models.front().files, models.front().quant, false};
}

Result<Selection> SelectDefault(const std::vector<ListedFile>& listing,
                                const SelectionRequest& request) {
  std::vector<std::string> paths;
  paths.reserve(listing.size());
  for (const ListedFile& f : listing) paths.push_back(f.path);
  std::vector<std::string> weights = SafetensorsWeights(paths);
  if (!weights.empty()) {
    std::copy_if(paths.begin(), paths.end(), std::back_inserter(weights), IsModelMetadata);
    return Selection{std::move(weights), "", false};
  }
  HFD_ASSIGN_OR_RETURN(const std::vector<GgufModel> models, GgufModels(listing, false));
  const GgufModel* chosen = DefaultGguf(models);
  if (chosen == nullptr) {
    return NotFound("'" + request.repo_id +
                    "' has no safetensors or GGUF weights; use --include to choose files");
  }
  return Selection{chosen->files, chosen->quant, models.size() > 1};
}

}  // namespace

Result<Selection> SelectFiles(const std::vector<ListedFile>& listing,
                              const SelectionRequest& request) {
  Selection selection;
  if (!request.include.empty()) {
    for (const ListedFile& f : listing) {
      if (MatchesAny(f.path, request.include)) selection.files.push_back(f.path);
    }
  } else if (!request.quant.empty()) {
    HFD_ASSIGN_OR_RETURN(selection, SelectGguf(listing, request));
  } else {
    HFD_ASSIGN_OR_RETURN(selection, SelectDefault(listing, request));
  }
  std::vector<std::string>& files = selection.files;
  std::erase_if(files, [&](const std::string& p) { return MatchesAny(p, request.exclude); });
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  if (files.empty()) {
    return NotFound("no file of '" + request.repo_id +
                    "' is left to pull after the --include/"
                    "--exclude patterns");
  }
  return selection;
}

}  // namespace hfd::hub
