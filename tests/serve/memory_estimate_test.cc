#include "serve/memory_estimate.h"

#include <gtest/gtest.h>

#include "tests/serve/serve_test_env.h"

namespace hfd::serve::testing {
namespace {

TEST(MemoryEstimate, KvCacheIsKeysAndValuesOfEveryLayerInF16) {
  model::ModelDesc d;
  d.n_layer = 16, d.n_head_kv = 8, d.head_dim = 64;
  // Llama-3.2-1B at 8192 positions: 2 (K, V) x 16 x 8192 x 8 x 64 x 2 bytes = 256 MiB.
  EXPECT_EQ(KvCacheBytes(d, 8192), int64_t{256} << 20);
}

TEST(MemoryEstimate, GrowsWithContextAndSlots) {
  auto files = model::OpenModelFiles(TestModelPath());
  ASSERT_TRUE(files.ok());
  const MemoryEstimate small = EstimateMemory(**files, 64, 32);
  const MemoryEstimate large = EstimateMemory(**files, 256, 32);
  EXPECT_GT(small.weights_bytes, 0);
  EXPECT_EQ(small.weights_bytes, large.weights_bytes);
  EXPECT_LT(small.total(1), large.total(1));
  EXPECT_LT(small.total(1), small.total(2));
}

TEST(MemoryEstimate, LargestFittingContextFitsAndIsAMultipleOf16) {
  auto files = model::OpenModelFiles(TestModelPath());
  ASSERT_TRUE(files.ok());
  const int64_t budget = EstimateMemory(**files, 100, 32).total(2);
  const int32_t ctx = LargestFittingContext(**files, 2, 512, 32, budget);
  EXPECT_EQ(ctx % 16, 0);
  EXPECT_GE(ctx, 96);
  EXPECT_LE(EstimateMemory(**files, ctx, 32).total(2), budget);
  EXPECT_GT(EstimateMemory(**files, ctx + 16, 32).total(2), budget);
  EXPECT_EQ(LargestFittingContext(**files, 1, 512, 32, 1000), 0);
  EXPECT_EQ(LargestFittingContext(**files, 1, 48, 32, INT64_MAX), 48);
  EXPECT_GT(AutomaticMemoryBudget(), 0);
}

}  // namespace
}  // namespace hfd::serve::testing
