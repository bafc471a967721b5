// Dequantization of llama.cpp-quantized tensors against llama.cpp's own reference
// (fixtures/quant), and our encoders' error against llama-quantize's on the same data.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>

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

TEST(QuantConformanceTest, EveryTensorMatchesLlamaCppReference) {
  HFD_REQUIRE_FIXTURES(fixtures);
  const nlohmann::json ref = nlohmann::json::parse(
      hfd::testing::ReadFileOrFail(fixtures / "quant" / "dequant_reference.json"));
  auto f32_file = gguf::GgufFile::Open(fixtures / "quant" / "qv-F32.gguf");
  ASSERT_TRUE(f32_file.ok()) << f32_file.status().ToString();
  int checked = 0;
  for (const char* name : kQuantFiles) {
    SCOPED_TRACE(name);
    auto file = gguf::GgufFile::Open(fixtures / "quant" / name);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    ASSERT_TRUE(ref.contains(name));
    for (const auto& [tensor, want] : ref[name].items()) {
      SCOPED_TRACE(tensor);
      const gguf::TensorInfo* t = (*file)->FindTensor(tensor);
      ASSERT_NE(t, nullptr);
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
  EXPECT_EQ(checked, 8 * 9);
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
