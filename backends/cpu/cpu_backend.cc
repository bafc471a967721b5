#include "backends/cpu/cpu_backend.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <span>
#include <vector>

#include "backends/cpu/cpu_executable.h"
#include "backends/cpu/cpu_kv_cache.h"
#include "backends/cpu/kernels/isa.h"
#include "backends/cpu/kernels/matmul.h"
#include "backends/cpu/kernels/rows16_layout.h"
#include "engine/model/model_files.h"
#include "engine/quant/dequantize.h"

namespace hfd::cpu {

namespace {

using runtime::OpKind;

bool IsFloatType(TensorType type) {
  return type == TensorType::kF32 || type == TensorType::kF16 || type == TensorType::kBF16;
}

// Norm and bias vectors are read as floats; everything else in place.
Result<CpuWeight> ResolveWeight(const model::ModelFiles& files, const runtime::WeightRef& ref,
                                bool as_f32) {
  HFD_ASSIGN_OR_RETURN(auto view, files.Weight(ref.name));
  if (view.type != ref.type || view.shape != ref.shape) {
    return InvalidArgument(fmt::format(
        "weight {} of the loaded model differs from the graph's; build the graph from the "
        "same model files that were loaded",
        ref.name));
  }
  CpuWeight w{view.type, view.data, {}, view.parts};
  if (view.shape.size() == 3 && w.experts.empty()) {
    const int64_t expert_bytes = RowBytes(view.type, view.shape[0]) * view.shape[1];
    for (int64_t e = 0; e < view.shape[2]; ++e) w.experts.push_back(view.data + e * expert_bytes);
  }
  if (as_f32) {
    int64_t n = 1;
    for (int64_t d : view.shape) n *= d;
    w.f32.resize(n);
    HFD_RETURN_IF_ERROR(DequantizeRow(view.type, view.data, w.f32.data(), n));
  }
  return w;
}

// Per weight of `graph`: true when matrix products read it and nothing else does but row
// lookups (a tied embedding/output matrix), so that the products may read it in the
// kernels' own layout while the lookups keep GGUF's. Experts and vectors stay as they are.
std::vector<bool> ReadByMatMuls(const runtime::Graph& graph) {
  std::vector<bool> matmul(graph.weights.size(), false), other(graph.weights.size(), false);
  for (const runtime::Op& op : graph.ops) {
    if (op.weight == runtime::kNone) continue;
    if (op.kind == OpKind::kMatMul) {
      matmul[op.weight] = true;
    } else if (op.kind != OpKind::kGetRows && op.kind != OpKind::kPositionRows) {
      other[op.weight] = true;
    }
  }
  for (size_t i = 0; i < matmul.size(); ++i) matmul[i] = matmul[i] && !other[i];
  return matmul;
}

// The interleaved copies of the weights of `graph` that matrix products read (`matmuls`,
// ReadByMatMuls), where the kernels of `isa` read that layout.
Result<std::unique_ptr<model::DerivedViews>> Interleave(const model::ModelFiles& files,
                                                        const runtime::Graph& graph,
                                                        const std::vector<bool>& matmuls, Isa isa) {
  std::vector<model::DerivedTensor> tensors;
  for (size_t i = 0; i < graph.weights.size(); ++i) {
    const runtime::WeightRef& ref = graph.weights[i];
    if (!matmuls[i] || !ReadsRows16(isa, ref.type) || ref.shape.size() != 2) continue;
    HFD_ASSIGN_OR_RETURN(const model::WeightView view, files.Weight(ref.name));
    if (view.type != ref.type || view.shape != ref.shape || !view.parts.empty()) continue;
    const int64_t cols = view.shape[0], rows = view.shape[1];
    tensors.push_back({ref.name, view.type, view.shape, view.nbytes,
                       [type = view.type, data = view.data, rows, cols](std::span<uint8_t> out) {
                         return InterleaveRows16(type, data, rows, cols, out);
                       }});
  }
  if (tensors.empty()) return std::make_unique<model::DerivedViews>();
  return files.Derive({"cpu-rows16", kRows16LayoutVersion, {}}, tensors,
                      fmt::format("{} weights interleaved for the CPU kernels", tensors.size()));
}

class CpuBackend final : public runtime::Backend {
 public:
  explicit CpuBackend(const CpuBackendOptions& options)
      : pool_(options.n_threads),
        activations_(options.activations),
        isa_(options.isa.value_or(ActiveIsa())),
        interleave_(options.interleave) {}

  std::string_view name() const override { return "cpu"; }

  std::string device_description() const override {
    return fmt::format("CPU ({} threads, {} kernels{})", pool_.size(), IsaName(isa_),
                       activations_ == ActPrecision::kInt8x2 ? ", int8x2 activations" : "");
  }

  bool Supports(OpKind op, TensorType weight_type) const override {
    switch (op) {
      case OpKind::kMatMul:
      case OpKind::kMoeMatMul:
        return MatMulSupports(weight_type);
      case OpKind::kGetRows:
      case OpKind::kPositionRows:
        return GetTypeTraits(weight_type).ok();
      case OpKind::kRmsNorm:
      case OpKind::kLayerNorm:
      case OpKind::kAddBias:
      case OpKind::kSinkAttention:
      case OpKind::kMoeAddBias:
        return IsFloatType(weight_type);
      default:
        return true;
    }
  }

  Status LoadWeights(const model::ModelFiles& files) override {
    files_ = &files;
    interleaved_.reset();
    return Status::Ok();
  }

  Result<std::unique_ptr<runtime::KvCache>> AllocateKvCache(
      const runtime::KvCacheDesc& desc) override {
    if (desc.n_layer <= 0 || desc.n_ctx <= 0 || desc.n_head_kv <= 0 || desc.head_dim <= 0) {
      return InvalidArgument("a KV cache needs positive layers, context, heads and head_dim");
    }
    if (desc.block_size < 0 || (desc.block_size > 0 && desc.n_ctx % desc.block_size != 0)) {
      return InvalidArgument("a KV pool holds a whole number of blocks of a positive size");
    }
    HFD_ASSIGN_OR_RETURN(std::unique_ptr<CpuKvCache> cache, CpuKvCache::Create(desc));
    return std::unique_ptr<runtime::KvCache>(std::move(cache));
  }

  Result<std::unique_ptr<runtime::Executable>> Compile(const runtime::Graph& graph,
                                                       runtime::KvCache& cache) override {
    if (files_ == nullptr) return InvalidArgument("LoadWeights must be called before Compile");
    auto* cpu_cache = dynamic_cast<CpuKvCache*>(&cache);
    if (cpu_cache == nullptr) return InvalidArgument("the KV cache belongs to another backend");
    const runtime::KvCacheDesc& kv = cache.desc();
    if (kv.n_layer != graph.n_layer || kv.n_head_kv != graph.n_head_kv ||
        kv.head_dim != graph.head_dim) {
      return InvalidArgument("the KV cache's shape does not match the model's attention");
    }
    HFD_RETURN_IF_ERROR(runtime::CheckSupported(*this, graph));
    if (!IsaSupported(isa_)) {
      return Unsupported(
          fmt::format("cannot run the {} CPU kernels: {}; choose another instruction set "
                      "(HFD_CPU_ISA=avx512, avx2 or scalar, or leave it unset)",
                      IsaName(isa_), IsaUnsupportedReason(isa_)));
    }
    std::vector<bool> as_f32(graph.weights.size(), false);
    for (const runtime::Op& op : graph.ops) {
      if (op.kind == OpKind::kRmsNorm || op.kind == OpKind::kLayerNorm ||
          op.kind == OpKind::kAddBias || op.kind == OpKind::kSinkAttention ||
          op.kind == OpKind::kMoeAddBias) {
        as_f32[op.weight] = true;
      }
    }
    // The first graph decides which weights are interleaved; a later one reads the others
    // from the model's file. Without the copy (say its file found no space) the kernels read
    // GGUF's layout: the same results, a slower decode.
    const std::vector<bool> matmuls = ReadByMatMuls(graph);
    if (interleave_ && interleaved_ == nullptr) {
      auto interleaved = Interleave(*files_, graph, matmuls, isa_);
      if (interleaved.ok()) {
        interleaved_ = std::move(interleaved).value();
      } else {
        spdlog::warn("the CPU kernels read the weights in the model file's layout: {}",
                     interleaved.status().ToString());
        interleaved_ = std::make_unique<model::DerivedViews>();
      }
    }
    std::vector<CpuWeight> weights;
    for (size_t i = 0; i < graph.weights.size(); ++i) {
      HFD_ASSIGN_OR_RETURN(CpuWeight w, ResolveWeight(*files_, graph.weights[i], as_f32[i]));
      const model::WeightView* copy =
          interleaved_ != nullptr ? interleaved_->Find(graph.weights[i].name) : nullptr;
      if (copy != nullptr && copy->type == w.type && matmuls[i]) w.rows16 = copy->data;
      weights.push_back(std::move(w));
    }
    return std::unique_ptr<runtime::Executable>(std::make_unique<CpuExecutable>(
        graph, std::move(weights), *cpu_cache, pool_, activations_, isa_));
  }

  Result<runtime::RunOutput> Run(runtime::Executable& exe,
                                 const runtime::RunParams& params) override {
    auto* cpu_exe = dynamic_cast<CpuExecutable*>(&exe);
    if (cpu_exe == nullptr) return InvalidArgument("the executable belongs to another backend");
    return cpu_exe->Run(params);
  }

 private:
  ThreadPool pool_;
  ActPrecision activations_;
  Isa isa_;
  bool interleave_;
  const model::ModelFiles* files_ = nullptr;
  std::unique_ptr<model::DerivedViews> interleaved_;  // Interleave, at the first Compile
};

}  // namespace

std::unique_ptr<runtime::Backend> CreateCpuBackend(const CpuBackendOptions& options) {
  return std::make_unique<CpuBackend>(options);
}

}  // namespace hfd::cpu
