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

std::vector<ListedFile> ListSnapshot(const RepoCache& cache, const std::string& commit) {
  std::vector<ListedFile> out;
  for (std::string& path : cache.ListSnapshotFiles(commit)) {
    const std::optional<struct stat> st = cache.StatSnapshotFile(commit, path);
    if (st) out.push_back({std::move(path), static_cast<uint64_t>(st->st_size)});
  }
  return out;
}

std::optional<Selection> CompleteLocalSelection(const RepoCache& cache, const std::string& commit,
                                                const SelectionRequest& request) {
  const std::vector<ListedFile> listing = ListSnapshot(cache, commit);
  if (listing.empty()) return std::nullopt;
  Result<Selection> selected = SelectFiles(listing, request);
  if (!selected.ok()) return std::nullopt;
  const std::string index = "model.safetensors.index.json";
  const std::vector<std::string>& files = selected->files;
  if (std::binary_search(files.begin(), files.end(), index)) {
    std::vector<std::string> present;
    present.reserve(listing.size());
    for (const ListedFile& f : listing) present.push_back(f.path);
    Result<std::string> text = cache.ReadSnapshotFile(commit, index, kMaxIndexBytes);
    if (!text.ok() || !IndexShardsPresent(*text, present)) return std::nullopt;
  }
  return std::move(selected).value();
}

}  // namespace hfd::hub
