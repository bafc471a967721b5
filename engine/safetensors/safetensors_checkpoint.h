// A Hugging Face checkpoint's weights: `model.safetensors`, or the shards listed by
// `model.safetensors.index.json`, seen as one set of named tensors.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/io/model_file_set.h"
#include "engine/safetensors/safetensors_file.h"

namespace hfd::safetensors {

// Immutable after Open: safe to read from any thread.
class Checkpoint {
 public:
  // Opens the weights among `files`. With an index, every shard it names is opened once
  // and every tensor it maps must exist in its shard; shard names must be plain file names
  // beside the index.
  static Result<std::unique_ptr<Checkpoint>> Open(const io::ModelFileSet& files);
  // The same for a local model directory (tests), read through io::OpenLocalDirectory.
  static Result<std::unique_ptr<Checkpoint>> Open(const std::filesystem::path& dir);

  // Null when absent.
  const HeaderEntry* Find(std::string_view name) const;
  // The tensor's bytes; `entry` must come from Find (else data is null).
  Tensor Get(const HeaderEntry& entry) const;
  // Every tensor name, sorted.
  std::vector<std::string> names() const;
  // The names (in the file set) of the files it maps, in the order opened.
  std::vector<std::string> file_names() const;
  // Corrupt naming the first shard truncated while mapped.
  Status CheckIntact() const;

 private:
  Checkpoint() = default;
  Status Add(std::unique_ptr<SafetensorsFile> file);

  std::vector<std::unique_ptr<SafetensorsFile>> files_;
  std::unordered_map<std::string_view, std::pair<const HeaderEntry*, const SafetensorsFile*>>
      index_;
};

}  // namespace hfd::safetensors
