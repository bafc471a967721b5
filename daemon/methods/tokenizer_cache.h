// What the tokenizer methods (tokenize, detokenize, render_chat) load for a model (its
// tokenizer and chat template, read by serve/model_source.h), kept in a small LRU so
// repeated calls don't reload a 150k-entry vocabulary.
#pragma once

#include <cstddef>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <string>

#include "hfd/status.h"
#include "serve/model_source.h"

namespace hfd::daemon {

using serve::ModelText;

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
