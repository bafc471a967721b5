#include "engine/safetensors/safetensors_checkpoint.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

namespace hfd::safetensors {
namespace {

constexpr std::string_view kSingle = "model.safetensors";
constexpr std::string_view kIndex = "model.safetensors.index.json";

// A shard name must stay inside the model directory.
bool IsPlainFileName(const std::string& name) {
  return !name.empty() && name.find('/') == std::string::npos && name != "." && name != ".." &&
         name.find('\0') == std::string::npos;
}

Result<std::map<std::string, std::string>> ReadWeightMap(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot read " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return Corrupt(path.string() + " is not valid JSON");
  const auto map = doc.find("weight_map");
  if (map == doc.end() || !map->is_object()) {
    return Corrupt(path.string() + " has no \"weight_map\" object");
  }
  std::map<std::string, std::string> out;
  for (const auto& [tensor, file] : map->items()) {
    if (!file.is_string() || !IsPlainFileName(file.get<std::string>())) {
      return Corrupt(path.string() + ": tensor '" + tensor +
                     "' maps to an invalid shard name (must be a file in the same directory)");
    }
    out[tensor] = file.get<std::string>();
  }
  return out;
}

}  // namespace

Status Checkpoint::Add(std::unique_ptr<SafetensorsFile> file) {
  for (const HeaderEntry& e : file->header().tensors) {
    if (!index_.emplace(e.name, std::make_pair(&e, file.get())).second) {
      return Corrupt("tensor '" + e.name + "' appears in two shards (again in " +
                     file->path().string() + ")");
    }
  }
  files_.push_back(std::move(file));
  return Status::Ok();
}

Result<std::unique_ptr<Checkpoint>> Checkpoint::Open(const std::filesystem::path& dir) {
  std::unique_ptr<Checkpoint> ckpt(new Checkpoint());
  const std::filesystem::path index_path = dir / kIndex;
  std::error_code ec;
  if (!std::filesystem::exists(index_path, ec)) {
    const std::filesystem::path single = dir / kSingle;
    if (!std::filesystem::exists(single, ec)) {
      return NotFound("no model.safetensors or model.safetensors.index.json in " + dir.string() +
                      "; is the download complete?");
    }
    HFD_ASSIGN_OR_RETURN(std::unique_ptr<SafetensorsFile> file, SafetensorsFile::Open(single));
    HFD_RETURN_IF_ERROR(ckpt->Add(std::move(file)));
    return ckpt;
  }
  std::map<std::string, std::string> weight_map;
  try {
    HFD_ASSIGN_OR_RETURN(weight_map, ReadWeightMap(index_path));
  } catch (const std::exception& e) {
    return Corrupt(index_path.string() + " could not be read: " + e.what());
  }
  std::vector<std::string> shards;
  for (const auto& [tensor, shard] : weight_map) shards.push_back(shard);
  std::sort(shards.begin(), shards.end());
  shards.erase(std::unique(shards.begin(), shards.end()), shards.end());
  for (const std::string& shard : shards) {
    HFD_ASSIGN_OR_RETURN(std::unique_ptr<SafetensorsFile> file, SafetensorsFile::Open(dir / shard));
    HFD_RETURN_IF_ERROR(ckpt->Add(std::move(file)));
  }
  for (const auto& [tensor, shard] : weight_map) {
    const auto it = ckpt->index_.find(tensor);
    if (it == ckpt->index_.end() || it->second.second->path().filename() != shard) {
      return Corrupt(index_path.string() + " says tensor '" + tensor + "' is in " + shard +
                     ", but it is not there");
    }
  }
  return ckpt;
}

const HeaderEntry* Checkpoint::Find(std::string_view name) const {
  const auto it = index_.find(name);
  return it == index_.end() ? nullptr : it->second.first;
}

Tensor Checkpoint::Get(const HeaderEntry& entry) const {
  const auto it = index_.find(entry.name);
  if (it == index_.end() || it->second.first != &entry) return {&entry, nullptr, 0};
  return it->second.second->Get(entry);
}

std::vector<std::string> Checkpoint::names() const {
  std::vector<std::string> out;
  for (const auto& [name, where] : index_) out.emplace_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace hfd::safetensors
