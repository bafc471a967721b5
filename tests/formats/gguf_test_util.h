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

// A GGUF of a one-layer llama (n_embd 32, feed-forward 32, 2 heads) with zero F32 tensors:
// attn_k has `k_rows` rows and ffn_down is left out, for tests to break or complete.
inline GgufWriter LlamaWriter(int64_t k_rows) {
  GgufWriter w;
  w.AddString("general.architecture", "llama");
  w.AddU32("llama.embedding_length", 32);
  w.AddU32("llama.block_count", 1);
  w.AddU32("llama.feed_forward_length", 32);
  w.AddU32("llama.attention.head_count", 2);
  auto f32 = [&](const char* name, const std::vector<int64_t>& shape) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    w.AddTensor(name, TensorType::kF32, shape, std::vector<uint8_t>(static_cast<size_t>(n * 4)));
  };
  f32("token_embd.weight", {32, 8});
  f32("output_norm.weight", {32});
  f32("blk.0.attn_norm.weight", {32});
  f32("blk.0.attn_q.weight", {32, 32});
  f32("blk.0.attn_k.weight", {32, k_rows});
  f32("blk.0.attn_v.weight", {32, 32});
  f32("blk.0.attn_output.weight", {32, 32});
  f32("blk.0.ffn_norm.weight", {32});
  f32("blk.0.ffn_gate.weight", {32, 32});
  f32("blk.0.ffn_up.weight", {32, 32});
  return w;  // ffn_down is left out
}

}  // namespace hfd::gguf::testing
