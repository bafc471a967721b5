#include "bench/serve/model_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "common/unique_fd.h"
#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"

namespace hfd::bench {
namespace {

constexpr const char* kChatTemplateKey = "tokenizer.chat_template";
// <|role|> headers, each turn closed by the end-of-sequence token.
constexpr const char* kZephyrStyleTemplate =
    "{% for message in messages %}{{ '<|' + message['role'] + '|>\n' + message['content'] + "
    "eos_token + '\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\n' }}"
    "{% endif %}";

struct EncodedKey {
  std::string key;
  gguf::ValueType type;
  std::string encoded;  // the value as GgufWriter::AddRaw takes it
};

// The `tokenizer.*` keys of a GGUF file, re-encoded for a writer, but for the bos and eos
// ids: the synthetic writer writes those from the description, so they go into `desc`.
Result<std::vector<EncodedKey>> TokenizerKeys(const std::filesystem::path& path,
                                              model::ModelDesc* desc) {
  HFD_ASSIGN_OR_RETURN(auto file, gguf::GgufFile::Open(path));
  HFD_ASSIGN_OR_RETURN(auto tokens, file->GetStringViewArray("tokenizer.ggml.tokens"));
  if (static_cast<int64_t>(tokens.size()) != desc->n_vocab) {
    return InvalidArgument(fmt::format("{} has {} tokens; the shape needs a vocabulary of {}",
                                       path.string(), tokens.size(), desc->n_vocab));
  }
  std::vector<EncodedKey> keys;
  for (const gguf::MetadataEntry& e : file->metadata()) {
    if (e.key.rfind("tokenizer.", 0) != 0) continue;
    if (e.key == "tokenizer.ggml.bos_token_id") {
      HFD_ASSIGN_OR_RETURN(const uint32_t bos, file->GetU32(e.key));
      desc->bos_id = static_cast<int32_t>(bos);
      continue;
    }
    if (e.key == "tokenizer.ggml.eos_token_id") {
      HFD_ASSIGN_OR_RETURN(const uint32_t eos, file->GetU32(e.key));
      desc->eos_ids = {static_cast<int32_t>(eos)};
      continue;
    }
    keys.push_back({e.key, e.type, gguf::GgufWriter::EncodeEntry(e)});
  }
  if (std::none_of(keys.begin(), keys.end(),
                   [](const EncodedKey& k) { return k.key == kChatTemplateKey; })) {
    keys.push_back({kChatTemplateKey, gguf::ValueType::kString,
                    gguf::GgufWriter::EncodeString(kZephyrStyleTemplate)});
  }
  return keys;
}

}  // namespace

Status EnsureServableModel(model::ModelDesc desc, const std::string& mix,
                           const std::filesystem::path& tokenizer_gguf,
                           const std::filesystem::path& path) {
  if (std::filesystem::exists(path)) return Status::Ok();
  HFD_ASSIGN_OR_RETURN(auto keys, TokenizerKeys(tokenizer_gguf, &desc));
  std::filesystem::create_directories(path.parent_path());
  return WriteSyntheticModel(desc, mix, path, 1, [&](gguf::GgufWriter& w) {
    for (EncodedKey& k : keys) w.AddRaw(k.key, k.type, std::move(k.encoded));
  });
}

Result<double> ResidentFraction(const std::filesystem::path& path) {
  const UniqueFd f(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!f.valid()) return ErrnoError("open " + path.string(), errno);
  const off_t size = ::lseek(f.get(), 0, SEEK_END);
  if (size <= 0) return 0.0;
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, f.get(), 0);
  if (map == MAP_FAILED) return ErrnoError("mmap " + path.string(), errno);
  const long page = ::sysconf(_SC_PAGESIZE);
  std::vector<unsigned char> pages((size + page - 1) / page);
  const int rc = ::mincore(map, size, pages.data());
  const int err = errno;
  ::munmap(map, size);
  if (rc != 0) return ErrnoError("mincore " + path.string(), err);
  size_t resident = 0;
  for (unsigned char p : pages) resident += p & 1;
  return static_cast<double>(resident) / pages.size();
}

Status DropFromPageCache(const std::filesystem::path& path) {
  const UniqueFd f(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!f.valid()) return ErrnoError("open " + path.string(), errno);
  const int rc = ::posix_fadvise(f.get(), 0, 0, POSIX_FADV_DONTNEED);
  return rc == 0 ? Status::Ok() : ErrnoError("posix_fadvise " + path.string(), rc);
}

}  // namespace hfd::bench
