// Threads for the serving core's slow work (locating, pulling and loading models, reading
// tokenizers), so it never occupies the daemon's small request pool that answers status,
// ps and unload. One thread per task: a task may wait minutes on a download, and tasks
// must not queue behind each other. The number of tasks is capped.
//
// Threading: thread-safe. Tasks must watch their own cancel flags; Shutdown joins them.
#pragma once

#include <cstddef>
#include <functional>
#include <list>
#include <mutex>
#include <thread>
#include <vector>

#include "hfd/status.h"

namespace hfd::serve {

class TaskThreads {
 public:
  explicit TaskThreads(std::size_t max_tasks) : max_tasks_(max_tasks) {}
  ~TaskThreads() { Shutdown(); }
  TaskThreads(const TaskThreads&) = delete;
  TaskThreads& operator=(const TaskThreads&) = delete;

  // Runs `task` on a new thread. Busy when max_tasks are running, Unavailable after
  // Shutdown; the task does not run then.
  Status Start(std::function<void()> task);

  // Waits for every running task (callers cancel them first). Idempotent.
  void Shutdown();

  std::size_t running() const;

 private:
  using Threads = std::list<std::thread>;
  void JoinFinishedLocked(std::vector<std::thread>& out);

  const std::size_t max_tasks_;
  mutable std::mutex mu_;
  Threads running_;                      // guarded by mu_
  std::vector<Threads::iterator> done_;  // finished, not joined yet; guarded by mu_
  bool shutdown_ = false;                // guarded by mu_
};

}  // namespace hfd::serve
