#include "engine/gguf/gguf_writer.h"

#include <cstring>
#include <fstream>

#include "engine/gguf/gguf_parser.h"

namespace hfd::gguf {
namespace {

template <typename T>
std::string Encode(T v) {
  std::string out(sizeof(T), '\0');
  std::memcpy(out.data(), &v, sizeof(T));
  return out;
}

template <typename T>
std::string EncodeArray(ValueType elem, const std::vector<T>& v) {
  std::string out = Encode(static_cast<uint32_t>(elem)) + Encode(static_cast<uint64_t>(v.size()));
  for (const T& x : v) out += Encode(x);
  return out;
}

}  // namespace

std::string GgufWriter::EncodeString(std::string_view s) {
  return Encode(static_cast<uint64_t>(s.size())) + std::string(s);
}
std::string GgufWriter::EncodeU32(uint32_t v) { return Encode(v); }
std::string GgufWriter::EncodeU64(uint64_t v) { return Encode(v); }

void GgufWriter::AddKv(std::string_view key, ValueType type, std::string encoded) {
  kvs_.push_back({std::string(key), type, std::move(encoded)});
}

void GgufWriter::AddU8(std::string_view key, uint8_t v) { AddKv(key, ValueType::kU8, Encode(v)); }
void GgufWriter::AddI32(std::string_view key, int32_t v) { AddKv(key, ValueType::kI32, Encode(v)); }
void GgufWriter::AddU32(std::string_view key, uint32_t v) {
  AddKv(key, ValueType::kU32, Encode(v));
}
void GgufWriter::AddU64(std::string_view key, uint64_t v) {
  AddKv(key, ValueType::kU64, Encode(v));
}
void GgufWriter::AddF32(std::string_view key, float v) { AddKv(key, ValueType::kF32, Encode(v)); }
void GgufWriter::AddF64(std::string_view key, double v) { AddKv(key, ValueType::kF64, Encode(v)); }
void GgufWriter::AddBool(std::string_view key, bool v) {
  AddKv(key, ValueType::kBool, Encode(static_cast<uint8_t>(v)));
}
void GgufWriter::AddString(std::string_view key, std::string_view v) {
  AddKv(key, ValueType::kString, EncodeString(v));
}
void GgufWriter::AddStringArray(std::string_view key, const std::vector<std::string>& v) {
  std::string out =
      Encode(static_cast<uint32_t>(ValueType::kString)) + Encode(static_cast<uint64_t>(v.size()));
  for (const std::string& s : v) out += EncodeString(s);
  AddKv(key, ValueType::kArray, std::move(out));
}
void GgufWriter::AddF32Array(std::string_view key, const std::vector<float>& v) {
  AddKv(key, ValueType::kArray, EncodeArray(ValueType::kF32, v));
}
void GgufWriter::AddI32Array(std::string_view key, const std::vector<int32_t>& v) {
  AddKv(key, ValueType::kArray, EncodeArray(ValueType::kI32, v));
}
std::string GgufWriter::EncodeEntry(const MetadataEntry& e) {
  // The parser keeps a string's bytes without their length, and an array's elements
  // without their type and count.
  if (e.type == ValueType::kString) return EncodeString(e.payload);
  if (e.type == ValueType::kArray) {
    return EncodeU32(static_cast<uint32_t>(e.elem_type)) + EncodeU64(e.count) +
           std::string(e.payload);
  }
  return std::string(e.payload);
}

void GgufWriter::AddCopy(const MetadataEntry& e) { AddRaw(e.key, e.type, EncodeEntry(e)); }

void GgufWriter::AddRaw(std::string_view key, ValueType type, std::string encoded) {
  AddKv(key, type, std::move(encoded));
}

void GgufWriter::AddTensor(std::string_view name, TensorType type, std::vector<int64_t> shape,
                           std::vector<uint8_t> data) {
  auto bytes = std::make_shared<std::vector<uint8_t>>(std::move(data));
  AddTensor(name, type, std::move(shape), [bytes](uint8_t* dst, uint64_t nbytes) -> Status {
    if (nbytes != bytes->size()) {
      return InvalidArgument("tensor data has " + std::to_string(bytes->size()) +
                             " bytes but its shape and type need " + std::to_string(nbytes));
    }
    std::memcpy(dst, bytes->data(), bytes->size());
    return Status::Ok();
  });
}

void GgufWriter::AddTensor(std::string_view name, TensorType type, std::vector<int64_t> shape,
                           Filler fill) {
  tensors_.push_back({std::string(name), type, std::move(shape), std::move(fill)});
}

// Header, metadata and tensor infos, padded to the data section; `sizes` gets each
// tensor's byte count.
Result<std::string> GgufWriter::Header(std::vector<uint64_t>* sizes) const {
  std::vector<PendingKv> kvs = kvs_;
  if (alignment_ != kDefaultAlignment) {
    kvs.push_back({"general.alignment", ValueType::kU32, Encode(alignment_)});
  }
  std::string out = Encode(kGgufMagic) + Encode(version_) +
                    Encode(static_cast<uint64_t>(tensors_.size())) +
                    Encode(static_cast<uint64_t>(kvs.size()));
  for (const PendingKv& kv : kvs) {
    out += EncodeString(kv.key) + Encode(static_cast<uint32_t>(kv.type)) + kv.encoded;
  }
  uint64_t offset = 0;
  for (const PendingTensor& t : tensors_) {
    int64_t rows = 1;
    for (size_t d = 1; d < t.shape.size(); ++d) rows *= t.shape[d];
    const int64_t row_bytes = t.shape.empty() ? -1 : RowBytes(t.type, t.shape[0]);
    if (row_bytes < 0) {
      return InvalidArgument("tensor '" + t.name + "': shape does not fit type " +
                             TypeName(t.type));
    }
    sizes->push_back(static_cast<uint64_t>(row_bytes * rows));
    out += EncodeString(t.name) + Encode(static_cast<uint32_t>(t.shape.size()));
    for (int64_t ne : t.shape) out += Encode(static_cast<uint64_t>(ne));
    out += Encode(static_cast<uint32_t>(t.type)) + Encode(offset);
    offset += (sizes->back() + alignment_ - 1) / alignment_ * alignment_;
  }
  out.resize((out.size() + alignment_ - 1) / alignment_ * alignment_, '\0');
  return out;
}

Status GgufWriter::Emit(const std::function<Status(std::string_view)>& sink) const {
  std::vector<uint64_t> sizes;
  HFD_ASSIGN_OR_RETURN(const std::string header, Header(&sizes));
  HFD_RETURN_IF_ERROR(sink(header));
  std::vector<uint8_t> buffer;
  for (size_t i = 0; i < tensors_.size(); ++i) {
    const uint64_t padded = (sizes[i] + alignment_ - 1) / alignment_ * alignment_;
    buffer.assign(static_cast<size_t>(padded), 0);
    HFD_RETURN_IF_ERROR(tensors_[i].fill(buffer.data(), sizes[i]));
    HFD_RETURN_IF_ERROR(
        sink(std::string_view(reinterpret_cast<const char*>(buffer.data()), buffer.size())));
  }
  return Status::Ok();
}

Result<std::string> GgufWriter::Serialize() const {
  std::string out;
  HFD_RETURN_IF_ERROR(Emit([&out](std::string_view chunk) {
    out.append(chunk);
    return Status::Ok();
  }));
  return out;
}

Status GgufWriter::Write(const std::filesystem::path& path) const {
  const std::filesystem::path tmp = path.string() + ".tmp";
  std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
  if (!f) return IoError("cannot create " + tmp.string());
  Status st = Emit([&f, &tmp](std::string_view chunk) -> Status {
    f.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    if (!f) return IoError("cannot write " + tmp.string() + " (disk full?)");
    return Status::Ok();
  });
  f.close();
  if (st.ok() && !f) st = IoError("cannot write " + tmp.string());
  std::error_code ec;
  if (!st.ok()) {
    std::filesystem::remove(tmp, ec);
    return st;
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) return IoError("cannot rename " + tmp.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace hfd::gguf
