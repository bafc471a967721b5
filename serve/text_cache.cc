#include "serve/text_cache.h"

namespace hfd::serve {
namespace fs = std::filesystem;
namespace {

// A stamp that changes when the tokenizer's file is rewritten.
fs::file_time_type Stamp(const fs::path& source) {
  std::error_code ec;
  const fs::path file = fs::is_directory(source, ec) ? source / "tokenizer.json" : source;
  const fs::file_time_type t = fs::last_write_time(file, ec);
  return ec ? fs::file_time_type::min() : t;
}

}  // namespace

Result<std::shared_ptr<const ModelText>> ModelTextCache::Get(const fs::path& source) {
  const fs::file_time_type stamp = Stamp(source);
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->source != source || it->stamp != stamp) continue;
      entries_.splice(entries_.begin(), entries_, it);
      return entries_.front().text;
    }
  }
  HFD_ASSIGN_OR_RETURN(std::shared_ptr<const ModelText> text, LoadModelText(source));
  std::lock_guard<std::mutex> lock(mu_);
  entries_.remove_if([&](const Entry& e) { return e.source == source; });
  entries_.push_front({source, stamp, text});
  if (entries_.size() > capacity_) entries_.pop_back();
  return text;
}

}  // namespace hfd::serve
