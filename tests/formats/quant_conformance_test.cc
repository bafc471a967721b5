// Dequantization of llama.cpp-quantized tensors against llama.cpp's own reference
// (fixtures/quant), and our encoders' error against llama-quantize's on the same data.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>

#include "engine/gguf/gguf_file.h"
#include "tests/formats/weight_util.h"
#include "tests/support/fixtures.h"

namespace hfd {
namespace {

using model::WeightView;
using model::testing::ToF32;

WeightView View(const gguf::TensorInfo& t) { return {t.type, t.shape, t.data, t.nbytes}; }

// Within a few float32 ulps of the reference.
void ExpectClose(float got, double want, const std::string& what) {
  EXPECT_LE(std::fabs(got - want), 4e-7 * std::fabs(want) + 1e-12)
      << what << ": " << got << " vs " << want;
}

const char* const kQuantFiles[] = {"qv-Q4_0.gguf", "qv-Q4_1.gguf", "qv-Q5_0.gguf", "qv-Q5_1.gguf",
                                   "qv-Q8_0.gguf", "qv-Q4_K.gguf", "qv-Q5_K.gguf", "qv-Q6_K.gguf"};

// Every tensor of every file `ref` describes dequantizes to llama.cpp's values; returns how
// many tensors were checked.
int ExpectEveryTensorMatches(const std::filesystem::path& dir, const nlohmann::json& ref) {
  auto f32_file = gguf::GgufFile::Open(dir / "qv-F32.gguf");
  EXPECT_TRUE(f32_file.ok()) << f32_file.status().ToString();
  if (!f32_file.ok()) return 0;
  int checked = 0;
  for (const auto& [name, tensors] : ref.items()) {
    SCOPED_TRACE(name);
    auto file = gguf::GgufFile::Open(dir / name);
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    if (!file.ok()) continue;
    for (const auto& [tensor, want] : tensors.items()) {
      SCOPED_TRACE(tensor);
      const gguf::TensorInfo* t = (*file)->FindTensor(tensor);
      EXPECT_NE(t, nullptr);
      if (t == nullptr) continue;
      EXPECT_EQ(TypeName(t->type), want["type"].get<std::string>());
      const auto np_shape = want["shape"].get<std::vector<int64_t>>();
      EXPECT_EQ(t->shape, std::vector<int64_t>(np_shape.rbegin(), np_shape.rend()));
      const std::vector<float> y = ToF32(View(*t));
      for (int i = 0; i < 8; ++i) ExpectClose(y[i], want["first8"][i].get<double>(), "first8");
      for (const auto& [index, value] : want["samples"].items()) {
        ExpectClose(y.at(std::stoul(index)), value.get<double>(), "sample " + index);
      }
      double sum = 0, sum_sq = 0, sum_abs = 0;
      for (float v : y) {
        sum += v;
        sum_sq += static_cast<double>(v) * v;
        sum_abs += std::fabs(v);
      }
      EXPECT_NEAR(sum, want["sum"].get<double>(), 1e-5 * sum_abs);
      EXPECT_NEAR(sum_sq, want["sum_sq"].get<double>(), 1e-5 * sum_sq);
      const std::vector<float> x = ToF32(View(*(*f32_file)->FindTensor(tensor)));
      double err = 0;
      for (size_t i = 0; i < x.size(); ++i)
        err += (static_cast<double>(y[i]) - x[i]) * (y[i] - x[i]);
      EXPECT_NEAR(std::sqrt(err / x.size()), want["rms_error_vs_f32"].get<double>(),
                  1e-4 * want["rms_error_vs_f32"].get<double>());
      ++checked;
    }
  }
  return checked;
}

TEST(QuantConformanceTest, EveryTensorMatchesLlamaCppReference) {
  HFD_REQUIRE_FIXTURES(fixtures);
  const nlohmann::json ref = nlohmann::json::parse(
      hfd::testing::ReadFileOrFail(fixtures / "quant" / "dequant_reference.json"));
  for (const char* name : kQuantFiles) EXPECT_TRUE(ref.contains(name)) << name;
  EXPECT_EQ(ExpectEveryTensorMatches(fixtures / "quant", ref), 8 * 9);
}

// The types added later: Q2_K, Q3_K and the i-quants IQ4_NL, IQ4_XS, IQ3_S, IQ3_XXS.
TEST(QuantConformanceTest, EveryTensorOfTheLaterTypesMatchesLlamaCppReference) {
  HFD_REQUIRE_FIXTURES(fixtures);
  const nlohmann::json ref = nlohmann::json::parse(
      hfd::testing::ReadFileOrFail(fixtures / "quant" / "dequant_reference_2.json"));
  for (const char* name : {"qv-Q2_K.gguf", "qv-Q3_K.gguf", "qv-IQ4_NL.gguf", "qv-IQ4_XS.gguf",
                           "qv-IQ3_S.gguf", "qv-IQ3_XXS.gguf"}) {
    EXPECT_TRUE(ref.contains(name)) << name;
  }
  EXPECT_EQ(ExpectEveryTensorMatches(fixtures / "quant", ref), 6 * 9);
}

// Our reference encoders are not llama-quantize, but their error on the same heavy-tailed
// weights must be comparable: at most 5% above llama.cpp's.
TEST(QuantConformanceTest, EncodersErrorComparableToLlamaQuantize) {
  HFD_REQUIRE_FIXTURES(fixtures);
  const nlohmann::json ref = nlohmann::json::parse(
      hfd::testing::ReadFileOrFail(fixtures / "quant" / "dequant_reference.json"));
  auto f32_file = gguf::GgufFile::Open(fixtures / "quant" / "qv-F32.gguf");
  ASSERT_TRUE(f32_file.ok()) << f32_file.status().ToString();
  for (const char* name : kQuantFiles) {
    const std::string type_name = std::string(name).substr(3, std::string(name).size() - 8);
    const TensorType type = *TensorTypeFromName(type_name);
    double ours = 0, theirs = 0;
    for (const auto& [tensor, want] : ref[name].items()) {
      const std::vector<float> x = ToF32(View(*(*f32_file)->FindTensor(tensor)));
      std::vector<uint8_t> q(static_cast<size_t>(RowBytes(type, static_cast<int64_t>(x.size()))));
      std::vector<float> y(x.size());
      ASSERT_TRUE(QuantizeRow(type, x.data(), q.data(), static_cast<int64_t>(x.size())).ok());
      ASSERT_TRUE(DequantizeRow(type, q.data(), y.data(), static_cast<int64_t>(x.size())).ok());
      double err = 0;
      for (size_t i = 0; i < x.size(); ++i)
        err += (static_cast<double>(y[i]) - x[i]) * (y[i] - x[i]);
      ours += err / x.size();
      const double r = want["rms_error_vs_f32"].get<double>();
      theirs += r * r;
    }
    const double ratio = std::sqrt(ours / theirs);
    RecordProperty(type_name + "_error_ratio", std::to_string(ratio));
    EXPECT_LT(ratio, 1.05) << type_name << " error is " << ratio << "x llama-quantize's";
  }
}

}  // namespace
}  // namespace hfd
