// One running pull that several requests wait for: a `pull` (or a load that pulls) of a
// model already being pulled attaches to it instead of starting a second transfer. Each
// attached client gets every progress report from then on (the latest at once) and the
// outcome. A client that cancels detaches alone: the pull goes on while another client is
// attached or someone asked for it in the background (`detach`), and is stopped when its
// last client leaves; the client's answer says which happened. The pull's entry in the
// PullRegistry (what `pulls` lists) is kept up to date from here.
//
// Threading: thread-safe. Publish and Finish come from the pulling thread; progress is
// passed on from there, to one client at a time, never to a client that has detached.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "hfd/status.h"
#include "hub/progress.h"
#include "hub/pull_registry.h"
#include "hub/puller.h"

namespace hfd::serve {

class SharedPull {
 public:
  // A pull of `model` recorded in `registry` (which must outlive it) under `ticket`;
  // `detached`: it goes on without clients. `meter` (may be empty) sees every report once.
  SharedPull(std::string model, hub::PullRegistry& registry, hub::PullRegistry::Ticket ticket,
             bool detached, hub::ProgressFn meter);
  SharedPull(const SharedPull&) = delete;
  SharedPull& operator=(const SharedPull&) = delete;

  uint64_t id() const { return ticket_.id; }
  // What the pull runs with: set once its last client detached (unless it is detached), or
  // by the registry's CancelAll at shutdown.
  const std::atomic<bool>* cancel_flag() const { return ticket_.cancel.get(); }

  class Client;
  // Attaches a client that `progress` (may be empty) reports to. Null when the pull has
  // ended or is stopping: start another.
  std::shared_ptr<Client> Attach(hub::ProgressFn progress);
  // Marks the pull as asked for in the background. False when it has ended or is stopping.
  bool KeepInBackground();

  // The pulling thread's reports and outcome.
  void Publish(const hub::PullProgress& progress);
  void Finish(Result<hub::PullResult> outcome);

  // Waits until the pull ends, or `cancel` (may be null) is set: the client then detaches
  // and gets Cancelled saying whether the pull goes on (and that `hfctl pull` attaches to
  // it again) or stopped (and that `hfctl pull` resumes it).
  Result<hub::PullResult> Wait(const std::shared_ptr<Client>& client,
                               const std::atomic<bool>* cancel);

 private:
  Status Detach(const std::shared_ptr<Client>& client);
  void RecordAttachedLocked();

  const std::string model_;
  hub::PullRegistry& registry_;
  const hub::PullRegistry::Ticket ticket_;
  const hub::ProgressFn meter_;

  mutable std::mutex mu_;
  std::condition_variable ended_;
  std::list<std::shared_ptr<Client>> clients_;  // guarded by mu_
  bool detached_;                               // guarded by mu_
  bool stopping_ = false;                       // guarded by mu_
  std::optional<hub::PullProgress> latest_;     // guarded by mu_
  uint64_t published_ = 0;                      // how many reports were published; guarded by mu_
  std::optional<Result<hub::PullResult>> outcome_;  // guarded by mu_
};

}  // namespace hfd::serve
