#include "serve/task_threads.h"

#include <exception>
#include <string>

namespace hfd::serve {

void TaskThreads::JoinFinishedLocked(std::vector<std::thread>& out) {
  for (Threads::iterator it : done_) {
    out.push_back(std::move(*it));
    running_.erase(it);
  }
  done_.clear();
}

Status TaskThreads::Start(std::function<void()> task) {
  std::vector<std::thread> finished;
  Status status;
  {
    std::lock_guard lock(mu_);
    JoinFinishedLocked(finished);
    if (shutdown_) {
      status = Unavailable("the daemon is shutting down");
    } else if (running_.size() >= max_tasks_) {
      status = Busy(std::to_string(running_.size()) +
                    " model loads, pulls and tokenizer reads are running; retry later");
    } else {
      running_.emplace_back();
      const Threads::iterator self = std::prev(running_.end());
      *self = std::thread([this, self, task = std::move(task)] {
        // An exception must not end the daemon; whoever waits for the task's answer is
        // told it failed by its own bookkeeping (a request context answers Internal).
        try {
          task();
        } catch (const std::exception&) {
        }
        std::lock_guard done_lock(mu_);
        if (!shutdown_) done_.push_back(self);  // after Shutdown the list is its own
      });
    }
  }
  // Finished threads have left their task: joining them here does not wait on work.
  for (std::thread& t : finished) t.join();
  return status;
}

void TaskThreads::Shutdown() {
  Threads all;
  {
    std::lock_guard lock(mu_);
    shutdown_ = true;
    done_.clear();
    all.swap(running_);
  }
  for (std::thread& t : all) {
    if (t.joinable()) t.join();
  }
}

std::size_t TaskThreads::running() const {
  std::lock_guard lock(mu_);
  return running_.size() - done_.size();
}

}  // namespace hfd::serve
