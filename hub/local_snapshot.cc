#include "hub/local_snapshot.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace hfd::hub {
namespace {

// A safetensors index lists every tensor; the largest real ones are a few MiB.
constexpr size_t kMaxIndexBytes = 64u << 20;

// True when every shard named in the index's weight_map is in `files`.
bool IndexShardsPresent(const std::string& index_text, const std::vector<std::string>& files) {
  const nlohmann::json json = nlohmann::json::parse(index_text, nullptr, false);
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
  if (std::binary_search(selected->begin(), selected->end(), index)) {
    Result<std::string> text = cache.ReadSnapshotFile(commit, index, kMaxIndexBytes);
    if (!text.ok() || !IndexShardsPresent(*text, files)) return std::nullopt;
  }
  return std::move(selected).value();
}

}  // namespace hfd::hub
