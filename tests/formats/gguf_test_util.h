// Helpers for GGUF tests: parse bytes from an exactly sized heap copy (so ASan sees any
// overread) and patch fields of a serialized file.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>

#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"

namespace hfd::gguf::testing {

// Bytes plus the file parsed from them; `bytes` must outlive `file`.
struct Parsed {
  std::unique_ptr<uint8_t[]> bytes;
  Result<std::unique_ptr<GgufFile>> file = Internal("unset");
};

inline Parsed ParseCopy(std::string_view data) {
  Parsed p;
  p.bytes = std::make_unique<uint8_t[]>(data.size() + 1);  // +1: never a zero-size new
  std::memcpy(p.bytes.get(), data.data(), data.size());
  p.file = GgufFile::Parse(p.bytes.get(), data.size());
  return p;
}

inline std::string SerializeOrDie(const GgufWriter& w) {
  auto s = w.Serialize();
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : std::string();
}

// Offset of the tensor info of `name` (the byte after its name string).
inline size_t TensorInfoFields(const std::string& file, const std::string& name) {
  const std::string needle = GgufWriter::EncodeString(name);
  const size_t at = file.find(needle);
  EXPECT_NE(at, std::string::npos) << name;
  return at + needle.size();
}

template <typename T>
void Patch(std::string* file, size_t offset, T value) {
  std::memcpy(file->data() + offset, &value, sizeof(T));
}

}  // namespace hfd::gguf::testing
