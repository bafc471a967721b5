// Test helpers: whole weights dequantized to f32 rows, and simple error measures.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "engine/model/weights.h"
#include "engine/quant/dequantize.h"

namespace hfd::model::testing {

// Every value of `w` as f32, row after row (fails the test on error).
inline std::vector<float> ToF32(const WeightView& w) {
  int64_t rows = 1;
  for (size_t d = 1; d < w.shape.size(); ++d) rows *= w.shape[d];
  const int64_t n = w.shape.empty() ? 0 : w.shape[0];
  std::vector<float> out(static_cast<size_t>(rows * n));
  const int64_t row_bytes = RowBytes(w.type, n);
  EXPECT_GT(row_bytes, 0);
  EXPECT_EQ(static_cast<uint64_t>(row_bytes * rows), w.nbytes);
  for (int64_t r = 0; r < rows && row_bytes > 0; ++r) {
    const Status st = DequantizeRow(w.type, w.data + r * row_bytes, out.data() + r * n, n);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  return out;
}

// sqrt(mean((a-b)^2)) / sqrt(mean(b^2)).
inline double RelativeRms(const std::vector<float>& a, const std::vector<float>& b) {
  double err = 0, ref = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    err += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
    ref += static_cast<double>(b[i]) * b[i];
  }
  return ref > 0 ? std::sqrt(err / ref) : std::sqrt(err);
}

}  // namespace hfd::model::testing
