#include "tests/backends/op_harness.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <limits>
#include <map>

namespace hfd::testing {

std::unique_ptr<MemoryModelFiles> WeightsFor(const runtime::Backend& backend) {
  MemoryModelFiles::Tensors tensors;
  for (const OpCase& c : AllOpCases()) {
    if (backend.Supports(c.op, c.type)) tensors.insert(c.tensors.begin(), c.tensors.end());
  }
  return std::make_unique<MemoryModelFiles>(std::move(tensors));
}

Result<std::vector<double>> RunOpCase(runtime::Backend& backend, const OpCase& c) {
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<runtime::KvCache> cache, backend.AllocateKvCache(c.cache));
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<runtime::Executable> exe, backend.Compile(c.graph, *cache));
  std::vector<double> out;
  for (const OpCall& call : c.calls) {
    HFD_ASSIGN_OR_RETURN(runtime::RunOutput r,
                         backend.Run(*exe, {call.tokens, call.pos, call.seq_lens}));
    out.insert(out.end(), r.logits.begin(), r.logits.end());
    out.insert(out.end(), r.argmax.begin(), r.argmax.end());
    out.insert(out.end(), r.top_logits.begin(), r.top_logits.end());
  }
  return out;
}

const Result<std::vector<double>>& ScalarOutput(size_t i, cpu::ActPrecision act) {
  struct Path {
    std::unique_ptr<runtime::Backend> backend;
    std::unique_ptr<MemoryModelFiles> files;
    std::map<size_t, Result<std::vector<double>>> outputs;
  };
  static std::map<cpu::ActPrecision, Path> paths;
  Path& p = paths[act];
  if (p.backend == nullptr) {
    p.backend =
        cpu::CreateCpuBackend({.n_threads = 2, .activations = act, .isa = cpu::Isa::kScalar});
    p.files = WeightsFor(*p.backend);
    const Status loaded = p.backend->LoadWeights(*p.files);
    EXPECT_TRUE(loaded.ok()) << loaded.ToString();
  }
  auto it = p.outputs.find(i);
  if (it == p.outputs.end())
    it = p.outputs.emplace(i, RunOpCase(*p.backend, AllOpCases()[i])).first;
  return it->second;
}

namespace {

// Largest |got - want| over the RMS of `reference`; infinity for NaN or a size mismatch.
double ScaledError(const std::vector<double>& got, const std::vector<double>& want,
                   const std::vector<double>& reference) {
  if (got.size() != want.size()) return std::numeric_limits<double>::infinity();
  double ss = 0;
  for (double r : reference) ss += r * r;
  const double rms = std::max(std::sqrt(ss / std::max<size_t>(reference.size(), 1)), 1e-30);
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double err = std::fabs(got[i] - want[i]) / rms;
    if (!(err <= worst)) worst = std::isnan(err) ? std::numeric_limits<double>::infinity() : err;
  }
  return worst;
}

}  // namespace

std::vector<std::string> CheckPath(runtime::Backend& backend, const std::string& path,
                                   const std::function<Baseline(size_t)>& baseline) {
  std::vector<std::string> refused;
  const std::vector<OpCase>& cases = AllOpCases();
  for (size_t i = 0; i < cases.size(); ++i) {
    const OpCase& c = cases[i];
    Result<std::vector<double>> got = RunOpCase(backend, c);
    if (!backend.Supports(c.op, c.type)) {
      // A clear refusal: Unsupported, naming what is missing.
      const Status& st = got.status();
      EXPECT_EQ(st.code(), ErrorCode::kUnsupported)
          << path << " " << c.name << ": " << st.ToString();
      EXPECT_NE(st.message().find(runtime::OpName(c.op)), std::string::npos) << st.ToString();
      if (c.graph.ops.back().weight != runtime::kNone) {  // ops without a weight have no type
        EXPECT_NE(st.message().find(TypeName(c.type)), std::string::npos) << st.ToString();
      }
      refused.push_back(c.name);
      continue;
    }
    if (!got.ok()) {
      ADD_FAILURE() << path << " " << c.name << ": " << got.status().ToString();
      continue;
    }
    const Baseline base = baseline(i);
    if (base.want == nullptr) {
      ADD_FAILURE() << path << " runs " << c.name << ", which its baseline path refuses";
      continue;
    }
    const double err = ScaledError(*got, *base.want, c.reference);
    EXPECT_LE(err, base.tol) << path << " " << c.name << " (error / RMS of the output)";
  }
  std::cout << "[ op test ] " << path << " refuses " << refused.size() << " cases:";
  for (const std::string& name : refused) std::cout << " " << name;
  std::cout << "\n";
  return refused;
}

}  // namespace hfd::testing
