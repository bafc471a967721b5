// GGUF reader and writer: round trips of every metadata type, and malformed files that
// must fail with a clear error (never a crash or an out-of-bounds read).
#include <gtest/gtest.h>

#include <fstream>

#include "engine/quant/dequantize.h"
#include "tests/formats/gguf_test_util.h"
#include "tests/support/fixtures.h"

namespace hfd::gguf {
namespace {

using testing::ParseCopy;
using testing::Patch;
using testing::SerializeOrDie;
using testing::TensorInfoFields;

std::vector<uint8_t> Bytes(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7);
  return v;
}

// A nested array value: [["a", "bc"], ["def"]].
std::string NestedStringArrays() {
  std::string inner1 = GgufWriter::EncodeU32(8) + GgufWriter::EncodeU64(2) +
                       GgufWriter::EncodeString("a") + GgufWriter::EncodeString("bc");
  std::string inner2 =
      GgufWriter::EncodeU32(8) + GgufWriter::EncodeU64(1) + GgufWriter::EncodeString("def");
  return GgufWriter::EncodeU32(9) + GgufWriter::EncodeU64(2) + inner1 + inner2;
}

// A small valid file: every metadata kind and three tensors (the last one's size is a
// multiple of the alignment, so every strict prefix of the file is incomplete).
GgufWriter SampleWriter() {
  GgufWriter w;
  w.AddString("general.architecture", "llama");
  w.AddU8("test.u8", 200);
  w.AddI32("test.i32", -5);
  w.AddU32("llama.block_count", 2);
  w.AddU64("test.u64", 1ull << 40);
  w.AddF32("test.f32", 0.25f);
  w.AddF64("test.f64", 1e-6);
  w.AddBool("test.bool", true);
  w.AddStringArray("tokenizer.ggml.tokens", {"<s>", "hello", "", "wörld"});
  w.AddF32Array("tokenizer.ggml.scores", {0.0f, -1.5f, 2.0f, 3.0f});
  w.AddI32Array("tokenizer.ggml.token_type", {3, 1, 1, -1});
  w.AddRaw("test.nested", ValueType::kArray, NestedStringArrays());
  w.AddTensor("a.q8", TensorType::kQ8_0, {64, 1}, Bytes(68, 1));
  w.AddTensor("b.bf16", TensorType::kBF16, {3, 2}, Bytes(12, 2));
  w.AddTensor("c.f32", TensorType::kF32, {8, 2}, Bytes(64, 3));
  return w;
}

TEST(GgufTest, WriterRoundTripsEveryValueType) {
  const std::string data = SerializeOrDie(SampleWriter());
  auto p = ParseCopy(data);
  ASSERT_TRUE(p.file.ok()) << p.file.status().ToString();
  const GgufFile& f = **p.file;
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.alignment(), 32u);
  EXPECT_EQ(*f.GetString("general.architecture"), "llama");
  EXPECT_EQ(*f.GetU32("test.u8"), 200u);
  EXPECT_EQ(*f.GetI64("test.i32"), -5);
  EXPECT_EQ(*f.GetU32("llama.block_count"), 2u);
  EXPECT_EQ(*f.GetU64("test.u64"), 1ull << 40);
  EXPECT_EQ(*f.GetF32("test.f32"), 0.25f);
  EXPECT_FLOAT_EQ(*f.GetF32("test.f64"), 1e-6f);
  EXPECT_TRUE(*f.GetBool("test.bool"));
  EXPECT_EQ(*f.GetStringArray("tokenizer.ggml.tokens"),
            (std::vector<std::string>{"<s>", "hello", "", "wörld"}));
  EXPECT_EQ(*f.GetF32Array("tokenizer.ggml.scores"), (std::vector<float>{0, -1.5f, 2, 3}));
  EXPECT_EQ(*f.GetI32Array("tokenizer.ggml.token_type"), (std::vector<int32_t>{3, 1, 1, -1}));
  auto nested = f.GetValue("test.nested");
  ASSERT_TRUE(nested.ok()) << nested.status().ToString();
  const auto& outer = std::get<std::vector<Value>>(nested->data);
  ASSERT_EQ(outer.size(), 2u);
  const auto& first = std::get<std::vector<Value>>(outer[0].data);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(std::get<std::string>(first[1].data), "bc");
  EXPECT_EQ(std::get<std::string>(std::get<std::vector<Value>>(outer[1].data)[0].data), "def");

  ASSERT_EQ(f.tensors().size(), 3u);
  const TensorInfo* bf = f.FindTensor("b.bf16");
  ASSERT_NE(bf, nullptr);
  EXPECT_EQ(bf->type, TensorType::kBF16);
  EXPECT_EQ(bf->shape, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(bf->nbytes, 12u);
  EXPECT_EQ(bf->offset % 32, 0u);
  EXPECT_EQ(std::vector<uint8_t>(bf->data, bf->data + 12), Bytes(12, 2));
  EXPECT_EQ(f.FindTensor("nope"), nullptr);
  EXPECT_FALSE(f.Has("nope"));
}

TEST(GgufTest, GettersExplainWrongTypesAndMissingKeys) {
  const std::string data = SerializeOrDie(SampleWriter());
  auto p = ParseCopy(data);
  ASSERT_TRUE(p.file.ok());
  const GgufFile& f = **p.file;
  EXPECT_EQ(f.GetU32("missing.key").status().code(), ErrorCode::kNotFound);
  auto neg = f.GetU32("test.i32");
  ASSERT_FALSE(neg.ok());
  EXPECT_NE(neg.status().message().find("i32"), std::string::npos);
  EXPECT_FALSE(f.GetU32("test.u64").ok());  // does not fit
  auto s = f.GetString("llama.block_count");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("holds u32"), std::string::npos);
  EXPECT_FALSE(f.GetStringArray("tokenizer.ggml.scores").ok());
  EXPECT_FALSE(f.GetF32Array("tokenizer.ggml.tokens").ok());
  EXPECT_FALSE(f.GetBool("test.u8").ok());
}

TEST(GgufTest, HonoursCustomAlignmentAndVersion2) {
  GgufWriter w = SampleWriter();
  w.SetAlignment(64);
  w.SetVersion(2);
  auto p = ParseCopy(SerializeOrDie(w));
  ASSERT_TRUE(p.file.ok()) << p.file.status().ToString();
  EXPECT_EQ((*p.file)->version(), 2u);
  EXPECT_EQ((*p.file)->alignment(), 64u);
  EXPECT_EQ((*p.file)->data_offset() % 64, 0u);
  for (const TensorInfo& t : (*p.file)->tensors()) EXPECT_EQ(t.offset % 64, 0u) << t.name;
}

TEST(GgufTest, VocabOnlyFileWithoutTensorsOpens) {
  GgufWriter w;
  w.AddStringArray("tokenizer.ggml.tokens", {"a"});
  auto p = ParseCopy(SerializeOrDie(w));
  ASSERT_TRUE(p.file.ok()) << p.file.status().ToString();
  EXPECT_TRUE((*p.file)->tensors().empty());
}

TEST(GgufTest, EveryTruncationIsAnError) {
  const std::string data = SerializeOrDie(SampleWriter());
  for (size_t n = 0; n < data.size(); ++n) {
    auto p = ParseCopy(std::string_view(data).substr(0, n));
    ASSERT_FALSE(p.file.ok()) << "prefix of " << n << " bytes parsed";
    EXPECT_EQ(p.file.status().code(), ErrorCode::kCorrupt) << n;
  }
}

Status ParseStatus(const std::string& data) { return ParseCopy(data).file.status(); }

void ExpectError(const std::string& data, ErrorCode code, std::string_view words) {
  const Status st = ParseStatus(data);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), code) << st.ToString();
  EXPECT_NE(st.message().find(words), std::string::npos) << st.ToString();
}

TEST(GgufTest, RejectsWrongMagicAndVersions) {
  std::string data = SerializeOrDie(SampleWriter());
  std::string bad = data;
  bad[0] = 'X';
  ExpectError(bad, ErrorCode::kCorrupt, "not a GGUF file");
  ExpectError("GGU", ErrorCode::kCorrupt, "not a GGUF file");
  bad = data;
  Patch<uint32_t>(&bad, 4, 1);
  ExpectError(bad, ErrorCode::kUnsupported, "version 1");
  Patch<uint32_t>(&bad, 4, 0x03000000);
  ExpectError(bad, ErrorCode::kUnsupported, "big-endian");
  Patch<uint32_t>(&bad, 4, 7);
  ExpectError(bad, ErrorCode::kUnsupported, "version 7");
}

TEST(GgufTest, RejectsAbsurdCounts) {
  std::string data = SerializeOrDie(SampleWriter());
  std::string bad = data;
  Patch<uint64_t>(&bad, 8, 1ull << 60);
  ExpectError(bad, ErrorCode::kCorrupt, "tensors");
  bad = data;
  Patch<uint64_t>(&bad, 16, ~0ull);
  ExpectError(bad, ErrorCode::kCorrupt, "metadata entries");
  // The first key's length.
  bad = data;
  Patch<uint64_t>(&bad, 24, 1ull << 62);
  ExpectError(bad, ErrorCode::kCorrupt, "truncated");
  // The token array's element count.
  bad = data;
  const size_t tokens = bad.find("tokenizer.ggml.tokens") + 21 + 4 + 4;
  Patch<uint64_t>(&bad, tokens, 1ull << 61);
  ExpectError(bad, ErrorCode::kCorrupt, "more than the file holds");
}

TEST(GgufTest, RejectsBadValueTypesAndNesting) {
  std::string data = SerializeOrDie(SampleWriter());
  std::string bad = data;
  Patch<uint32_t>(&bad, bad.find("test.u8") + 7, 99);
  ExpectError(bad, ErrorCode::kCorrupt, "unknown value type 99");

  GgufWriter deep;
  std::string v = GgufWriter::EncodeU32(6) + GgufWriter::EncodeU64(0);
  for (int i = 0; i < 20; ++i) v = GgufWriter::EncodeU32(9) + GgufWriter::EncodeU64(1) + v;
  deep.AddRaw("deep", ValueType::kArray, v);
  ExpectError(SerializeOrDie(deep), ErrorCode::kCorrupt, "nested deeper");

  GgufWriter dup;
  dup.AddU32("k", 1);
  dup.AddU32("k", 2);
  ExpectError(SerializeOrDie(dup), ErrorCode::kCorrupt, "appears twice");

  GgufWriter align;
  align.AddU32("general.alignment", 24);
  ExpectError(SerializeOrDie(align), ErrorCode::kCorrupt, "power of two");
}

TEST(GgufTest, RejectsUnknownTensorTypeNamingIt) {
  std::string data = SerializeOrDie(SampleWriter());
  const size_t fields = TensorInfoFields(data, "b.bf16");
  Patch<uint32_t>(&data, fields + 4 + 2 * 8, 17);
  const Status st = ParseStatus(data);
  EXPECT_EQ(st.code(), ErrorCode::kUnsupported);
  EXPECT_NE(st.message().find("type id 17"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("b.bf16"), std::string::npos) << st.ToString();
}

TEST(GgufTest, RejectsLyingShapesAndOffsets) {
  const std::string data = SerializeOrDie(SampleWriter());
  const size_t q8 = TensorInfoFields(data, "a.q8");
  const size_t f32 = TensorInfoFields(data, "c.f32");
  std::string bad = data;
  Patch<uint32_t>(&bad, q8, 5);
  ExpectError(bad, ErrorCode::kCorrupt, "dimensions");
  bad = data;
  Patch<uint32_t>(&bad, q8, 0);
  ExpectError(bad, ErrorCode::kCorrupt, "dimensions");
  bad = data;
  Patch<uint64_t>(&bad, q8 + 4, 48);  // not a multiple of Q8_0's 32
  ExpectError(bad, ErrorCode::kCorrupt, "not a multiple");
  bad = data;
  Patch<uint64_t>(&bad, f32 + 4 + 8, 1ull << 62);  // second dim overflows
  ExpectError(bad, ErrorCode::kCorrupt, "c.f32");
  bad = data;
  Patch<uint64_t>(&bad, f32 + 4, ~0ull);
  ExpectError(bad, ErrorCode::kCorrupt, "absurd");
  bad = data;
  Patch<uint64_t>(&bad, f32 + 4, 1ull << 62);  // byte count overflows 64 bits
  ExpectError(bad, ErrorCode::kCorrupt, "larger than the file");
  bad = data;
  Patch<uint64_t>(&bad, f32 + 4 + 16 + 4, 1ull << 40);  // offset past the end
  ExpectError(bad, ErrorCode::kCorrupt, "past the end");
  bad = data;
  Patch<uint64_t>(&bad, f32 + 4 + 16 + 4, ~0ull - 31);  // offset + size wraps around
  ExpectError(bad, ErrorCode::kCorrupt, "past the end");
  bad = data;
  Patch<uint64_t>(&bad, f32 + 4 + 16 + 4, 8);  // misaligned
  ExpectError(bad, ErrorCode::kCorrupt, "alignment");
  bad = data;
  Patch<uint64_t>(&bad, f32 + 4 + 16 + 4, 64);  // on top of b.bf16 / a.q8's data
  ExpectError(bad, ErrorCode::kCorrupt, "overlap");

  GgufWriter dup;
  dup.AddTensor("t", TensorType::kF32, {8}, Bytes(32, 0));
  dup.AddTensor("t", TensorType::kF32, {8}, Bytes(32, 0));
  ExpectError(SerializeOrDie(dup), ErrorCode::kCorrupt, "appears twice");
}

TEST(GgufTest, OpenMapsFilesAndReportsMissingOrEmptyOnes) {
  hfd::testing::TempDir dir;
  const auto path = dir.path() / "m.gguf";
  ASSERT_TRUE(SampleWriter().Write(path).ok());
  auto f = GgufFile::Open(path);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  const TensorInfo* t = (*f)->FindTensor("a.q8");
  ASSERT_NE(t, nullptr);
  std::vector<float> row(64);
  EXPECT_TRUE(DequantizeRow(t->type, t->data, row.data(), 64).ok());
  EXPECT_EQ((*f)->FindTensor("c.f32")->data[0], Bytes(64, 3)[0]);

  auto missing = GgufFile::Open(dir.path() / "absent.gguf");
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  std::ofstream(dir.path() / "empty.gguf").close();
  auto empty = GgufFile::Open(dir.path() / "empty.gguf");
  EXPECT_EQ(empty.status().code(), ErrorCode::kCorrupt);
}

// An MXFP4 expert tensor as gpt-oss GGUFs hold them ([in, out, experts], GGML type 39)
// opens and decodes: E2M1 values with a 6 in every block (scale 2^0) round-trip exactly.
TEST(GgufTest, OpensAnMxfp4ExpertTensor) {
  constexpr float kE2M1[] = {0.0f,  0.5f,  1.0f,  1.5f,  2.0f,  3.0f,  4.0f, 6.0f,
                             -0.5f, -1.0f, -1.5f, -2.0f, -3.0f, -4.0f, -6.0f};
  const int64_t cols = 96, rows = 3, experts = 2;
  std::vector<float> values(cols * rows * experts);
  for (size_t i = 0; i < values.size(); ++i) {
    values[i] = i % 32 == 0 ? 6.0f : kE2M1[(i * 7 + i / 32) % 15];
  }
  const int64_t row_bytes = RowBytes(TensorType::kMXFP4, cols);
  ASSERT_EQ(row_bytes, 51);
  std::vector<uint8_t> packed(row_bytes * rows * experts);
  for (int64_t r = 0; r < rows * experts; ++r) {
    ASSERT_TRUE(
        QuantizeRow(TensorType::kMXFP4, &values[r * cols], &packed[r * row_bytes], cols).ok());
  }
  GgufWriter w;
  w.AddString("general.architecture", "gpt-oss");
  w.AddTensor("blk.0.ffn_down_exps.weight", TensorType::kMXFP4, {cols, rows, experts}, packed);
  w.AddTensor("after", TensorType::kF32, {8}, Bytes(32, 4));  // placed after 306 odd bytes
  hfd::testing::TempDir dir;
  const auto path = dir.path() / "mxfp4.gguf";
  ASSERT_TRUE(w.Write(path).ok());
  auto f = GgufFile::Open(path);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  const TensorInfo* t = (*f)->FindTensor("blk.0.ffn_down_exps.weight");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->type, TensorType::kMXFP4);
  EXPECT_EQ(t->shape, (std::vector<int64_t>{cols, rows, experts}));
  EXPECT_EQ(t->nbytes, packed.size());
  std::vector<float> decoded(values.size());
  ASSERT_TRUE(DequantizeRow(t->type, t->data, decoded.data(), cols * rows * experts).ok());
  EXPECT_EQ(decoded, values);
  EXPECT_EQ((*f)->FindTensor("after")->data[0], Bytes(32, 4)[0]);
}

TEST(GgufTest, WriterRefusesDataOfTheWrongSize) {
  GgufWriter w;
  w.AddTensor("t", TensorType::kF32, {4}, Bytes(3, 0));
  EXPECT_FALSE(w.Serialize().ok());
  GgufWriter w2;
  w2.AddTensor("t", TensorType::kQ4_K, {100}, Bytes(3, 0));
  EXPECT_FALSE(w2.Serialize().ok());
}

}  // namespace
}  // namespace hfd::gguf
