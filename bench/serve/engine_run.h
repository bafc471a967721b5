// The engine alone, in the benchmark's own process, as hfd-generate runs it: the baseline
// the serving benchmarks hold the daemon's doors to. Also the small helpers they share.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/model/model_files.h"
#include "engine/runtime/backend.h"
#include "engine/runtime/session.h"
#include "engine/tokenizer/tokenizer.h"
#include "hfd/status.h"

namespace hfd::bench {

using Clock = std::chrono::steady_clock;

// The context the benchmarks load models with, in-process and in the daemon.
inline constexpr int kBenchCtx = 1024;

struct Engine {
  std::unique_ptr<model::ModelFiles> files;
  std::unique_ptr<tok::Tokenizer> tokenizer;
  std::unique_ptr<runtime::Backend> backend;
  std::unique_ptr<runtime::Session> session;

  ~Engine() {  // the session's cache before the backend that allocated it
    session.reset();
    backend.reset();
  }
};

// The model at `path` on `backend` ("cpu", "vulkan" or "auto", as the daemon's `load`
// takes it), with a kBenchCtx session.
Result<std::unique_ptr<Engine>> LoadEngine(const std::string& path,
                                           const std::string& backend = "cpu");

// One generation's timings, by whoever's clock measured it.
struct Run {
  double ttft_s = 0;      // request to first token
  double decode_tps = 0;  // tokens after the first ÷ time after the first
  int completion_tokens = 0;
  double server_ttft_s = 0;  // the daemon's own ttft (from the request's arrival)
};

// Greedy, `tokens` tokens after `prompt` (ids), from an empty cache.
Result<Run> EngineRun(Engine& e, std::vector<int32_t> prompt, int tokens);

double Since(Clock::time_point t);
double Median(std::vector<double> v);

}  // namespace hfd::bench
