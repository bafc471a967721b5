// What the tokenizer methods (tokenize, detokenize, render_chat) load for a model: its
// tokenizer and chat template, found from a local path or a cached Hub snapshot, and kept
// in a small LRU so repeated calls don't reload a 150k-entry vocabulary.
#pragma once

#include <cstddef>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "engine/chat/chat_template.h"
#include "engine/tokenizer/tokenizer.h"
#include "hfd/status.h"

namespace hfd::daemon {

// A model's text side. Immutable once loaded; shared by concurrent requests.
struct ModelText {
  std::unique_ptr<tok::Tokenizer> tokenizer;
  std::optional<chat::ChatTemplate> chat_template;
  Status template_error;               // why chat_template is empty
  chat::RenderOptions render_options;  // bos_token / eos_token for the template
};

// The file or directory a model reference names, canonical. `model` is an absolute local
// path (a .gguf file or a Hugging Face model directory) or a Hub id `org/name[@rev][:QUANT]`
// looked up in `hub_cache_dir` without the network.
Result<std::filesystem::path> ResolveModelSource(const std::string& model,
                                                 const std::filesystem::path& hub_cache_dir);

// Reads a tokenizer and chat template from a .gguf file or a model directory.
Result<std::shared_ptr<const ModelText>> LoadModelText(const std::filesystem::path& source);

// Thread-safe. Loads happen on the calling thread (a worker) outside the lock; an entry is
// reloaded when its file changed on disk.
class ModelTextCache {
 public:
  explicit ModelTextCache(std::size_t capacity) : capacity_(capacity) {}
  Result<std::shared_ptr<const ModelText>> Get(const std::filesystem::path& source);

 private:
  struct Entry {
    std::filesystem::path source;
    std::filesystem::file_time_type stamp;
    std::shared_ptr<const ModelText> text;
  };
  const std::size_t capacity_;
  std::mutex mu_;
  std::list<Entry> entries_;  // most recently used first
};

}  // namespace hfd::daemon
