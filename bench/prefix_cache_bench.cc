// prefix_cache_bench: time to first token of a request whose system prompt the prefix
// cache holds, against the same request with nothing cached, in one run on one
// SequenceBatch (engine/runtime/sequence_batch.h). The uncached request gets a system
// prompt never seen before; the cached one shares the previous request's. Both compute
// their prompt in chunks of --chunk tokens, then the first token's logits.
//
//   prefix_cache_bench --file model.gguf [--system 512] [--user 20] [--reps 3] [--threads 0]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "backends/cpu/cpu_backend.h"
#include "bench/synthetic_model.h"
#include "common/log_to_stderr.h"
#include "engine/model/model_files.h"
#include "engine/model/synthetic_gguf.h"
#include "engine/runtime/sequence_batch.h"

namespace hfd::bench {
namespace {

using runtime::SequenceBatch;

struct Args {
  std::string file;
  int system = 512;
  int user = 20;
  int reps = 3;
  int chunk = 256;
  int threads = 0;
};

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Seconds from the request's arrival to its first token's logits on a new sequence.
Result<double> TimeToFirstToken(SequenceBatch& batch, const std::vector<int32_t>& prompt,
                                int chunk) {
  const double t0 = Now();
  const SequenceBatch::SeqId seq = batch.Open();
  std::span<const int32_t> rest(prompt);
  rest = rest.subspan(static_cast<size_t>(batch.AttachCachedPrefix(seq, rest)));
  while (!rest.empty()) {
    const SequenceBatch::Feed feed{seq, rest.first(std::min<size_t>(rest.size(), chunk))};
    HFD_RETURN_IF_ERROR(batch.StepGreedy({&feed, 1}).status());
    rest = rest.subspan(feed.tokens.size());
  }
  const double seconds = Now() - t0;
  batch.Close(seq);
  return seconds;
}

Status Run(const Args& args) {
  HFD_ASSIGN_OR_RETURN(auto files, model::OpenModelFiles(args.file));
  auto backend = cpu::CreateCpuBackend({args.threads, cpu::ActPrecision::kInt8});
  HFD_RETURN_IF_ERROR(backend->LoadWeights(*files));
  const int per_request = args.system + args.user;
  constexpr int kBlock = 16;
  // Room for every request of the run, so nothing is evicted.
  const int blocks = 2 * (args.reps + 1) * ((per_request + kBlock - 1) / kBlock);
  HFD_ASSIGN_OR_RETURN(auto batch, SequenceBatch::Create(*backend, *files,
                                                         {.n_ctx = per_request,
                                                          .block_size = kBlock,
                                                          .n_blocks = blocks,
                                                          .max_step_tokens = args.chunk}));
  const int64_t vocab = files->desc().n_vocab;
  uint32_t seed = 1;  // a new seed per prompt part: no sharing but the system prompt's
  auto request = [&](const std::vector<int32_t>& system) {
    std::vector<int32_t> prompt = system;
    const std::vector<int32_t> user = model::RandomTokens(args.user, vocab, seed++);
    prompt.insert(prompt.end(), user.begin(), user.end());
    return prompt;
  };
  HFD_RETURN_IF_ERROR(
      TimeToFirstToken(*batch, request(model::RandomTokens(args.system, vocab, seed++)), args.chunk)
          .status());  // compiles the graph, warms the caches
  double uncached = 1e30, cached = 1e30;
  for (int r = 0; r < args.reps; ++r) {
    const std::vector<int32_t> system = model::RandomTokens(args.system, vocab, seed++);
    HFD_ASSIGN_OR_RETURN(double first, TimeToFirstToken(*batch, request(system), args.chunk));
    HFD_ASSIGN_OR_RETURN(double second, TimeToFirstToken(*batch, request(system), args.chunk));
    uncached = std::min(uncached, first);
    cached = std::min(cached, second);
  }
  const runtime::BatchStats stats = batch->stats();
  fmt::print(
      "{}: system prompt {} + {} new tokens, best of {}: TTFT uncached {:.1f} ms, cached {:.1f} "
      "ms, ratio {:.3f} ({} tokens reused in {} hits)\n",
      args.file, args.system, args.user, args.reps, uncached * 1e3, cached * 1e3, cached / uncached,
      stats.reused_tokens, stats.prefix_hits);
  return Status::Ok();
}

int Main(int argc, char** argv) {
  Args args;
  CLI::App app{"Time to first token with and without the prefix cache"};
  app.add_option("--file", args.file, "GGUF model")->required()->check(CLI::ExistingFile);
  app.add_option("--system", args.system, "tokens of the shared system prompt");
  app.add_option("--user", args.user, "new tokens after it");
  app.add_option("--reps", args.reps, "repetitions (the best is reported)");
  app.add_option("--chunk", args.chunk, "prompt tokens per step");
  app.add_option("--threads", args.threads, "CPU threads (0: all cores)");
  CLI11_PARSE(app, argc, argv);
  if (args.system < 1 || args.user < 1 || args.reps < 1 || args.chunk < 1) {
    fmt::print(stderr, "--system, --user, --reps and --chunk must be positive\n");
    return 2;
  }
  const Status status = Run(args);
  if (!status.ok()) {
    fmt::print(stderr, "{}\n", status.ToString());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace hfd::bench

int main(int argc, char** argv) {
  hfd::LogToStderr("prefix_cache_bench");  // stdout carries the results
  try {
    return hfd::bench::Main(argc, argv);
  } catch (const std::exception& e) {  // std::bad_alloc and the like: say so, do not abort
    std::fprintf(stderr, "prefix_cache_bench: %s\n", e.what());
    return 1;
  }
}
