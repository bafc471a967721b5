// How many connections hfd serves, and to whom: at most `max_per_user` for each user but
// root and the daemon's own, and at most `max_connections` in all, of which the last
// sixteenth is kept for root and the daemon's user, so that neither one user holding
// connections nor many users together can lock the administrator out. Loop thread only.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>

#include "hfd/status.h"

namespace hfd::daemon {

class ConnectionLimits {
 public:
  ConnectionLimits(std::uint32_t max_connections, std::uint32_t max_per_user, uid_t daemon_uid);

  // Counts a new connection from `uid`, or refuses it with kBusy and a message naming the
  // limit and its config key.
  Status Admit(uid_t uid);
  // A connection that Admit counted has closed.
  void Release(uid_t uid);

 private:
  const std::uint32_t max_connections_;
  const std::uint32_t max_per_user_;
  const std::uint32_t reserve_;  // of max_connections_, for root and the daemon's user
  const uid_t daemon_uid_;
  std::uint32_t total_ = 0;
  std::map<uid_t, std::uint32_t> per_user_;  // users that hold connections
};

}  // namespace hfd::daemon
