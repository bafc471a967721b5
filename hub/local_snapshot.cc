#include "hub/local_snapshot.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace hfd::hub {
namespace {

// True when every shard named in the index's weight_map is in `files`.
bool IndexShardsPresent(const std::filesystem::path& index, const std::vector<std::string>& files) {
  std::ifstream in(index);
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, false);
  if (!json.is_object() || !json.contains("weight_map") || !json["weight_map"].is_object()) {
    return false;
  }
  for (const auto& [tensor, shard] : json["weight_map"].items()) {
    if (!shard.is_string() ||
        !std::binary_search(files.begin(), files.end(), shard.get<std::string>())) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<std::vector<std::string>> CompleteLocalSelection(const RepoCache& cache,
                                                               const std::string& commit,
                                                               const SelectionRequest& request) {
  const std::vector<std::string> files = cache.ListSnapshotFiles(commit);
  if (files.empty()) return std::nullopt;
  Result<std::vector<std::string>> selected = SelectFiles(files, request);
  if (!selected.ok()) return std::nullopt;
  const std::string index = "model.safetensors.index.json";
  if (std::binary_search(selected->begin(), selected->end(), index) &&
      !IndexShardsPresent(cache.snapshot_dir(commit) / index, files)) {
    return std::nullopt;
  }
  return std::move(selected).value();
}

}  // namespace hfd::hub
