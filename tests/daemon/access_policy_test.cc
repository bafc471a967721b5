// Who may call state-changing methods.
#include <gtest/gtest.h>

#include "daemon/peer.h"

namespace hfd::daemon {
namespace {

PeerCredentials Peer(uid_t uid, std::vector<gid_t> groups) {
  PeerCredentials peer;
  peer.uid = uid;
  peer.gid = groups.empty() ? 0 : groups.front();
  peer.groups = std::move(groups);
  return peer;
}

TEST(AccessPolicy, RootAndTheDaemonsOwnUserAreAllowed) {
  AccessPolicy policy(/*daemon_uid=*/500, {}, {});
  EXPECT_TRUE(policy.AllowsMutation(Peer(0, {0})));
  EXPECT_TRUE(policy.AllowsMutation(Peer(500, {500})));
  EXPECT_FALSE(policy.AllowsMutation(Peer(1000, {1000})));
}

TEST(AccessPolicy, ListedUsersAndGroupMembersAreAllowed) {
  AccessPolicy policy(500, {1001}, {77});
  EXPECT_TRUE(policy.AllowsMutation(Peer(1001, {1001})));
  EXPECT_TRUE(policy.AllowsMutation(Peer(1002, {1002, 77})));  // supplementary group
  EXPECT_FALSE(policy.AllowsMutation(Peer(1003, {1003, 78})));
}

TEST(PeerCredentials, DescribeNamesUidGidPid) {
  PeerCredentials peer;
  peer.uid = 1;
  peer.gid = 2;
  peer.pid = 3;
  EXPECT_EQ(DescribePeer(peer), "uid=1 gid=2 pid=3");
}

}  // namespace
}  // namespace hfd::daemon
