#include "engine/safetensors/safetensors_checkpoint.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

#include "engine/io/local_file_set.h"
#include "engine/io/read_small_file.h"

namespace hfd::safetensors {
namespace {

constexpr std::string_view kSingle = "model.safetensors";
constexpr std::string_view kIndex = "model.safetensors.index.json";

// A shard name must stay inside the model directory.
bool IsPlainFileName(const std::string& name) {
  return !name.empty() && name.find('/') == std::string::npos && name != "." && name != ".." &&
         name.find('\0') == std::string::npos;
}

Result<std::map<std::string, std::string>> ReadWeightMap(const io::ModelFileSet& files) {
  const std::string label = files.Label(kIndex);
  HFD_ASSIGN_OR_RETURN(const std::string text,
                       io::ReadSmallFile(files, kIndex, io::kWeightIndexMaxBytes));
  const nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return Corrupt(label + " is not valid JSON");
  const auto map = doc.find("weight_map");
  if (map == doc.end() || !map->is_object()) {
    return Corrupt(label + " has no \"weight_map\" object");
  }
  std::map<std::string, std::string> out;
  for (const auto& [tensor, file] : map->items()) {
    if (!file.is_string() || !IsPlainFileName(file.get<std::string>())) {
      return Corrupt(label + ": tensor '" + tensor +
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
      return Corrupt("tensor '" + e.name + "' appears in two shards (again in " + file->label() +
                     ")");
    }
  }
  files_.push_back(std::move(file));
  return Status::Ok();
}

Result<std::unique_ptr<Checkpoint>> Checkpoint::Open(const io::ModelFileSet& files) {
  std::unique_ptr<Checkpoint> ckpt(new Checkpoint());
  if (!files.Has(kIndex)) {
    if (!files.Has(kSingle)) {
      return NotFound("no model.safetensors or model.safetensors.index.json in " +
                      files.description() + "; is the download complete?");
    }
    HFD_ASSIGN_OR_RETURN(std::unique_ptr<SafetensorsFile> file,
                         SafetensorsFile::Open(files, kSingle));
    HFD_RETURN_IF_ERROR(ckpt->Add(std::move(file)));
    return ckpt;
  }
  std::map<std::string, std::string> weight_map;
  try {
    HFD_ASSIGN_OR_RETURN(weight_map, ReadWeightMap(files));
  } catch (const std::exception& e) {
    return Corrupt(files.Label(kIndex) + " could not be read: " + e.what());
  }
  std::vector<std::string> shards;
  for (const auto& [tensor, shard] : weight_map) shards.push_back(shard);
  std::sort(shards.begin(), shards.end());
  shards.erase(std::unique(shards.begin(), shards.end()), shards.end());
  for (const std::string& shard : shards) {
    HFD_ASSIGN_OR_RETURN(std::unique_ptr<SafetensorsFile> file,
                         SafetensorsFile::Open(files, shard));
    HFD_RETURN_IF_ERROR(ckpt->Add(std::move(file)));
  }
  for (const auto& [tensor, shard] : weight_map) {
    const auto it = ckpt->index_.find(tensor);
    if (it == ckpt->index_.end() || it->second.second->name() != shard) {
      return Corrupt(files.Label(kIndex) + " says tensor '" + tensor + "' is in " + shard +
                     ", but it is not there");
    }
  }
  return ckpt;
}

Result<std::unique_ptr<Checkpoint>> Checkpoint::Open(const std::filesystem::path& dir) {
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<io::ModelFileSet> files, io::OpenLocalDirectory(dir));
  return Open(*files);
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

std::vector<std::string> Checkpoint::file_names() const {
  std::vector<std::string> out;
  for (const auto& file : files_) out.push_back(file->name());
  return out;
}

std::vector<std::string> Checkpoint::names() const {
  std::vector<std::string> out;
  for (const auto& [name, where] : index_) out.emplace_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

Status Checkpoint::CheckIntact() const {
  for (const auto& file : files_) HFD_RETURN_IF_ERROR(file->CheckIntact());
  return Status::Ok();
}

}  // namespace hfd::safetensors
