// Opens a model from its files, whatever its format: a .gguf file, or a Hugging Face
// checkpoint (config.json + model.safetensors or sharded safetensors).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "engine/io/model_file_set.h"
#include "engine/model/derived_weights.h"
#include "engine/model/model_desc.h"
#include "engine/model/weights.h"

namespace hfd::model {

enum class ModelFormat { kGguf, kSafetensors };

// The description and weights of one model. Immutable after opening: safe to read from
// any number of threads. Views it hands out live as long as this object.
class ModelFiles {
 public:
  virtual ~ModelFiles() = default;

  virtual ModelFormat format() const = 0;
  virtual const ModelDesc& desc() const = 0;
  // The weight with a canonical (GGUF) name, e.g. "blk.0.attn_q.weight"; NotFound naming
  // it when the model has no such tensor.
  virtual Result<WeightView> Weight(std::string_view canonical_name) const = 0;
  virtual bool HasWeight(std::string_view canonical_name) const = 0;
  // Canonical names of all weights, sorted.
  virtual std::vector<std::string> WeightNames() const = 0;
  // The GGUF file (for its tokenizer metadata and chat template); null for safetensors.
  virtual const gguf::GgufFile* gguf() const = 0;
  // Corrupt when a file was truncated while mapped: weights read since then were zeros
  // (io::MappingGuard), so results computed from them are wrong.
  virtual Status CheckIntact() const = 0;
  // Weights computed from this model's at load (a backend's own layout of them), keyed by
  // `key` plus this model's files: a file of the DerivedStore the model was opened with,
  // built on first use and mapped after, or memory when it was opened without one. `what`
  // says what they are, for the log. The result may outlive this object only if the
  // tensors' fills do not read it.
  virtual Result<std::unique_ptr<DerivedViews>> Derive(DerivedKey key,
                                                       const std::vector<DerivedTensor>& tensors,
                                                       std::string_view what) const = 0;
};

// Opens the GGUF file `gguf_name` of `files`, or, when `gguf_name` is empty, the Hugging
// Face checkpoint they hold. Checks that every weight the description needs exists with a
// shape that matches it. The result keeps what it mapped; `files` may go. Weights repacked
// at load (gpt-oss's safetensors experts, ModelFiles::Derive) are kept in a file of
// `derived`, built on the first load and mapped on later ones; without a store they are
// built in memory.
Result<std::unique_ptr<ModelFiles>> OpenModelFiles(const io::ModelFileSet& files,
                                                   std::string_view gguf_name,
                                                   const DerivedStore* derived = nullptr);

// The same for a local path (tools, tests, benches): a file is read as GGUF, a directory as
// a Hugging Face checkpoint.
Result<std::unique_ptr<ModelFiles>> OpenModelFiles(const std::filesystem::path& path,
                                                   const DerivedStore* derived = nullptr);

}  // namespace hfd::model
