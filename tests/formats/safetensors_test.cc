// safetensors reader: headers, shards, and malformed input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>

#include "engine/quant/half.h"
#include "engine/safetensors/safetensors_checkpoint.h"
#include "tests/support/fixtures.h"

namespace hfd::safetensors {
namespace {

// Builds a safetensors image from a header object and data bytes.
std::string Image(const nlohmann::json& header, const std::string& data) {
  const std::string text = header.dump();
  std::string out(8, '\0');
  const uint64_t n = text.size();
  std::memcpy(out.data(), &n, 8);
  return out + text + data;
}

Result<Header> Parse(const std::string& image) {
  // Exactly sized heap copy, so ASan sees any overread.
  auto bytes = std::make_unique<uint8_t[]>(image.size() + 1);
  std::memcpy(bytes.get(), image.data(), image.size());
  return ParseHeader(bytes.get(), image.size());
}

nlohmann::json TwoTensors() {
  return {{"__metadata__", {{"format", "pt"}}},
          {"a", {{"dtype", "BF16"}, {"shape", {2, 3}}, {"data_offsets", {0, 12}}}},
          {"b", {{"dtype", "F32"}, {"shape", {2}}, {"data_offsets", {12, 20}}}}};
}

TEST(SafetensorsTest, ParsesAValidHeader) {
  auto h = Parse(Image(TwoTensors(), std::string(20, 'x')));
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  ASSERT_EQ(h->tensors.size(), 2u);
  EXPECT_EQ(h->metadata.at("format"), "pt");
  const HeaderEntry& a = h->tensors[0].name == "a" ? h->tensors[0] : h->tensors[1];
  EXPECT_EQ(a.type, TensorType::kBF16);
  EXPECT_TRUE(a.supported);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a.end - a.begin, 12u);
}

void ExpectCorrupt(const std::string& image, std::string_view words) {
  auto h = Parse(image);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), ErrorCode::kCorrupt) << h.status().ToString();
  EXPECT_NE(h.status().message().find(words), std::string::npos) << h.status().ToString();
}

TEST(SafetensorsTest, RejectsMalformedHeaders) {
  const std::string data(20, 'x');
  ExpectCorrupt("abc", "shorter");
  std::string lying = Image(TwoTensors(), data);
  lying[5] = 1;  // header length in the petabytes
  ExpectCorrupt(lying, "truncated");
  ExpectCorrupt(Image(nlohmann::json::array({1, 2}), data), "not a JSON object");
  std::string broken = Image(TwoTensors(), data);
  broken[broken.size() - data.size() - 1] = '#';  // the closing brace
  ExpectCorrupt(broken, "not valid JSON");

  auto with = [&](const char* key, nlohmann::json value) {
    nlohmann::json h = TwoTensors();
    h["a"][key] = std::move(value);
    return Image(h, data);
  };
  ExpectCorrupt(with("dtype", "Q4"), "unknown dtype 'Q4'");
  ExpectCorrupt(with("dtype", 3), "dtype");
  ExpectCorrupt(with("shape", {2, -3}), "negative");
  ExpectCorrupt(with("shape", {1ull << 62, 1ull << 62}), "too large");
  ExpectCorrupt(with("shape", {2, 4}), "need 16");
  ExpectCorrupt(with("data_offsets", {0, 1000}), "outside");
  ExpectCorrupt(with("data_offsets", {12, 0}), "outside");
  ExpectCorrupt(with("data_offsets", {0}), "data_offsets");
  ExpectCorrupt(with("data_offsets", {0, 10}), "need 12");
  nlohmann::json overlap = TwoTensors();
  overlap["b"]["data_offsets"] = {8, 16};
  ExpectCorrupt(Image(overlap, data), "overlap");
  nlohmann::json bad_meta = TwoTensors();
  bad_meta["__metadata__"]["n"] = 3;
  ExpectCorrupt(Image(bad_meta, data), "__metadata__");
}

TEST(SafetensorsTest, EveryTruncationIsAnError) {
  const std::string image = Image(TwoTensors(), std::string(20, 'x'));
  for (size_t n = 0; n < image.size(); ++n) {
    EXPECT_FALSE(Parse(image.substr(0, n)).ok()) << n;
  }
}

TEST(SafetensorsTest, OtherDtypesValidateButAreMarkedUnsupported) {
  nlohmann::json h = {{"ids", {{"dtype", "I64"}, {"shape", {3}}, {"data_offsets", {0, 24}}}}};
  auto parsed = Parse(Image(h, std::string(24, '\0')));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_FALSE(parsed->tensors[0].supported);
}

void WriteFile(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string Bf16Bytes(std::initializer_list<float> values) {
  std::string out;
  for (float v : values) {
    const uint16_t b = FloatToBf16(v);
    out.append(reinterpret_cast<const char*>(&b), 2);
  }
  return out;
}

TEST(SafetensorsTest, OpensSingleAndShardedCheckpoints) {
  hfd::testing::TempDir dir;
  const nlohmann::json h1 = {{"x", {{"dtype", "BF16"}, {"shape", {2}}, {"data_offsets", {0, 4}}}}};
  const nlohmann::json h2 = {{"y", {{"dtype", "BF16"}, {"shape", {1}}, {"data_offsets", {0, 2}}}}};
  WriteFile(dir.path() / "model-00001-of-00002.safetensors", Image(h1, Bf16Bytes({1.5f, -2})));
  WriteFile(dir.path() / "model-00002-of-00002.safetensors", Image(h2, Bf16Bytes({3})));
  nlohmann::json index = {
      {"metadata", {{"total_size", 6}}},
      {"weight_map",
       {{"x", "model-00001-of-00002.safetensors"}, {"y", "model-00002-of-00002.safetensors"}}}};
  WriteFile(dir.path() / "model.safetensors.index.json", index.dump());
  auto ckpt = Checkpoint::Open(dir.path());
  ASSERT_TRUE(ckpt.ok()) << ckpt.status().ToString();
  EXPECT_EQ((*ckpt)->names(), (std::vector<std::string>{"x", "y"}));
  const HeaderEntry* y = (*ckpt)->Find("y");
  ASSERT_NE(y, nullptr);
  const Tensor t = (*ckpt)->Get(*y);
  uint16_t bits;
  std::memcpy(&bits, t.data, 2);
  EXPECT_EQ(Bf16ToFloat(bits), 3.0f);

  // The index must not point outside the directory or at tensors a shard lacks.
  index["weight_map"]["y"] = "../model-00002-of-00002.safetensors";
  WriteFile(dir.path() / "model.safetensors.index.json", index.dump());
  EXPECT_EQ(Checkpoint::Open(dir.path()).status().code(), ErrorCode::kCorrupt);
  index["weight_map"]["y"] = "model-00001-of-00002.safetensors";
  WriteFile(dir.path() / "model.safetensors.index.json", index.dump());
  auto missing = Checkpoint::Open(dir.path());
  EXPECT_EQ(missing.status().code(), ErrorCode::kCorrupt) << missing.status().ToString();
  WriteFile(dir.path() / "model.safetensors.index.json", "{not json");
  EXPECT_EQ(Checkpoint::Open(dir.path()).status().code(), ErrorCode::kCorrupt);
  std::filesystem::remove(dir.path() / "model.safetensors.index.json");
  EXPECT_EQ(Checkpoint::Open(dir.path()).status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace hfd::safetensors
