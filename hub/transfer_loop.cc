#include "hub/transfer_loop.h"

#include <curl/curl.h>

#include <algorithm>

namespace hfd::hub {
namespace {

CURLM* Multi(void* multi) { return static_cast<CURLM*>(multi); }

void* NewMulti() {
  CurlGlobalInit();
  return curl_multi_init();
}

// How long the loop may sleep while transfers run: the bound on noticing a cancel flag.
constexpr int kBusyPollMs = 50;
constexpr int kIdlePollMs = 1000;

}  // namespace

TransferLoop::TransferLoop() : multi_(NewMulti()), thread_([this] { Run(); }) {}

TransferLoop::~TransferLoop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  curl_multi_wakeup(Multi(multi_));
  thread_.join();
  curl_multi_cleanup(Multi(multi_));
}

void TransferLoop::Post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    posted_.push_back(std::move(fn));
  }
  curl_multi_wakeup(Multi(multi_));
}

void TransferLoop::Start(std::unique_ptr<HttpTransfer> transfer, Done done) {
  CURL* easy = static_cast<CURL*>(transfer->easy());
  if (easy == nullptr || curl_multi_add_handle(Multi(multi_), easy) != CURLM_OK) {
    // Done never runs inside Start: the caller may still be setting up.
    auto failed = std::make_shared<Running>(Running{std::move(transfer), std::move(done)});
    Post([failed] {
      failed->done(Internal("libcurl could not start a transfer: it may be out of memory"));
    });
    return;
  }
  running_.emplace(easy, Running{std::move(transfer), std::move(done)});
}

TransferLoop::TimerId TransferLoop::After(std::chrono::milliseconds delay,
                                          std::function<void()> fn) {
  const TimerId id = next_timer_++;
  const Clock::time_point due = Clock::now() + delay;
  timers_.emplace(std::make_pair(due, id), std::move(fn));
  timer_due_.emplace(id, due);
  return id;
}

void TransferLoop::CancelTimer(TimerId id) {
  auto it = timer_due_.find(id);
  if (it == timer_due_.end()) return;
  timers_.erase({it->second, id});
  timer_due_.erase(it);
}

void TransferLoop::Run() {
  while (true) {
    RunPosted();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
    }
    RunDueTimers();
    StopCancelled();
    int still_running = 0;
    curl_multi_perform(Multi(multi_), &still_running);
    ReapFinished();
    if (curl_multi_poll(Multi(multi_), nullptr, 0, PollTimeoutMs(), nullptr) != CURLM_OK) {
      // No multi handle (libcurl was out of memory): transfers fail to start; posts and
      // timers still run.
      std::this_thread::sleep_for(std::chrono::milliseconds(PollTimeoutMs()));
    }
  }
  while (!running_.empty()) End(running_.begin()->first, CURLE_ABORTED_BY_CALLBACK);
}

void TransferLoop::RunPosted() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batch.swap(posted_);
  }
  for (auto& fn : batch) fn();
}

void TransferLoop::RunDueTimers() {
  while (!timers_.empty() && timers_.begin()->first.first <= Clock::now()) {
    auto node = timers_.extract(timers_.begin());
    timer_due_.erase(node.key().second);
    node.mapped()();
  }
}

void TransferLoop::StopCancelled() {
  std::vector<void*> cancelled;
  for (const auto& [easy, running] : running_) {
    if (running.transfer->cancelled()) cancelled.push_back(easy);
  }
  for (void* easy : cancelled) End(easy, CURLE_ABORTED_BY_CALLBACK);
}

void TransferLoop::ReapFinished() {
  std::vector<std::pair<void*, CURLcode>> finished;
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(Multi(multi_), &queued)) {
    if (msg->msg == CURLMSG_DONE) finished.emplace_back(msg->easy_handle, msg->data.result);
  }
  for (const auto& [easy, rc] : finished) End(easy, rc);
}

void TransferLoop::End(void* easy, int rc) {
  auto node = running_.extract(easy);
  if (node.empty()) return;
  curl_multi_remove_handle(Multi(multi_), static_cast<CURL*>(easy));
  Running& running = node.mapped();
  running.done(running.transfer->Finish(rc));
}

int TransferLoop::PollTimeoutMs() const {
  int ms = running_.empty() ? kIdlePollMs : kBusyPollMs;
  if (!timers_.empty()) {
    const auto until =
        std::chrono::ceil<std::chrono::milliseconds>(timers_.begin()->first.first - Clock::now());
    ms = static_cast<int>(std::clamp<int64_t>(until.count(), 0, ms));
  }
  return ms;
}

}  // namespace hfd::hub
