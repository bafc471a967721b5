#include "daemon/connection_limits.h"

namespace hfd::daemon {

ConnectionLimits::ConnectionLimits(std::uint32_t max_connections, std::uint32_t max_per_user,
                                   uid_t daemon_uid)
    : max_connections_(max_connections),
      max_per_user_(max_per_user),
      reserve_(max_connections / 16),
      daemon_uid_(daemon_uid) {}

Status ConnectionLimits::Admit(uid_t uid) {
  const std::string total = std::to_string(total_);
  if (total_ >= max_connections_) {
    return Busy("hfd already serves " + total +
                " connections (limits.max_connections); retry later");
  }
  if (uid != 0 && uid != daemon_uid_) {
    if (total_ >= max_connections_ - reserve_) {
      return Busy("hfd already serves " + total + " connections; the last " +
                  std::to_string(reserve_) +
                  " of limits.max_connections are kept for root and hfd's own user; retry later");
    }
    const auto it = per_user_.find(uid);
    if (it != per_user_.end() && it->second >= max_per_user_) {
      return Busy("uid " + std::to_string(uid) + " already holds " + std::to_string(it->second) +
                  " connections to hfd (limits.max_connections_per_user); close some and retry");
    }
  }
  ++total_;
  ++per_user_[uid];
  return Status::Ok();
}

void ConnectionLimits::Release(uid_t uid) {
  const auto it = per_user_.find(uid);
  if (it == per_user_.end()) return;
  --total_;
  if (--it->second == 0) per_user_.erase(it);
}

}  // namespace hfd::daemon
