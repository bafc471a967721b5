// Typed access to GGUF metadata: values are decoded from the validated bytes on demand.
#include <cmath>
#include <limits>
#include <string>

#include "engine/gguf/byte_reader.h"
#include "engine/gguf/gguf_file.h"

namespace hfd::gguf {
namespace {

template <typename T>
Value Scalar(ValueType type, ByteReader& r, Status* st) {
  auto v = r.Read<T>();
  if (!v.ok()) {
    *st = v.status();
    return {type, uint64_t{0}};
  }
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    return {type, static_cast<double>(*v)};
  } else if constexpr (std::is_signed_v<T>) {
    return {type, static_cast<int64_t>(*v)};
  } else {
    return {type, static_cast<uint64_t>(*v)};
  }
}

Result<Value> DecodeValue(ByteReader& r, ValueType type, int depth);

Result<Value> DecodeArray(ByteReader& r, ValueType elem, uint64_t count, int depth) {
  if (depth > 16 || count > r.remaining()) return Corrupt("malformed metadata array");
  std::vector<Value> items;
  items.reserve(static_cast<size_t>(count));
  for (uint64_t i = 0; i < count; ++i) {
    HFD_ASSIGN_OR_RETURN(Value v, DecodeValue(r, elem, depth + 1));
    items.push_back(std::move(v));
  }
  return Value{ValueType::kArray, std::move(items)};
}

Result<Value> DecodeValue(ByteReader& r, ValueType type, int depth) {
  Status st;
  Value v{type, uint64_t{0}};
  switch (type) {
    case ValueType::kU8:
      v = Scalar<uint8_t>(type, r, &st);
      break;
    case ValueType::kI8:
      v = Scalar<int8_t>(type, r, &st);
      break;
    case ValueType::kU16:
      v = Scalar<uint16_t>(type, r, &st);
      break;
    case ValueType::kI16:
      v = Scalar<int16_t>(type, r, &st);
      break;
    case ValueType::kU32:
      v = Scalar<uint32_t>(type, r, &st);
      break;
    case ValueType::kI32:
      v = Scalar<int32_t>(type, r, &st);
      break;
    case ValueType::kU64:
      v = Scalar<uint64_t>(type, r, &st);
      break;
    case ValueType::kI64:
      v = Scalar<int64_t>(type, r, &st);
      break;
    case ValueType::kF32:
      v = Scalar<float>(type, r, &st);
      break;
    case ValueType::kF64:
      v = Scalar<double>(type, r, &st);
      break;
    case ValueType::kBool: {
      HFD_ASSIGN_OR_RETURN(const uint8_t b, r.Read<uint8_t>());
      v.data.emplace<bool>(b != 0);
      break;
    }
    case ValueType::kString: {
      HFD_ASSIGN_OR_RETURN(const std::string_view s, r.ReadString());
      v.data = std::string(s);
      break;
    }
    case ValueType::kArray: {
      HFD_ASSIGN_OR_RETURN(const uint32_t elem, r.Read<uint32_t>());
      HFD_ASSIGN_OR_RETURN(const uint64_t count, r.Read<uint64_t>());
      return DecodeArray(r, static_cast<ValueType>(elem), count, depth);
    }
    default:
      return Corrupt("unknown metadata value type");
  }
  if (!st.ok()) return st;
  return v;
}

// Decodes an entry (scalar or whole array).
Result<Value> DecodeEntry(const MetadataEntry& e) {
  ByteReader r(reinterpret_cast<const uint8_t*>(e.payload.data()), e.payload.size());
  if (e.type == ValueType::kString) return Value{e.type, std::string(e.payload)};
  if (e.type == ValueType::kArray) return DecodeArray(r, e.elem_type, e.count, 0);
  return DecodeValue(r, e.type, 0);
}

Status WrongType(std::string_view key, const MetadataEntry& e, std::string_view wanted) {
  std::string held = ValueTypeName(e.type);
  if (e.type == ValueType::kArray) held = "array of " + ValueTypeName(e.elem_type);
  return InvalidArgument("GGUF metadata key '" + std::string(key) + "' holds " + held +
                         ", expected " + std::string(wanted));
}

// An integer value converted to T when it fits.
template <typename T>
bool IntegerAs(const Value& v, T* out) {
  if (const auto* u = std::get_if<uint64_t>(&v.data)) {
    if (*u > static_cast<uint64_t>(std::numeric_limits<T>::max())) return false;
    *out = static_cast<T>(*u);
    return true;
  }
  if (const auto* i = std::get_if<int64_t>(&v.data)) {
    if (*i < static_cast<int64_t>(std::numeric_limits<T>::min())) return false;
    if (*i > 0 &&
        static_cast<uint64_t>(*i) > static_cast<uint64_t>(std::numeric_limits<T>::max())) {
      return false;
    }
    *out = static_cast<T>(*i);
    return true;
  }
  return false;
}

bool NumberAs(const Value& v, float* out) {
  if (const auto* d = std::get_if<double>(&v.data)) {
    *out = static_cast<float>(*d);
    return true;
  }
  int64_t i;
  if (IntegerAs(v, &i)) {
    *out = static_cast<float>(i);
    return true;
  }
  return false;
}

}  // namespace

std::string ValueTypeName(ValueType type) {
  static constexpr const char* kNames[] = {"u8",   "i8",     "u16",   "i16", "u32", "i32", "f32",
                                           "bool", "string", "array", "u64", "i64", "f64"};
  const auto i = static_cast<uint32_t>(type);
  if (i < std::size(kNames)) return kNames[i];
  return "type " + std::to_string(i);
}

Result<Value> GgufFile::GetValue(std::string_view key) const {
  const MetadataEntry* e = FindMetadata(key);
  if (e == nullptr) return NotFound("GGUF metadata key '" + std::string(key) + "' is missing");
  return DecodeEntry(*e);
}

Result<std::string> GgufFile::GetString(std::string_view key) const {
  const MetadataEntry* e = FindMetadata(key);
  if (e == nullptr) return NotFound("GGUF metadata key '" + std::string(key) + "' is missing");
  if (e->type != ValueType::kString) return WrongType(key, *e, "a string");
  return std::string(e->payload);
}

template <typename T>
static Result<T> GetInteger(const GgufFile& f, std::string_view key, std::string_view wanted) {
  HFD_ASSIGN_OR_RETURN(const Value v, f.GetValue(key));
  T out;
  if (!IntegerAs(v, &out)) return WrongType(key, *f.FindMetadata(key), wanted);
  return out;
}

Result<uint32_t> GgufFile::GetU32(std::string_view key) const {
  return GetInteger<uint32_t>(*this, key, "an integer in u32 range");
}
Result<uint64_t> GgufFile::GetU64(std::string_view key) const {
  return GetInteger<uint64_t>(*this, key, "a non-negative integer");
}
Result<int64_t> GgufFile::GetI64(std::string_view key) const {
  return GetInteger<int64_t>(*this, key, "an integer in i64 range");
}

Result<float> GgufFile::GetF32(std::string_view key) const {
  HFD_ASSIGN_OR_RETURN(const Value v, GetValue(key));
  float out;
  if (!NumberAs(v, &out)) return WrongType(key, *FindMetadata(key), "a number");
  return out;
}

Result<bool> GgufFile::GetBool(std::string_view key) const {
  HFD_ASSIGN_OR_RETURN(const Value v, GetValue(key));
  if (const auto* b = std::get_if<bool>(&v.data)) return *b;
  return WrongType(key, *FindMetadata(key), "a bool");
}

Result<std::vector<std::string_view>> GgufFile::GetStringViewArray(std::string_view key) const {
  const MetadataEntry* e = FindMetadata(key);
  if (e == nullptr) return NotFound("GGUF metadata key '" + std::string(key) + "' is missing");
  if (e->type != ValueType::kArray || e->elem_type != ValueType::kString) {
    return WrongType(key, *e, "an array of strings");
  }
  ByteReader r(reinterpret_cast<const uint8_t*>(e->payload.data()), e->payload.size());
  std::vector<std::string_view> out;
  out.reserve(static_cast<size_t>(e->count));
  for (uint64_t i = 0; i < e->count; ++i) {
    HFD_ASSIGN_OR_RETURN(const std::string_view s, r.ReadString());
    out.push_back(s);
  }
  return out;
}

Result<std::vector<std::string>> GgufFile::GetStringArray(std::string_view key) const {
  HFD_ASSIGN_OR_RETURN(const std::vector<std::string_view> views, GetStringViewArray(key));
  return std::vector<std::string>(views.begin(), views.end());
}

// Decodes an array of scalars into T with `convert`; `wanted` names T in errors.
template <typename T, typename Convert>
static Result<std::vector<T>> GetScalarArray(const GgufFile& f, std::string_view key,
                                             std::string_view wanted, Convert convert) {
  const MetadataEntry* e = f.FindMetadata(key);
  if (e == nullptr) return NotFound("GGUF metadata key '" + std::string(key) + "' is missing");
  if (e->type != ValueType::kArray || e->elem_type == ValueType::kString ||
      e->elem_type == ValueType::kArray) {
    return WrongType(key, *e, wanted);
  }
  ByteReader r(reinterpret_cast<const uint8_t*>(e->payload.data()), e->payload.size());
  std::vector<T> out(static_cast<size_t>(e->count));
  for (T& item : out) {
    HFD_ASSIGN_OR_RETURN(const Value v, DecodeValue(r, e->elem_type, 0));
    if (!convert(v, &item)) return WrongType(key, *e, wanted);
  }
  return out;
}

Result<std::vector<float>> GgufFile::GetF32Array(std::string_view key) const {
  return GetScalarArray<float>(*this, key, "an array of numbers",
                               [](const Value& v, float* out) { return NumberAs(v, out); });
}

Result<std::vector<int32_t>> GgufFile::GetI32Array(std::string_view key) const {
  return GetScalarArray<int32_t>(*this, key, "an array of integers in i32 range",
                                 [](const Value& v, int32_t* out) { return IntegerAs(v, out); });
}

}  // namespace hfd::gguf
