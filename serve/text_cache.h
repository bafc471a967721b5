// A model's text side (its tokenizer and chat template, read by serve/model_text.h), kept
// in a small LRU shared by model loads and the tokenizer methods, so a vocabulary of 150k
// entries is read once, not once per load and once per `tokenize`.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>

#include "hfd/status.h"
#include "serve/model_source.h"
#include "serve/model_text.h"

namespace hfd::serve {

// Thread-safe. Loads happen on the calling thread (a worker) outside the lock; entries are
// keyed by ModelSource::key, and one is reloaded when its file changed.
class ModelTextCache {
 public:
  explicit ModelTextCache(std::size_t capacity) : capacity_(capacity) {}
  Result<std::shared_ptr<const ModelText>> Get(const ModelSource& source);

 private:
  struct Stamp {
    timespec mtime{};
    ino_t inode = 0;
    bool operator==(const Stamp& o) const {
      return mtime.tv_sec == o.mtime.tv_sec && mtime.tv_nsec == o.mtime.tv_nsec && inode == o.inode;
    }
  };
  struct Entry {
    std::string key;
    Stamp stamp;
    std::shared_ptr<const ModelText> text;
  };
  // The stamp of the file the tokenizer comes from (the GGUF or tokenizer.json).
  static Stamp StampOf(const ModelSource& source);

  const std::size_t capacity_;
  std::mutex mu_;
  std::list<Entry> entries_;  // most recently used first
};

}  // namespace hfd::serve
