#include "serve/memory_estimate.h"

#include <gtest/gtest.h>

#include "engine/model/synthetic_gguf.h"
#include "tests/serve/serve_test_env.h"
#include "tests/support/fixtures.h"

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

TEST(MemoryEstimate, KvPoolHoldsEverySlotsContextOrWhatTheBudgetLeavesButOneContextAtLeast) {
  auto files = model::OpenModelFiles(TestModelPath());
  ASSERT_TRUE(files.ok());
  const MemoryEstimate e = EstimateMemory(**files, 128, 32);
  EXPECT_EQ(e.kv_bytes_per_position * 128, e.kv_bytes_per_slot);
  EXPECT_EQ(KvPoolPositions(e, 4, 128, 0, INT64_MAX), 4 * 128);
  EXPECT_EQ(KvPoolPositions(e, 4, 128, 200, INT64_MAX), 208) << "in 16-position blocks";
  EXPECT_EQ(KvPoolPositions(e, 4, 128, 100000, INT64_MAX), 4 * 128);
  // Room for 300 positions beside weights and activations: 18 whole blocks.
  EXPECT_EQ(KvPoolPositions(e, 4, 128, 0, e.with_kv(4, 300 * e.kv_bytes_per_position)), 288);
  EXPECT_EQ(KvPoolPositions(e, 4, 128, 0, e.with_kv(4, 0)), 128) << "one context at least";
  // A pooled load's ctx needs one whole context of KV, not one per slot.
  const int64_t budget = e.with_kv(4, e.kv_bytes_per_slot);
  EXPECT_EQ(LargestFittingContext(**files, 4, 512, 32, budget, true), 128);
  EXPECT_LT(LargestFittingContext(**files, 4, 512, 32, budget), 128);
}

TEST(MemoryEstimate, ADevicesKvPoolFitsItsMemoryBesideTheActivationsButHoldsOneContext) {
  auto files = model::OpenModelFiles(TestModelPath());
  ASSERT_TRUE(files.ok());
  const MemoryEstimate e = EstimateMemory(**files, 128, 32);
  const auto device_with_kv = [&](int64_t positions) {
    return 4 * e.activation_bytes_per_slot + positions * e.kv_bytes_per_position;
  };
  EXPECT_EQ(*DeviceKvPoolPositions(e, 4, 128, 512, device_with_kv(1000)), 512) << "all fit";
  EXPECT_EQ(*DeviceKvPoolPositions(e, 4, 128, 512, device_with_kv(300)), 288) << "whole blocks";
  EXPECT_EQ(*DeviceKvPoolPositions(e, 4, 128, 512, device_with_kv(128)), 128);
  const Result<int64_t> none = DeviceKvPoolPositions(e, 4, 128, 512, device_with_kv(127));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), ErrorCode::kOutOfMemory);
  EXPECT_NE(none.status().message().find("one whole context (128 positions"), std::string::npos)
      << none.status().message();
  EXPECT_FALSE(DeviceKvPoolPositions(e, 4, 128, 512, -5).ok()) << "the weights took it all";
}

// A one-layer Qwen2-MoE of 8 experts of 32 and a shared expert of 64; `n_ff` is the dense
// feed-forward length its file also gives, which no tensor of it has.
model::ModelDesc TinyQwen2Moe(int64_t n_ff, int64_t used) {
  model::ModelDesc d = *model::PresetDesc("qwen1.5-moe-a2.7b");
  d.n_vocab = 256, d.n_embd = 64, d.n_layer = 1, d.n_head = 4, d.n_head_kv = 4, d.head_dim = 16;
  d.n_ff = n_ff, d.n_expert = 8, d.n_expert_used = used, d.n_ff_expert = 32;
  d.n_ff_shared_expert = 64, d.bos_id = 1, d.eos_ids = {2};
  return d;
}

MemoryEstimate EstimateOf(const model::ModelDesc& d) {
  hfd::testing::TempDir dir;
  const std::filesystem::path path = dir.path() / "moe.gguf";
  EXPECT_TRUE(model::WriteSyntheticGguf(d, TensorType::kF32, path).ok());
  auto files = model::OpenModelFiles(path);
  EXPECT_TRUE(files.ok()) << files.status().ToString();
  return files.ok() ? EstimateMemory(**files, 256, 32) : MemoryEstimate{};
}

TEST(MemoryEstimate, AMixtureOfExpertsCountsEveryExpertAndScratchOfTheRoutedOnes) {
  const MemoryEstimate two = EstimateOf(TinyQwen2Moe(128, 2));
  // Every expert's weights count (any may be picked): 8 x gate, up and down in F32.
  EXPECT_GT(two.weights_bytes, int64_t{8} * 3 * 64 * 32 * 4);
  // The dense length a file gives besides the experts' changes nothing.
  const MemoryEstimate wide = EstimateOf(TinyQwen2Moe(1 << 20, 2));
  EXPECT_EQ(wide.weights_bytes, two.weights_bytes);
  EXPECT_EQ(wide.activation_bytes_per_slot, two.activation_bytes_per_slot);
  // More experts per token: the same weights, more scratch (3 x 32 values per expert
  // and per token of the 32-token batch, in F32, and 2 more for its route).
  const MemoryEstimate four = EstimateOf(TinyQwen2Moe(128, 4));
  EXPECT_EQ(four.weights_bytes, two.weights_bytes);
  EXPECT_EQ(four.activation_bytes_per_slot - two.activation_bytes_per_slot,
            int64_t{4} * 32 * 2 * (3 * 32 + 2));
}

}  // namespace
}  // namespace hfd::serve::testing
