#include "serve/text_cache.h"

#include <sys/stat.h>

namespace hfd::serve {

ModelTextCache::Stamp ModelTextCache::StampOf(const ModelSource& source) {
  // A file that cannot be opened gets the empty stamp; loading it then reports why.
  Result<UniqueFd> fd = source.files->Open(source.gguf.empty() ? "tokenizer.json" : source.gguf);
  struct stat st {};
  if (!fd.ok() || ::fstat(fd->get(), &st) != 0) return {};
  return {st.st_mtim, st.st_ino};
}

Result<std::shared_ptr<const ModelText>> ModelTextCache::Get(const ModelSource& source) {
  const Stamp stamp = StampOf(source);
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->key != source.key || !(it->stamp == stamp)) continue;
      entries_.splice(entries_.begin(), entries_, it);
      return entries_.front().text;
    }
  }
  HFD_ASSIGN_OR_RETURN(std::shared_ptr<const ModelText> text, LoadModelText(source));
  std::lock_guard<std::mutex> lock(mu_);
  entries_.remove_if([&](const Entry& e) { return e.key == source.key; });
  entries_.push_front({source.key, stamp, text});
  if (entries_.size() > capacity_) entries_.pop_back();
  return text;
}

}  // namespace hfd::serve
