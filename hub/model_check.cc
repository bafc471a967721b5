#include "hub/model_check.h"

#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>

#include "engine/model/desc_from_config.h"
#include "engine/model/model_desc.h"
#include "engine/quant/tensor_type.h"

namespace hfd::hub {
namespace {

constexpr const char* kForceHint = " (pass --force to download anyway)";

Status Refuse(const Status& engine_verdict) {
  return Status(engine_verdict.code(),
                "hfd cannot run this model: " + engine_verdict.message() + kForceHint);
}

// Little-endian reader over a byte prefix; a read returns nullopt when it runs past the end.
class Reader {
 public:
  explicit Reader(const std::string& data) : data_(data) {}
  template <typename T>
  std::optional<T> Read() {
    if (sizeof(T) > data_.size() - pos_) return std::nullopt;
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

constexpr uint32_t kGgufString = 8;
constexpr uint32_t kGgufArray = 9;

// Skips one value: true when skipped, false when it runs past the prefix, Corrupt for a
// type GGUF does not define.
Result<bool> SkipValue(Reader& r, uint32_t type, int depth) {
  if (auto size = FixedSize(type)) return r.Skip(*size);
  if (type == kGgufString) return r.ReadString().has_value();
  if (type != kGgufArray || depth > 3) {
    return Corrupt("the GGUF header holds an unknown value type " + std::to_string(type));
  }
  auto elem = r.Read<uint32_t>();
  auto count = r.Read<uint64_t>();
  if (!elem || !count) return false;
  if (auto size = FixedSize(*elem)) return *count <= UINT64_MAX / *size && r.Skip(*count * *size);
  for (uint64_t i = 0; i < *count; ++i) {
    HFD_ASSIGN_OR_RETURN(bool skipped, SkipValue(r, *elem, depth + 1));
    if (!skipped) return false;
  }
  return true;
}

// Reads the tensor infos after the metadata: every type must be one the engine knows.
Result<GgufVerdict> CheckTensorTypes(Reader& r, uint64_t tensors) {
  for (uint64_t i = 0; i < tensors; ++i) {
    auto name = r.ReadString();
    auto dims = r.Read<uint32_t>();
    if (!name || !dims) return GgufVerdict::kNeedMoreBytes;
    if (!r.Skip(uint64_t{*dims} * 8)) return GgufVerdict::kNeedMoreBytes;
    auto type = r.Read<uint32_t>();
    if (!type || !r.Skip(8)) return GgufVerdict::kNeedMoreBytes;
    const auto tensor_type = static_cast<TensorType>(*type);
    if (!IsSupportedType(tensor_type)) {
      return Unsupported("hfd cannot run this model: tensor '" + *name + "' has type " +
                         TypeName(tensor_type) + ", which hfd does not support" + kForceHint);
    }
  }
  return GgufVerdict::kRunnable;
}

Status CheckDtype(const nlohmann::json& config) {
  for (const char* key : {"torch_dtype", "dtype"}) {
    auto it = config.find(key);
    if (it == config.end() || !it->is_string()) continue;
    const std::string dtype = it->get<std::string>();
    if (dtype != "float32" && dtype != "float16" && dtype != "bfloat16") {
      return Unsupported("hfd cannot run this model: its weights are " + dtype +
                         "; hfd reads float32, float16 and bfloat16 checkpoints" + kForceHint);
    }
  }
  return Status::Ok();
}

}  // namespace

Status CheckConfigJson(const std::string& json) {
  const nlohmann::json config = nlohmann::json::parse(json, nullptr, false);
  if (!config.is_object()) return Corrupt("config.json is not a JSON object");
  if (auto q = config.find("quantization_config"); q != config.end() && q->is_object()) {
    auto method = q->find("quant_method");
    const std::string name =
        method != q->end() && method->is_string() ? method->get<std::string>() : "unknown";
    return Unsupported("this checkpoint is pre-quantized with '" + name +
                       "', which hfd cannot run; pull a GGUF or unquantized repo instead" +
                       kForceHint);
  }
  HFD_RETURN_IF_ERROR(CheckDtype(config));
  Result<model::ModelDesc> desc = model::DescFromConfig(json, "");
  if (!desc.ok()) return Refuse(desc.status());
  return Status::Ok();
}

Result<GgufVerdict> CheckGgufPrefix(const std::string& prefix) {
  if (prefix.size() < 4 || prefix.compare(0, 4, "GGUF") != 0) {
    return Corrupt("the file does not start with the GGUF magic; it is not a GGUF model");
  }
  Reader r(prefix);
  r.Skip(4);
  auto version = r.Read<uint32_t>();
  if (!version) return GgufVerdict::kNeedMoreBytes;
  if (*version != 2 && *version != 3) {
    return Unsupported("GGUF version " + std::to_string(*version) +
                       " is not supported (hfd reads versions 2 and 3)");
  }
  auto tensors = r.Read<uint64_t>();
  auto kv_count = r.Read<uint64_t>();
  if (!tensors || !kv_count) return GgufVerdict::kNeedMoreBytes;
  bool arch_seen = false;
  for (uint64_t i = 0; i < *kv_count; ++i) {
    auto key = r.ReadString();
    auto type = r.Read<uint32_t>();
    if (!key || !type) return GgufVerdict::kNeedMoreBytes;
    if (*key == "general.architecture" && *type == kGgufString) {
      auto arch = r.ReadString();
      if (!arch) return GgufVerdict::kNeedMoreBytes;
      Result<model::Architecture> known = model::ParseArchitecture(*arch);
      if (!known.ok()) return Refuse(known.status());
      arch_seen = true;
      continue;
    }
    HFD_ASSIGN_OR_RETURN(bool skipped, SkipValue(r, *type, 0));
    if (!skipped) return GgufVerdict::kNeedMoreBytes;
  }
  if (!arch_seen) {
    return Corrupt(
        "the GGUF header has no general.architecture; hfd cannot tell what model "
        "it is" +
        std::string(kForceHint));
  }
  return CheckTensorTypes(r, *tensors);
}

}  // namespace hfd::hub
