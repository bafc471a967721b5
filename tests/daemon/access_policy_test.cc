// What each peer may do: the rights levels from the policy.
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

using serve::Rights;

TEST(AccessPolicy, RootAndTheDaemonsOwnUserManageAndOpenPaths) {
  AccessPolicy policy(/*daemon_uid=*/500, {}, {}, Rights::kUse);
  EXPECT_EQ(policy.RightsOf(Peer(0, {0})), Rights::kManage);
  EXPECT_EQ(policy.RightsOf(Peer(500, {500})), Rights::kManage);
  EXPECT_EQ(policy.RightsOf(Peer(1000, {1000})), Rights::kUse);
  EXPECT_TRUE(policy.CallerOf(Peer(0, {0})).may_open_paths);
  EXPECT_TRUE(policy.CallerOf(Peer(500, {500})).may_open_paths);
  EXPECT_FALSE(policy.CallerOf(Peer(1000, {1000})).may_open_paths);
}

TEST(AccessPolicy, ListedUsersAndGroupMembersManageButDoNotOpenPaths) {
  AccessPolicy policy(500, {1001}, {77}, Rights::kRead);
  EXPECT_EQ(policy.RightsOf(Peer(1001, {1001})), Rights::kManage);
  EXPECT_EQ(policy.RightsOf(Peer(1002, {1002, 77})), Rights::kManage);  // supplementary group
  EXPECT_EQ(policy.RightsOf(Peer(1003, {1003, 78})), Rights::kRead);
  // Managing models is not reading the daemon's files: a manager's paths are theirs.
  EXPECT_FALSE(policy.CallerOf(Peer(1001, {1001})).may_open_paths);
}

TEST(AccessPolicy, DefaultLevelAppliesToEveryOtherPeer) {
  for (Rights level : {Rights::kNone, Rights::kRead, Rights::kUse, Rights::kManage}) {
    AccessPolicy policy(500, {}, {}, level);
    EXPECT_EQ(policy.RightsOf(Peer(1234, {1234})), level);
    EXPECT_EQ(policy.CallerOf(Peer(1234, {1234})).uid, 1234u);
  }
}

TEST(Rights, RefusalsNameTheLevelAndTheKeyThatGrantsIt) {
  EXPECT_TRUE(serve::RequireRights(Rights::kManage, Rights::kUse, "chat").ok());
  const Status use = serve::RequireRights(Rights::kRead, Rights::kUse, "chat");
  EXPECT_EQ(use.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(use.message().find("'use'"), std::string::npos) << use.message();
  EXPECT_NE(use.message().find("policy.default_level"), std::string::npos) << use.message();
  const Status manage = serve::RequireRights(Rights::kUse, Rights::kManage, "pull");
  EXPECT_NE(manage.message().find("policy.allow_users"), std::string::npos) << manage.message();
  EXPECT_EQ(serve::ParseRights("use").value(), Rights::kUse);
  EXPECT_FALSE(serve::ParseRights("admin").ok());
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
