#include "daemon/peer.h"

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace hfd::daemon {
namespace {

std::vector<gid_t> GroupsOf(uid_t uid, gid_t primary) {
  std::vector<gid_t> groups{primary};
  std::vector<char> buffer(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (::getpwuid_r(uid, &pw, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    return groups;
  }
  int count = 64;
  std::vector<gid_t> list(count);
  if (::getgrouplist(pw.pw_name, primary, list.data(), &count) < 0) {
    list.resize(count);
    if (::getgrouplist(pw.pw_name, primary, list.data(), &count) < 0) return groups;
  }
  list.resize(count);
  return list;
}

}  // namespace

Result<PeerCredentials> ReadPeerCredentials(int fd) {
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    return ErrnoError("SO_PEERCRED", errno);
  }
  PeerCredentials peer;
  peer.pid = cred.pid;
  peer.uid = cred.uid;
  peer.gid = cred.gid;
  peer.groups = GroupsOf(cred.uid, cred.gid);
  return peer;
}

std::string DescribePeer(const PeerCredentials& peer) {
  return "uid=" + std::to_string(peer.uid) + " gid=" + std::to_string(peer.gid) +
         " pid=" + std::to_string(peer.pid);
}

AccessPolicy::AccessPolicy(uid_t daemon_uid, std::vector<uid_t> allow_uids,
                           std::vector<gid_t> allow_gids, serve::Rights default_level)
    : daemon_uid_(daemon_uid),
      allow_uids_(std::move(allow_uids)),
      allow_gids_(std::move(allow_gids)),
      default_level_(default_level) {}

serve::Rights AccessPolicy::RightsOf(const PeerCredentials& peer) const {
  if (peer.uid == 0 || peer.uid == daemon_uid_) return serve::Rights::kManage;
  if (std::find(allow_uids_.begin(), allow_uids_.end(), peer.uid) != allow_uids_.end()) {
    return serve::Rights::kManage;
  }
  const bool in_group = std::any_of(peer.groups.begin(), peer.groups.end(), [&](gid_t g) {
    return std::find(allow_gids_.begin(), allow_gids_.end(), g) != allow_gids_.end();
  });
  return in_group ? serve::Rights::kManage : default_level_;
}

serve::Caller AccessPolicy::CallerOf(const PeerCredentials& peer) const {
  return {peer.uid, peer.pid, RightsOf(peer), peer.uid == 0 || peer.uid == daemon_uid_};
}

}  // namespace hfd::daemon
