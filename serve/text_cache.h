// A model's text side (its tokenizer and chat template, read by serve/model_source.h),
// kept in a small LRU shared by model loads and the tokenizer methods, so a vocabulary of
// 150k entries is read once, not once per load and once per `tokenize`.
#pragma once

#include <cstddef>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <string>

#include "hfd/status.h"
#include "serve/model_source.h"

namespace hfd::serve {

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

}  // namespace hfd::serve
