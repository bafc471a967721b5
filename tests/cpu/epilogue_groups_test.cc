// Which ops the CPU backend runs as one (backends/cpu/epilogue_groups.h).
#include "backends/cpu/epilogue_groups.h"

#include <gtest/gtest.h>

#include <vector>

namespace hfd::cpu {
namespace {

using runtime::OpKind;
using runtime::ValueId;

class GraphMaker {
 public:
  ValueId Op(OpKind kind, ValueId a = runtime::kNone, ValueId b = runtime::kNone) {
    runtime::Op op = runtime::MakeOp(kind, a, b);
    op.out = static_cast<ValueId>(g.values.size());
    g.values.push_back(runtime::Value{"v", 8});
    g.ops.push_back(op);
    return op.out;
  }
  runtime::Graph g;
};

// BERT's pieces: a projection with bias and GELU, one with a bias only, a LayerNorm with its
// bias; and chains that must not fuse: a product read twice, a bias add of another value.
TEST(EpilogueGroupsTest, FusesBiasAndGeluOntoTheirProductAndNothingElse) {
  GraphMaker m;
  const ValueId x = m.Op(OpKind::kGetRows);                 // 0
  const ValueId up = m.Op(OpKind::kMatMul, x);              // 1: group 1..3
  const ValueId biased = m.Op(OpKind::kAddBias, up);        // 2
  const ValueId act = m.Op(OpKind::kGelu, biased);          // 3
  const ValueId down = m.Op(OpKind::kMatMul, act);          // 4: group 4..5
  const ValueId down_b = m.Op(OpKind::kAddBias, down);      // 5
  const ValueId sum = m.Op(OpKind::kAdd, x, down_b);        // 6
  const ValueId norm = m.Op(OpKind::kLayerNorm, sum);       // 7: group 7..8
  const ValueId norm_b = m.Op(OpKind::kAddBias, norm);      // 8
  const ValueId twice = m.Op(OpKind::kMatMul, norm_b);      // 9: read by 10 and 11, alone
  const ValueId twice_b = m.Op(OpKind::kAddBias, twice);    // 10
  const ValueId both = m.Op(OpKind::kAdd, twice, twice_b);  // 11
  const ValueId other = m.Op(OpKind::kMatMul, both);        // 12: the bias adds `both`, alone
  m.Op(OpKind::kAddBias, both);                             // 13
  const ValueId last = m.Op(OpKind::kMatMul, other);        // 14: the output, alone
  m.g.logits = m.Op(OpKind::kAddBias, last);                // 15: the graph's output
  EXPECT_EQ(EpilogueGroups(m.g),
            (std::vector<int32_t>{0, 3, 3, 3, 5, 5, 6, 8, 8, 9, 10, 11, 12, 13, 15, 15}));
}

// Gemma's pieces: GeGLU onto the up projection (its second input), not onto a gate (its
// first) nor onto an up read twice; the output head with its soft-capping.
TEST(EpilogueGroupsTest, FusesGeGLUOntoItsUpAndSoftCapOntoTheHead) {
  GraphMaker m;
  const ValueId x = m.Op(OpKind::kGetRows);               // 0
  const ValueId gate = m.Op(OpKind::kMatMul, x);          // 1: alone
  const ValueId up = m.Op(OpKind::kMatMul, x);            // 2: group 2..3
  const ValueId act = m.Op(OpKind::kGeGLU, gate, up);     // 3
  const ValueId up2 = m.Op(OpKind::kMatMul, act);         // 4: alone
  const ValueId gate2 = m.Op(OpKind::kMatMul, act);       // 5: alone, the next op's gate
  const ValueId act2 = m.Op(OpKind::kGeGLU, gate2, up2);  // 6
  const ValueId up3 = m.Op(OpKind::kMatMul, act2);        // 7: alone, read by 8 and 9
  const ValueId act3 = m.Op(OpKind::kGeGLU, act2, up3);   // 8
  const ValueId sum = m.Op(OpKind::kAdd, up3, act3);      // 9
  const ValueId head = m.Op(OpKind::kMatMul, sum);        // 10: group 10..11
  const ValueId logits = m.Op(OpKind::kSoftCap, head);    // 11
  m.g.argmax = m.Op(OpKind::kArgmax, logits);             // 12: the graph's output
  EXPECT_EQ(EpilogueGroups(m.g), (std::vector<int32_t>{0, 1, 3, 3, 4, 5, 6, 7, 8, 9, 11, 11, 12}));
}

TEST(EpilogueGroupsTest, TheGraphsOutputIsAlwaysWritten) {
  GraphMaker m;
  const ValueId x = m.Op(OpKind::kGetRows);
  m.g.logits = m.Op(OpKind::kMatMul, x);
  m.Op(OpKind::kAddBias, m.g.logits);
  EXPECT_EQ(EpilogueGroups(m.g), (std::vector<int32_t>{0, 1, 2}));
}

}  // namespace
}  // namespace hfd::cpu
