#include "bench/ttft_gap.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "bench/synthetic_model.h"
#include "engine/model/synthetic_gguf.h"
#include "engine/runtime/shared_batch.h"

namespace hfd::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// One decoding conversation: when each of its tokens came.
struct Stream {
  std::vector<Clock::time_point> times;
  Status status;
  bool ended = false;
};

}  // namespace

Result<nlohmann::json> MeasureTtftGap(runtime::Backend& backend, const model::ModelFiles& files,
                                      const TtftGapOptions& options) {
  constexpr int32_t kBlock = 16;
  constexpr int32_t kCtx = 1024;  // the streams stop before they reach it
  const int chunk = options.chunk_tokens > 0 ? options.chunk_tokens : options.prompt;
  HFD_ASSIGN_OR_RETURN(
      auto shared,
      runtime::SharedBatch::Create(backend, files,
                                   {.batch = {.n_ctx = kCtx,
                                              .block_size = kBlock,
                                              .n_blocks = (options.streams + 1) * kCtx / kBlock,
                                              .max_step_tokens = chunk + options.streams},
                                    .chunk_tokens = chunk}));
  const int64_t vocab = files.desc().n_vocab;
  std::atomic<bool> stop{false};
  std::vector<Stream> streams(options.streams);
  std::mutex mu;  // guards `streams`
  std::vector<std::thread> threads;
  threads.reserve(options.streams);
  for (int s = 0; s < options.streams; ++s) {
    threads.emplace_back([&, s] {
      const auto decode = [&]() -> Status {
        std::unique_ptr<runtime::BatchedSession> session = shared->NewSession();
        HFD_ASSIGN_OR_RETURN(
            std::span<const float> logits,
            session->Feed(model::RandomTokens(options.stream_prompt, vocab, 10 + s)));
        auto next =
            static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
        while (!stop && session->position() < kCtx - 1) {
          HFD_ASSIGN_OR_RETURN(next, session->FeedGreedy(next));
          std::lock_guard lock(mu);
          streams[s].times.push_back(Clock::now());
        }
        session->Idle();
        return Status::Ok();
      };
      const Status status = decode();
      std::lock_guard lock(mu);
      streams[s].status = status;
      streams[s].ended = true;
    });
  }
  const auto all_have = [&](size_t n) {
    std::lock_guard lock(mu);
    return std::ranges::all_of(streams,
                               [&](const Stream& s) { return s.times.size() >= n || s.ended; });
  };
  while (!all_have(4)) std::this_thread::sleep_for(std::chrono::milliseconds(5));

  const std::vector<int32_t> prompt = model::RandomTokens(options.prompt, vocab, 99);
  std::unique_ptr<runtime::BatchedSession> fresh = shared->NewSession();
  const auto start = Clock::now();
  Result<std::span<const float>> first = fresh->Feed(prompt);
  const auto first_token = Clock::now();
  // One more token of every stream, so the gap spanning the prompt's last step ends.
  std::vector<size_t> seen(options.streams);
  {
    std::lock_guard lock(mu);
    for (int s = 0; s < options.streams; ++s) seen[s] = streams[s].times.size();
  }
  const auto each_moved = [&] {
    std::lock_guard lock(mu);
    for (int s = 0; s < options.streams; ++s) {
      if (streams[s].times.size() <= seen[s] && !streams[s].ended) return false;
    }
    return true;
  };
  while (!each_moved()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  fresh->Idle();
  stop = true;
  for (std::thread& t : threads) t.join();
  HFD_RETURN_IF_ERROR(first.status());

  double worst = 0;
  std::vector<double> before;
  for (const Stream& s : streams) {
    HFD_RETURN_IF_ERROR(s.status);
    for (size_t i = 1; i < s.times.size(); ++i) {
      const double gap = Ms(s.times[i] - s.times[i - 1]);
      if (s.times[i] <= start) {
        before.push_back(gap);
      } else if (s.times[i - 1] < first_token) {
        worst = std::max(worst, gap);  // a gap overlapping the new prompt's prefill
      }
    }
  }
  std::ranges::sort(before);
  return nlohmann::json{{"chunk_tokens", options.chunk_tokens},
                        {"ttft_ms", Ms(first_token - start)},
                        {"worst_gap_ms", worst},
                        {"median_gap_before_ms", before.empty() ? 0.0 : before[before.size() / 2]}};
}

}  // namespace hfd::bench
