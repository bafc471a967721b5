#include "engine/gguf/gguf_parser.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

namespace hfd::gguf {
namespace {

// Smallest possible encodings, used to reject absurd counts before looping over them.
constexpr uint64_t kMinKvBytes = 8 + 4 + 1;                  // key length, type, 1-byte value
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;  // name, n_dims, ne0, type, offset

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

bool IsKnownValueType(uint32_t t) { return t <= static_cast<uint32_t>(ValueType::kF64); }

}  // namespace

uint64_t FixedValueSize(ValueType type) {
  switch (type) {
    case ValueType::kU8:
    case ValueType::kI8:
    case ValueType::kBool:
      return 1;
    case ValueType::kU16:
    case ValueType::kI16:
      return 2;
    case ValueType::kU32:
    case ValueType::kI32:
    case ValueType::kF32:
      return 4;
    case ValueType::kU64:
    case ValueType::kI64:
    case ValueType::kF64:
      return 8;
    case ValueType::kString:
    case ValueType::kArray:
      return 0;
  }
  return 0;
}

Status GgufParser::Run(const uint8_t* data, uint64_t size, GgufFile* out) {
  GgufParser p(data, size, out);
  uint64_t n_tensors = 0, n_kv = 0;
  HFD_RETURN_IF_ERROR(p.ReadHeader(&n_tensors, &n_kv));
  HFD_RETURN_IF_ERROR(p.ReadMetadata(n_kv));
  HFD_RETURN_IF_ERROR(p.ResolveAlignment());
  HFD_RETURN_IF_ERROR(p.ReadTensorInfos(n_tensors));
  HFD_RETURN_IF_ERROR(p.PlaceTensorData());
  p.BuildIndexes();
  return Status::Ok();
}

Status GgufParser::ReadHeader(uint64_t* n_tensors, uint64_t* n_kv) {
  auto magic = reader_.Read<uint32_t>();
  if (!magic.ok() || *magic != kGgufMagic) {
    return Corrupt("not a GGUF file (the first 4 bytes are not \"GGUF\")");
  }
  HFD_ASSIGN_OR_RETURN(const uint32_t version, reader_.Read<uint32_t>());
  if (version == 1) {
    return Unsupported(
        "GGUF version 1 is not supported; convert the model again with a "
        "current llama.cpp (versions 2 and 3 are read)");
  }
  if (version != 2 && version != 3) {
    if ((version & 0xffffu) == 0) {
      return Unsupported("this GGUF file is big-endian; hfd reads little-endian GGUF only");
    }
    return Unsupported("GGUF version " + std::to_string(version) +
                       " is not supported (versions 2 and 3 are read)");
  }
  out_->version_ = version;
  HFD_ASSIGN_OR_RETURN(*n_tensors, reader_.Read<uint64_t>());
  HFD_ASSIGN_OR_RETURN(*n_kv, reader_.Read<uint64_t>());
  const uint64_t left = reader_.remaining();
  if (*n_kv > left / kMinKvBytes) {
    return Corrupt("GGUF header claims " + std::to_string(*n_kv) +
                   " metadata entries, more than the file can hold");
  }
  if (*n_tensors > left / kMinTensorInfoBytes) {
    return Corrupt("GGUF header claims " + std::to_string(*n_tensors) +
                   " tensors, more than the file can hold");
  }
  return Status::Ok();
}

Status GgufParser::ReadMetadata(uint64_t n_kv) {
  out_->metadata_.reserve(static_cast<size_t>(n_kv));
  for (uint64_t i = 0; i < n_kv; ++i) {
    HFD_ASSIGN_OR_RETURN(const std::string_view key, reader_.ReadString());
    HFD_ASSIGN_OR_RETURN(const uint32_t raw_type, reader_.Read<uint32_t>());
    if (!IsKnownValueType(raw_type)) {
      return Corrupt("metadata key " + Quote(key) + " has unknown value type " +
                     std::to_string(raw_type));
    }
    MetadataEntry e{std::string(key), static_cast<ValueType>(raw_type), ValueType::kU8, 0, {}};
    if (e.type == ValueType::kArray) {
      HFD_ASSIGN_OR_RETURN(const uint32_t elem, reader_.Read<uint32_t>());
      if (!IsKnownValueType(elem)) {
        return Corrupt("metadata array " + Quote(key) + " has unknown element type " +
                       std::to_string(elem));
      }
      e.elem_type = static_cast<ValueType>(elem);
      HFD_ASSIGN_OR_RETURN(e.count, reader_.Read<uint64_t>());
    }
    const uint64_t start = reader_.position();
    if (e.type == ValueType::kString) {
      HFD_ASSIGN_OR_RETURN(e.payload, reader_.ReadString());
    } else if (e.type == ValueType::kArray) {
      HFD_RETURN_IF_ERROR(
          SkipArrayElements(e.elem_type, e.count, 1).WithContext("metadata array " + Quote(key)));
      e.payload = std::string_view(reinterpret_cast<const char*>(base_ + start),
                                   static_cast<size_t>(reader_.position() - start));
    } else {
      HFD_ASSIGN_OR_RETURN(e.payload, reader_.ReadBytes(FixedValueSize(e.type)));
    }
    out_->metadata_.push_back(std::move(e));
  }
  // Duplicate keys make lookups ambiguous; llama.cpp refuses them too.
  std::vector<std::string_view> keys;
  for (const MetadataEntry& e : out_->metadata_) keys.push_back(e.key);
  std::sort(keys.begin(), keys.end());
  const auto dup = std::adjacent_find(keys.begin(), keys.end());
  if (dup != keys.end()) return Corrupt("metadata key " + Quote(*dup) + " appears twice");
  return Status::Ok();
}

Status GgufParser::SkipValue(ValueType type, int depth) {
  if (type == ValueType::kString) return reader_.ReadString().status();
  if (type != ValueType::kArray) return reader_.Skip(FixedValueSize(type));
  if (depth >= kMaxArrayDepth) {
    return Corrupt("arrays nested deeper than " + std::to_string(kMaxArrayDepth) + " levels");
  }
  HFD_ASSIGN_OR_RETURN(const uint32_t elem, reader_.Read<uint32_t>());
  if (!IsKnownValueType(elem)) {
    return Corrupt("nested array has unknown element type " + std::to_string(elem));
  }
  HFD_ASSIGN_OR_RETURN(const uint64_t count, reader_.Read<uint64_t>());
  return SkipArrayElements(static_cast<ValueType>(elem), count, depth + 1);
}

Status GgufParser::SkipArrayElements(ValueType elem, uint64_t count, int depth) {
  // Bound the count before walking: fixed types take exactly their size, strings at least
  // their 8-byte length, arrays at least their 12-byte header.
  const uint64_t fixed = FixedValueSize(elem);
  const uint64_t min_bytes = fixed ? fixed : (elem == ValueType::kString ? 8 : 12);
  if (count > reader_.remaining() / min_bytes) {
    return Corrupt("array claims " + std::to_string(count) + " elements, more than the file holds");
  }
  if (fixed) return reader_.Skip(count * fixed);
  for (uint64_t i = 0; i < count; ++i) HFD_RETURN_IF_ERROR(SkipValue(elem, depth));
  return Status::Ok();
}

Status GgufParser::ResolveAlignment() {
  const MetadataEntry* e = nullptr;
  for (const MetadataEntry& m : out_->metadata_) {
    if (m.key == "general.alignment") e = &m;
  }
  if (e == nullptr) return Status::Ok();
  uint64_t value = 0;
  if (e->type == ValueType::kU32) {
    uint32_t v;
    std::memcpy(&v, e->payload.data(), 4);
    value = v;
  } else if (e->type == ValueType::kU64) {
    std::memcpy(&value, e->payload.data(), 8);
  } else {
    return Corrupt("general.alignment must be an unsigned integer, not " + ValueTypeName(e->type));
  }
  if (value == 0 || (value & (value - 1)) != 0 || value > (1u << 30)) {
    return Corrupt("general.alignment " + std::to_string(value) +
                   " is not a power of two of reasonable size");
  }
  out_->alignment_ = value;
  return Status::Ok();
}

Status GgufParser::ReadTensorInfos(uint64_t n_tensors) {
  out_->tensors_.resize(static_cast<size_t>(n_tensors));
  for (TensorInfo& info : out_->tensors_) HFD_RETURN_IF_ERROR(ReadTensorInfo(&info));
  std::vector<std::string_view> names;
  for (const TensorInfo& t : out_->tensors_) names.push_back(t.name);
  std::sort(names.begin(), names.end());
  const auto dup = std::adjacent_find(names.begin(), names.end());
  if (dup != names.end()) return Corrupt("tensor " + Quote(*dup) + " appears twice");
  return Status::Ok();
}

Status GgufParser::ReadTensorInfo(TensorInfo* info) {
  HFD_ASSIGN_OR_RETURN(const std::string_view name, reader_.ReadString());
  info->name = std::string(name);
  const std::string what = "tensor " + Quote(name);
  HFD_ASSIGN_OR_RETURN(const uint32_t n_dims, reader_.Read<uint32_t>());
  if (n_dims < 1 || n_dims > kMaxDims) {
    return Corrupt(what + " has " + std::to_string(n_dims) + " dimensions (1 to 4 allowed)");
  }
  uint64_t n_rows = 1;
  for (uint32_t d = 0; d < n_dims; ++d) {
    HFD_ASSIGN_OR_RETURN(const uint64_t ne, reader_.Read<uint64_t>());
    if (ne > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Corrupt(what + " has an absurd dimension " + std::to_string(ne));
    }
    if (d > 0) {
      if (ne != 0 && n_rows > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / ne) {
        return Corrupt(what + " has more elements than can be addressed");
      }
      n_rows *= ne;
    }
    info->shape.push_back(static_cast<int64_t>(ne));
  }
  HFD_ASSIGN_OR_RETURN(const uint32_t raw_type, reader_.Read<uint32_t>());
  info->type = static_cast<TensorType>(raw_type);
  auto traits = GetTypeTraits(info->type);
  if (!traits.ok()) return traits.status().WithContext(what);
  if (info->shape[0] % traits->block_elems != 0) {
    return Corrupt(what + " has rows of " + std::to_string(info->shape[0]) +
                   " values, not a multiple of " + std::string(traits->name) + "'s block of " +
                   std::to_string(traits->block_elems));
  }
  const int64_t signed_row_bytes = RowBytes(info->type, info->shape[0]);
  const uint64_t row_bytes = static_cast<uint64_t>(signed_row_bytes);
  if (signed_row_bytes < 0 || (n_rows != 0 && row_bytes > size_ / n_rows)) {
    return Corrupt(what + " is larger than the file");
  }
  info->nbytes = row_bytes * n_rows;
  HFD_ASSIGN_OR_RETURN(info->offset, reader_.Read<uint64_t>());
  return Status::Ok();
}

Status GgufParser::PlaceTensorData() {
  const uint64_t align = out_->alignment_;
  const uint64_t end = reader_.position();
  out_->data_offset_ = (end + align - 1) / align * align;
  if (out_->tensors_.empty()) return Status::Ok();  // vocab-only files may stop here
  if (out_->data_offset_ > size_) return Corrupt("file ends before its tensor data section");
  const uint64_t data_size = size_ - out_->data_offset_;
  std::vector<const TensorInfo*> by_offset;
  for (TensorInfo& t : out_->tensors_) {
    if (t.offset % align != 0) {
      return Corrupt("tensor " + Quote(t.name) + " data offset " + std::to_string(t.offset) +
                     " is not a multiple of the alignment " + std::to_string(align));
    }
    if (t.offset > data_size || t.nbytes > data_size - t.offset) {
      return Corrupt("tensor " + Quote(t.name) + " data (" + std::to_string(t.nbytes) +
                     " bytes at offset " + std::to_string(t.offset) +
                     ") runs past the end of the file; the file is truncated or corrupt");
    }
    t.data = base_ + out_->data_offset_ + t.offset;
    by_offset.push_back(&t);
  }
  std::sort(by_offset.begin(), by_offset.end(),
            [](const TensorInfo* a, const TensorInfo* b) { return a->offset < b->offset; });
  for (size_t i = 1; i < by_offset.size(); ++i) {
    const TensorInfo& prev = *by_offset[i - 1];
    if (prev.offset + prev.nbytes > by_offset[i]->offset) {
      return Corrupt("tensors " + Quote(prev.name) + " and " + Quote(by_offset[i]->name) +
                     " overlap in the data section");
    }
  }
  return Status::Ok();
}

void GgufParser::BuildIndexes() {
  for (size_t i = 0; i < out_->metadata_.size(); ++i) {
    out_->metadata_index_.emplace(out_->metadata_[i].key, i);
  }
  for (size_t i = 0; i < out_->tensors_.size(); ++i) {
    out_->tensor_index_.emplace(out_->tensors_[i].name, i);
  }
}

}  // namespace hfd::gguf
