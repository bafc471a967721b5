#include "engine/safetensors/safetensors_header.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <limits>

namespace hfd::safetensors {
namespace {

struct DtypeInfo {
  std::string_view name;
  uint64_t bytes;
  bool supported;
  TensorType type;
};

// Every dtype the format defines, so that files holding others still validate; only the
// float types hfd computes with are marked supported.
constexpr DtypeInfo kDtypes[] = {
    {"F32", 4, true, TensorType::kF32},      {"F16", 2, true, TensorType::kF16},
    {"BF16", 2, true, TensorType::kBF16},    {"F64", 8, false, TensorType::kF32},
    {"I64", 8, false, TensorType::kF32},     {"U64", 8, false, TensorType::kF32},
    {"I32", 4, false, TensorType::kF32},     {"U32", 4, false, TensorType::kF32},
    {"I16", 2, false, TensorType::kF32},     {"U16", 2, false, TensorType::kF32},
    {"I8", 1, false, TensorType::kF32},      {"U8", 1, false, TensorType::kF32},
    {"BOOL", 1, false, TensorType::kF32},    {"F8_E4M3", 1, false, TensorType::kF32},
    {"F8_E5M2", 1, false, TensorType::kF32},
};

const DtypeInfo* FindDtype(std::string_view name) {
  for (const DtypeInfo& d : kDtypes) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

Status Bad(const std::string& tensor, const std::string& why) {
  return Corrupt("safetensors header: tensor '" + tensor + "' " + why);
}

Status ParseEntry(const std::string& name, const nlohmann::json& v, uint64_t buffer_bytes,
                  HeaderEntry* out) {
  if (!v.is_object()) return Bad(name, "is not an object");
  const auto dtype = v.find("dtype");
  const auto shape = v.find("shape");
  const auto offsets = v.find("data_offsets");
  if (dtype == v.end() || !dtype->is_string()) return Bad(name, "has no dtype string");
  if (shape == v.end() || !shape->is_array()) return Bad(name, "has no shape array");
  if (offsets == v.end() || !offsets->is_array() || offsets->size() != 2 ||
      !(*offsets)[0].is_number_unsigned() || !(*offsets)[1].is_number_unsigned()) {
    return Bad(name, "has no data_offsets [begin, end]");
  }
  out->name = name;
  out->dtype = dtype->get<std::string>();
  const DtypeInfo* info = FindDtype(out->dtype);
  if (info == nullptr) return Bad(name, "has unknown dtype '" + out->dtype + "'");
  out->supported = info->supported;
  out->type = info->type;
  uint64_t elems = 1;
  for (const nlohmann::json& d : *shape) {
    if (!d.is_number_unsigned()) return Bad(name, "has a negative or non-integer dimension");
    const uint64_t ne = d.get<uint64_t>();
    if (ne > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
        (ne != 0 && elems > std::numeric_limits<uint64_t>::max() / info->bytes / ne)) {
      return Bad(name, "has a shape too large to address");
    }
    elems *= ne;
    out->shape.push_back(static_cast<int64_t>(ne));
  }
  out->begin = (*offsets)[0].get<uint64_t>();
  out->end = (*offsets)[1].get<uint64_t>();
  if (out->begin > out->end || out->end > buffer_bytes) {
    return Bad(name, "has data_offsets [" + std::to_string(out->begin) + ", " +
                         std::to_string(out->end) + "] outside the " +
                         std::to_string(buffer_bytes) +
                         "-byte data buffer; the file is "
                         "truncated or corrupt");
  }
  if (out->end - out->begin != elems * info->bytes) {
    return Bad(name, "spans " + std::to_string(out->end - out->begin) +
                         " bytes but its shape "
                         "and dtype need " +
                         std::to_string(elems * info->bytes));
  }
  return Status::Ok();
}

Status ParseMetadata(const nlohmann::json& v, std::map<std::string, std::string>* out) {
  if (!v.is_object()) return Corrupt("safetensors header: __metadata__ is not an object");
  for (const auto& [key, value] : v.items()) {
    if (!value.is_string()) {
      return Corrupt("safetensors header: __metadata__ value '" + key + "' is not a string");
    }
    (*out)[key] = value.get<std::string>();
  }
  return Status::Ok();
}

Result<Header> ParseHeaderUnchecked(const uint8_t* data, uint64_t size) {
  Header h;
  if (size < 8) return Corrupt("not a safetensors file: shorter than its 8-byte header size");
  std::memcpy(&h.header_bytes, data, 8);
  if (h.header_bytes > size - 8) {
    return Corrupt("safetensors header claims " + std::to_string(h.header_bytes) +
                   " bytes but the file has " + std::to_string(size - 8) +
                   "; the file is truncated or not safetensors");
  }
  if (h.header_bytes > kMaxHeaderBytes) {
    return Corrupt("safetensors header of " + std::to_string(h.header_bytes) +
                   " bytes exceeds the 100 MB limit");
  }
  const char* json_begin = reinterpret_cast<const char*>(data + 8);
  if (h.header_bytes < 2 || json_begin[0] != '{') {
    return Corrupt("not a safetensors file: the header is not a JSON object");
  }
  // Parse without exceptions; a depth or syntax problem yields a discarded value.
  const nlohmann::json doc =
      nlohmann::json::parse(json_begin, json_begin + h.header_bytes, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Corrupt("safetensors header is not valid JSON");
  }
  const uint64_t buffer_bytes = size - 8 - h.header_bytes;
  for (const auto& [key, value] : doc.items()) {
    if (key == "__metadata__") {
      HFD_RETURN_IF_ERROR(ParseMetadata(value, &h.metadata));
      continue;
    }
    HeaderEntry e;
    HFD_RETURN_IF_ERROR(ParseEntry(key, value, buffer_bytes, &e));
    h.tensors.push_back(std::move(e));
  }
  std::vector<const HeaderEntry*> sorted;
  for (const HeaderEntry& e : h.tensors) sorted.push_back(&e);
  std::sort(sorted.begin(), sorted.end(), [](const HeaderEntry* a, const HeaderEntry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i]->begin < sorted[i - 1]->end) {
      return Corrupt("safetensors header: tensors '" + sorted[i - 1]->name + "' and '" +
                     sorted[i]->name + "' overlap");
    }
  }
  return h;
}

}  // namespace

Result<Header> ParseHeader(const uint8_t* data, uint64_t size) {
  try {
    return ParseHeaderUnchecked(data, size);
  } catch (const std::exception& e) {  // nlohmann type errors, bad_alloc: never escape
    return Corrupt(std::string("safetensors header could not be read: ") + e.what());
  }
}

}  // namespace hfd::safetensors
