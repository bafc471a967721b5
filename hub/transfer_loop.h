// The download thread: one thread owning a libcurl multi handle that runs every HTTP
// transfer of a Puller, with timers for retry backoff and lock polling. Like a libuv loop,
// other threads hand it work with Post (the wakeups merge; the loop drains a queue), and
// everything else runs on the loop thread, so transfers never occupy the callers' threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "hfd/status.h"
#include "hub/http.h"
#include "hub/http_transfer.h"

namespace hfd::hub {

class TransferLoop {
 public:
  using Clock = std::chrono::steady_clock;
  using TimerId = uint64_t;
  using Done = std::function<void(Result<HttpResponse>)>;

  // Starts the thread.
  TransferLoop();
  // Stops the thread. Transfers still running end with Cancelled (their Done runs on the
  // loop thread first); timers still pending are dropped. Owners of work on the loop stop
  // it before this runs.
  ~TransferLoop();
  TransferLoop(const TransferLoop&) = delete;
  TransferLoop& operator=(const TransferLoop&) = delete;

  // Thread-safe: runs `fn` on the loop thread, soon, in the order posted.
  void Post(std::function<void()> fn);
  // True on the loop thread.
  bool OnLoopThread() const { return std::this_thread::get_id() == thread_.get_id(); }

  // The rest is for the loop thread only. Callbacks run there and must not block.

  // Runs `transfer`; `done` gets its outcome. A transfer whose cancel flag is set is
  // stopped the next time the loop runs (at most ~50 ms later) and ends with Cancelled.
  void Start(std::unique_ptr<HttpTransfer> transfer, Done done);
  // Runs `fn` once `delay` has passed, unless cancelled first.
  TimerId After(std::chrono::milliseconds delay, std::function<void()> fn);
  void CancelTimer(TimerId id);

 private:
  struct Running {
    std::unique_ptr<HttpTransfer> transfer;
    Done done;
  };

  void Run();
  void RunPosted();
  void RunDueTimers();
  void StopCancelled();
  void ReapFinished();
  void End(void* easy, int rc);
  int PollTimeoutMs() const;

  void* multi_;  // CURLM*

  std::mutex mu_;
  std::vector<std::function<void()>> posted_;  // guarded by mu_
  bool stopping_ = false;                      // guarded by mu_

  // Loop thread only.
  std::map<void*, Running> running_;  // by CURL*
  std::map<std::pair<Clock::time_point, TimerId>, std::function<void()>> timers_;
  std::map<TimerId, Clock::time_point> timer_due_;
  TimerId next_timer_ = 1;

  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace hfd::hub
