// Who is on the other end of a connection (SO_PEERCRED), and what they may do.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "hfd/status.h"
#include "serve/rights.h"

namespace hfd::daemon {

struct PeerCredentials {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // primary and supplementary groups of uid, looked up once
};

// Reads SO_PEERCRED from a connected Unix socket and looks up the peer's groups.
Result<PeerCredentials> ReadPeerCredentials(int fd);

// "uid=1000 gid=1000 pid=1234", for logs.
std::string DescribePeer(const PeerCredentials& peer);

// Who may do what (serve/rights.h): root, the daemon's own user, the listed users and
// members of the listed groups (by default also the socket's group) have the manage
// level; every other peer that can connect gets `default_level`. Immutable after
// construction.
class AccessPolicy {
 public:
  AccessPolicy(uid_t daemon_uid, std::vector<uid_t> allow_uids, std::vector<gid_t> allow_gids,
               serve::Rights default_level);

  serve::Rights RightsOf(const PeerCredentials& peer) const;
  // The identity and rights the serving core sees for `peer`.
  serve::Caller CallerOf(const PeerCredentials& peer) const;
  serve::Rights default_level() const { return default_level_; }

 private:
  uid_t daemon_uid_;
  std::vector<uid_t> allow_uids_;
  std::vector<gid_t> allow_gids_;
  serve::Rights default_level_;
};

}  // namespace hfd::daemon
