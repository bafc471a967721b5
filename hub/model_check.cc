#include "hub/model_check.h"

#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>

namespace hfd::hub {
namespace {

std::string Join(const std::set<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Little-endian reader over a byte prefix; every read reports whether the bytes were there.
class Reader {
 public:
  explicit Reader(const std::string& data) : data_(data) {}
  template <typename T>
  std::optional<T> Read() {
    if (pos_ + sizeof(T) > data_.size()) return std::nullopt;
    T value;
    std::memcpy(&value, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  std::optional<std::string> ReadString() {
    auto len = Read<uint64_t>();
    if (!len || *len > data_.size() - pos_) return std::nullopt;
    std::string s = data_.substr(pos_, *len);
    pos_ += *len;
    return s;
  }
  bool Skip(uint64_t n) {
    if (n > data_.size() - pos_) return false;
    pos_ += n;
    return true;
  }

 private:
  const std::string& data_;
  size_t pos_ = 0;
};

// GGUF value types (gguf.md): sizes of the fixed-width ones.
std::optional<uint64_t> FixedSize(uint32_t type) {
  switch (type) {
    case 0:
    case 1:
    case 7:
      return 1;  // u8 i8 bool
    case 2:
    case 3:
      return 2;  // u16 i16
    case 4:
    case 5:
    case 6:
      return 4;  // u32 i32 f32
    case 10:
    case 11:
    case 12:
      return 8;  // u64 i64 f64
    default:
      return std::nullopt;
  }
}

// Skips one value; false when it runs past the prefix or the type is unknown.
bool SkipValue(Reader& r, uint32_t type, int depth) {
  if (auto size = FixedSize(type)) return r.Skip(*size);
  if (type == 8) return r.ReadString().has_value();
  if (type == 9 && depth == 0) {
    auto elem = r.Read<uint32_t>();
    auto count = r.Read<uint64_t>();
    if (!elem || !count) return false;
    if (auto size = FixedSize(*elem)) return *count <= UINT64_MAX / *size && r.Skip(*count * *size);
    for (uint64_t i = 0; i < *count; ++i) {
      if (!SkipValue(r, *elem, depth + 1)) return false;
    }
    return true;
  }
  return false;
}

}  // namespace

Status CheckConfigJson(const std::string& json, const ModelSupport& support) {
  const nlohmann::json config = nlohmann::json::parse(json, nullptr, false);
  if (!config.is_object()) return Corrupt("config.json is not a JSON object");
  if (auto q = config.find("quantization_config"); q != config.end() && q->is_object()) {
    const std::string method = q->value("quant_method", std::string("unknown"));
    return Unsupported("this checkpoint is pre-quantized with '" + method +
                       "', which hfd cannot run; pull a GGUF or unquantized repo instead "
                       "(or pass --force to download anyway)");
  }
  std::string arch;
  if (auto a = config.find("architectures");
      a != config.end() && a->is_array() && !a->empty() && (*a)[0].is_string()) {
    arch = (*a)[0].get<std::string>();
  }
  if (!arch.empty() && support.hf_architectures.count(arch) > 0) return Status::Ok();
  if (arch.empty()) {
    return Unsupported("config.json names no architecture (no 'architectures'); hfd runs " +
                       Join(support.hf_architectures) + " (pass --force to download anyway)");
  }
  return Unsupported("architecture '" + arch + "' is not supported by hfd, which runs " +
                     Join(support.hf_architectures) + " (pass --force to download anyway)");
}

Status CheckGgufPrefix(const std::string& prefix, const ModelSupport& support) {
  if (prefix.size() < 4 || prefix.compare(0, 4, "GGUF") != 0) {
    return Corrupt("the file does not start with the GGUF magic; it is not a GGUF model");
  }
  Reader r(prefix);
  r.Skip(4);
  auto version = r.Read<uint32_t>();
  if (!version) return Status::Ok();
  if (*version != 2 && *version != 3) {
    return Unsupported("GGUF version " + std::to_string(*version) +
                       " is not supported (hfd reads versions 2 and 3)");
  }
  auto tensors = r.Read<uint64_t>();
  auto kv_count = r.Read<uint64_t>();
  if (!tensors || !kv_count) return Status::Ok();
  for (uint64_t i = 0; i < *kv_count; ++i) {
    auto key = r.ReadString();
    auto type = r.Read<uint32_t>();
    if (!key || !type) return Status::Ok();
    if (*key == "general.architecture" && *type == 8) {
      auto arch = r.ReadString();
      if (!arch) return Status::Ok();
      if (support.gguf_architectures.count(*arch) > 0) return Status::Ok();
      return Unsupported("GGUF architecture '" + *arch + "' is not supported by hfd, which runs " +
                         Join(support.gguf_architectures) + " (pass --force to download anyway)");
    }
    if (!SkipValue(r, *type, 0)) return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace hfd::hub
