// The interface every compute backend implements (backends/cpu, backends/vulkan). The
// architecture code (graph_builder.h) describes a forward pass as a Graph (graph.h) and
// never branches on the backend; a backend loads weights, owns KV caches, compiles a
// graph once and runs it many times with per-call parameters.
//
// Life cycle, for one model:
//   auto backend = cpu::CreateCpuBackend(...);             // or the Vulkan one
//   backend->LoadWeights(files);                           // files outlive the backend
//   auto cache = backend->AllocateKvCache({...});          // one per conversation
//   auto graph = BuildGraph(files, {.max_tokens = 1, ...});  // check Supports() first
//   auto exe = backend->Compile(graph, *cache);            // once per (graph, cache)
//   backend->Run(*exe, {tokens, pos});                     // every token
//
// Threading: a Backend and everything it created are used by one thread at a time (the
// caller serialises). Objects it returns (KvCache, Executable) must be destroyed before
// the Backend.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "engine/quant/tensor_type.h"
#include "engine/runtime/graph.h"
#include "include/hfd/status.h"

namespace hfd::model {
class ModelFiles;
}

namespace hfd::runtime {

enum class KvType : uint8_t { kF16, kF32 };

// Shape of a KV cache: for each layer, K and V of n_ctx positions × n_head_kv heads ×
// head_dim. How it is laid out in memory is the backend's business.
struct KvCacheDesc {
  int32_t n_layer = 0;
  int32_t n_ctx = 0;  // positions it can hold; pos + n_tokens of a call must be <= n_ctx
  int32_t n_head_kv = 0;
  int32_t head_dim = 0;
  KvType type = KvType::kF16;
  // 0: the cache holds one sequence at positions 0..n_ctx-1. > 0: it is a pool of
  // n_ctx / block_size blocks of block_size positions (n_ctx a multiple of it), read and
  // written only by multi-sequence calls, each sequence through its block table
  // (RunParams::seqs; engine/runtime/kv_pool.h hands the blocks out).
  int32_t block_size = 0;
};

// A KV cache allocated by (and only usable with) one backend. Positions are overwritten
// when written again, so rewinding a conversation is just running from an earlier pos.
class KvCache {
 public:
  virtual ~KvCache() = default;
  virtual const KvCacheDesc& desc() const = 0;
  // Bytes of memory (host or device) the cache holds.
  virtual int64_t bytes() const = 0;
};

// A graph compiled by one backend, bound to the KV cache it was compiled with. Opaque.
class Executable {
 public:
  virtual ~Executable() = default;
  virtual const Graph& graph() const = 0;
};

// One sequence's part of a multi-sequence call (RunParams::seqs).
struct SeqSpan {
  int32_t n_tokens = 0;  // at least one, consecutive in RunParams::tokens
  int32_t pos = 0;       // the sequence's position of its first token here
  // Its block table: position p of the sequence lives in pool block blocks[p / block_size]
  // at row p % block_size; covers at least pos + n_tokens positions.
  std::span<const int32_t> blocks;
};

// Per-call parameters; everything else is fixed in the graph.
struct RunParams {
  std::span<const int32_t> tokens;  // n_tokens = size(), 1 <= n_tokens <= graph.max_tokens
  int32_t pos = 0;                  // position of tokens[0]; pos + n_tokens <= n_ctx
  // The tokens are these texts one after another, each of at least one token, summing to
  // n_tokens; empty: one text. Read by non-causal attention and positional rows only.
  std::span<const int32_t> seq_lens{};
  // Several sequences in one call (continuous batching), only with a KV pool (block_size
  // > 0) and a graph built with GraphOptions::multi_sequence; pos must be 0 and seq_lens
  // empty. The tokens are the sequences' one after another; each token sits at its own
  // sequence's position, RoPE turns it by that position, attention is causal within its
  // sequence only (reading K/V through the sequence's block table), and outputs of
  // Rows::kSequences values have one row per sequence, from its last token. Empty: one
  // sequence at `pos` in a contiguous cache.
  std::span<const SeqSpan> seqs{};
};

// What a call produced, per the graph's output_kind. The spans point into memory owned by
// the Executable and stay valid until its next Run or its destruction.
struct RunOutput {
  // rows × n_vocab, row-major, for kLastLogits (one row per sequence), kAllLogits
  std::span<const float> logits;
  int64_t n_vocab = 0;              // width of a logits row
  std::span<const int32_t> argmax;  // one id per sequence for kLastArgmax; empty otherwise
  // One row per sequence for kLastTopLogits, packed as PackTopLogits (top_logits.h) writes it for
  // kMaxTopLogits entries; empty otherwise.
  std::span<const float> top_logits;
  std::span<const float> hidden;  // n_tokens × n_embd for kAllHidden; empty otherwise
  int64_t n_embd = 0;             // width of a hidden row
};

class Backend {
 public:
  virtual ~Backend() = default;

  // Short stable name: "cpu", "vulkan".
  virtual std::string_view name() const = 0;
  // The device, for status and logs: "AMD EPYC ... (2 threads, avx512)", "lavapipe ...".
  virtual std::string device_description() const = 0;

  // Whether the backend can run `op`. For ops that read a weight (GetRows, MatMul,
  // RmsNorm, AddBias), `weight_type` is that weight's type; otherwise it is ignored.
  virtual bool Supports(OpKind op, TensorType weight_type) const = 0;

  // Makes the model's weights available to compiled graphs: uploads them (Vulkan) or
  // uses them in place from the memory map (CPU). `files` must outlive the backend.
  // Called once, before Compile.
  virtual Status LoadWeights(const model::ModelFiles& files) = 0;

  // Allocates a zeroed KV cache.
  virtual Result<std::unique_ptr<KvCache>> AllocateKvCache(const KvCacheDesc& desc) = 0;

  // Prepares `graph` for repeated execution against `cache` (which must outlive the
  // result): resolves weights, plans activation memory, builds pipelines / records
  // command buffers. Unsupported when an op/type is not supported (see CheckSupported),
  // InvalidArgument when the graph does not match the cache or the loaded weights.
  virtual Result<std::unique_ptr<Executable>> Compile(const Graph& graph, KvCache& cache) = 0;

  // Runs a compiled graph once. InvalidArgument for an empty or too long token list, a
  // token id outside the vocabulary, or pos + n_tokens beyond the cache.
  virtual Result<RunOutput> Run(Executable& exe, const RunParams& params) = 0;

  // For a backend that computes in memory of its own (a GPU's, within the backend's
  // budget): the bytes it may still allocate for KV caches and activations beside the
  // weights it holds. nullopt for one that computes in host memory (the CPU), which the
  // serving layer's memory budget covers.
  virtual std::optional<int64_t> device_memory_left() const { return std::nullopt; }
};

// Unsupported naming the first op (and weight type) of `graph` that `backend` lacks.
Status CheckSupported(const Backend& backend, const Graph& graph);

// Whether `graph` was built for multi-sequence calls (has Rows::kSequences values).
bool IsMultiSequence(const Graph& graph);

// InvalidArgument unless `params` fit `graph` and a cache of `cache`'s shape, every token
// is in [0, n_vocab), every text's positions have rows in the graph's kPositionRows
// tables, and multi-sequence calls come with a pool, a multi-sequence graph and block
// tables inside the pool that cover their positions. Shared by backends so all reject
// the same calls.
Status ValidateRunParams(const Graph& graph, const KvCacheDesc& cache, int64_t n_vocab,
                         const RunParams& params);

}  // namespace hfd::runtime
