// The op test: every graph op on every weight type (the table in op_cases.cc), run on each
// CPU kernel path (scalar, AVX2, AVX-512, AMX; int8 and finer activations) and held to a chain
// of baselines: the scalar path against a float64 reference computed from the op's
// definition, every other path against the scalar path. op_test_vulkan.cc holds every
// Vulkan device to the same scalar results. Ops or types a path lacks must be refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/kernels/isa.h"
#include "tests/backends/op_harness.h"

namespace hfd::testing {
namespace {

using cpu::ActPrecision;
using cpu::Isa;

struct CpuPath {
  Isa isa;
  ActPrecision act;
};

std::string PathName(const CpuPath& p) {
  return std::string(cpu::IsaName(p.isa)) + (p.act == ActPrecision::kInt8x2 ? "_int8x2" : "");
}

class CpuOpTest : public ::testing::TestWithParam<CpuPath> {};

TEST_P(CpuOpTest, MatchesTheScalarPathAndTheReference) {
  const CpuPath path = GetParam();
  std::unique_ptr<runtime::Backend> backend =
      cpu::CreateCpuBackend({.n_threads = 2, .activations = path.act, .isa = path.isa});
  std::unique_ptr<MemoryModelFiles> files = WeightsFor(*backend);
  ASSERT_TRUE(backend->LoadWeights(*files).ok());
  if (!cpu::IsaSupported(path.isa)) {
    const Status st = RunOpCase(*backend, AllOpCases().front()).status();
    EXPECT_EQ(st.code(), ErrorCode::kUnsupported) << st.ToString();
    GTEST_SKIP() << "no " << cpu::IsaName(path.isa)
                 << " path here: " << cpu::IsaUnsupportedReason(path.isa);
  }
  CheckPath(*backend, "cpu " + PathName(path), [&](size_t i) {
    const OpCase& c = AllOpCases()[i];
    if (path.isa == Isa::kScalar) {
      return Baseline{&c.reference, path.act == ActPrecision::kInt8 ? c.tol.coarse : c.tol.fine};
    }
    const Result<std::vector<double>>& scalar = ScalarOutput(i, path.act);
    return Baseline{scalar.ok() ? &*scalar : nullptr, std::min(c.tol.fine, kSimdTolerance)};
  });
}

INSTANTIATE_TEST_SUITE_P(Paths, CpuOpTest,
                         ::testing::Values(CpuPath{Isa::kScalar, ActPrecision::kInt8},
                                           CpuPath{Isa::kScalar, ActPrecision::kInt8x2},
                                           CpuPath{Isa::kAvx2, ActPrecision::kInt8},
                                           CpuPath{Isa::kAvx2, ActPrecision::kInt8x2},
                                           CpuPath{Isa::kAvx512, ActPrecision::kInt8},
                                           CpuPath{Isa::kAvx512, ActPrecision::kInt8x2},
                                           CpuPath{Isa::kAmx, ActPrecision::kInt8},
                                           CpuPath{Isa::kAmx, ActPrecision::kInt8x2}),
                         [](const auto& info) { return PathName(info.param); });

// Adding an op kind or a readable type without a case fails here.
TEST(OpCasesTest, EveryOpAndEveryTypeHasACase) {
  std::set<runtime::OpKind> ops;
  std::set<std::pair<runtime::OpKind, TensorType>> typed;
  std::set<std::string> names;
  for (const OpCase& c : AllOpCases()) {
    ops.insert(c.op);
    typed.insert({c.op, c.type});
    EXPECT_TRUE(names.insert(c.name).second) << "two cases named " << c.name;
    EXPECT_FALSE(c.reference.empty()) << c.name;
  }
  // Every op kind OpName knows (a new kind must be named there: its switch has no default).
  for (int k = 0; runtime::OpName(static_cast<runtime::OpKind>(k)) != "unknown"; ++k) {
    EXPECT_TRUE(ops.contains(static_cast<runtime::OpKind>(k)))
        << "no case for op " << runtime::OpName(static_cast<runtime::OpKind>(k));
  }
  for (TensorType type : AllTensorTypes()) {
    for (runtime::OpKind op : {runtime::OpKind::kGetRows, runtime::OpKind::kMatMul}) {
      EXPECT_TRUE(typed.contains({op, type}))
          << "no case for " << runtime::OpName(op) << " on " << TypeName(type);
    }
  }
}

}  // namespace
}  // namespace hfd::testing
