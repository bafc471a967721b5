// Who is on the other end of a connection (SO_PEERCRED), and whether they may call
// methods that change state.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "hfd/status.h"

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

// Who may call state-changing ("mutating") methods: root, the daemon's own user, the
// listed users, and members of the listed groups (by default also the socket's group).
// Read-only methods are open to anyone who can connect. Immutable after construction.
class AccessPolicy {
 public:
  AccessPolicy(uid_t daemon_uid, std::vector<uid_t> allow_uids, std::vector<gid_t> allow_gids);

  bool AllowsMutation(const PeerCredentials& peer) const;

 private:
  uid_t daemon_uid_;
  std::vector<uid_t> allow_uids_;
  std::vector<gid_t> allow_gids_;
};

}  // namespace hfd::daemon
