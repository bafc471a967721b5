// Backend-independent runtime pieces: RoPE frequencies and activation memory planning.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/runtime/memory_plan.h"
#include "engine/runtime/rope_freqs.h"

namespace hfd::runtime {
namespace {

TEST(RopeFreqsTest, FrequenciesArePowersOfTheta) {
  const std::vector<float> f = RopeInvFreqs(8, 10000.0);
  ASSERT_EQ(f.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(f[i], std::pow(10000.0, -2.0 * i / 8), 1e-7);
}

// A chain x0 -> x1 -> ... with a skip connection, like a residual stream.
Graph ChainGraph() {
  Graph g;
  g.max_tokens = 4;
  auto value = [&](int64_t width) {
    g.values.push_back(Value{"v", width});
    return static_cast<ValueId>(g.values.size() - 1);
  };
  ValueId x = value(8);
  const auto op = [&](OpKind kind, ValueId out, ValueId a = kNone, ValueId b = kNone) {
    Op o = MakeOp(kind, a, b);
    o.out = out;
    g.ops.push_back(o);
  };
  op(OpKind::kGetRows, x);
  for (int i = 0; i < 5; ++i) {
    const ValueId h = value(16);
    op(OpKind::kMatMul, h, x);
    const ValueId o = value(8);
    op(OpKind::kMatMul, o, h);
    const ValueId sum = value(8);
    op(OpKind::kAdd, sum, x, o);
    x = sum;
  }
  g.logits = x;
  return g;
}

// Checks that values sharing a slot never overlap in lifetime, where op i's reads last
// until op group_end[i] (itself when empty).
void ExpectLiveValuesApart(const Graph& g, const MemoryPlan& plan,
                           const std::vector<int32_t>& group_end = {}) {
  const int n_ops = static_cast<int>(g.ops.size());
  std::vector<int> def(g.values.size()), last(g.values.size(), -1);
  for (int i = 0; i < n_ops; ++i) {
    def[g.ops[i].out] = i;
    for (ValueId in : g.ops[i].in) {
      if (in != kNone) last[in] = std::max(last[in], group_end.empty() ? i : group_end[i]);
    }
  }
  last[g.logits] = n_ops;
  for (size_t a = 0; a < g.values.size(); ++a) {
    EXPECT_GE(plan.slot_bytes[plan.slot_of[a]], ValueBytes(g, static_cast<ValueId>(a)));
    for (size_t b = a + 1; b < g.values.size(); ++b) {
      if (plan.slot_of[a] != plan.slot_of[b]) continue;
      // Same slot: one must be dead before the other is written (strictly: an op's
      // output never shares with its own inputs).
      const bool a_first = last[a] < def[b];
      const bool b_first = last[b] < def[a];
      EXPECT_TRUE(a_first || b_first) << "values " << a << " and " << b;
    }
  }
}

TEST(MemoryPlanTest, LiveValuesNeverShareASlotAndMemoryIsReused) {
  const Graph g = ChainGraph();
  const MemoryPlan plan = PlanMemory(g);
  ExpectLiveValuesApart(g, plan);
  EXPECT_LT(plan.slot_bytes.size(), g.values.size() / 2);
}

// A backend fusing "o = W h; sum = x + o" into one kernel reads h while writing sum, so
// the two may not share a slot, though h is dead after the matmul.
TEST(MemoryPlanTest, FusedGroupsKeepTheirInputsLiveToTheGroupsEnd) {
  const Graph g = ChainGraph();
  std::vector<int32_t> group_end(g.ops.size());
  for (size_t i = 0; i < g.ops.size(); ++i) {
    const bool fused = g.ops[i].kind == OpKind::kMatMul && i + 1 < g.ops.size() &&
                       g.ops[i + 1].kind == OpKind::kAdd;
    group_end[i] = static_cast<int32_t>(fused ? i + 1 : i);
  }
  auto h_shares_with_sum = [&](const MemoryPlan& plan) {
    for (size_t i = 0; i + 1 < g.ops.size(); ++i) {
      if (group_end[i] == static_cast<int32_t>(i + 1) &&
          plan.slot_of[g.ops[i].in[0]] == plan.slot_of[g.ops[i + 1].out]) {
        return true;
      }
    }
    return false;
  };
  // Without the groups the planner does reuse h's slot for sum (so the test can fail).
  EXPECT_TRUE(h_shares_with_sum(PlanMemory(g)));
  const MemoryPlan plan = PlanMemory(g, group_end);
  EXPECT_FALSE(h_shares_with_sum(plan));
  ExpectLiveValuesApart(g, plan, group_end);
}

}  // namespace
}  // namespace hfd::runtime
