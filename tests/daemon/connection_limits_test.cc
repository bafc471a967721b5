// ConnectionLimits: the per-user cap, and the share of the global cap kept for root and
// the daemon's own user.
#include "daemon/connection_limits.h"

#include <gtest/gtest.h>

namespace hfd::daemon {
namespace {

constexpr uid_t kDaemonUid = 500;

TEST(ConnectionLimits, EachUserGetsUpToTheirCap) {
  ConnectionLimits limits(/*max_connections=*/1024, /*max_per_user=*/2, kDaemonUid);
  EXPECT_TRUE(limits.Admit(1000).ok());
  EXPECT_TRUE(limits.Admit(1000).ok());
  Status third = limits.Admit(1000);
  EXPECT_EQ(third.code(), ErrorCode::kBusy);
  EXPECT_NE(third.message().find("limits.max_connections_per_user"), std::string::npos)
      << third.message();
  EXPECT_TRUE(limits.Admit(1001).ok()) << "another user is not held back";
  limits.Release(1000);
  EXPECT_TRUE(limits.Admit(1000).ok()) << "a closed connection frees its place";
}

TEST(ConnectionLimits, RootAndTheDaemonsUserHaveNoPerUserCap) {
  ConnectionLimits limits(1024, 2, kDaemonUid);
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(limits.Admit(0).ok());
    EXPECT_TRUE(limits.Admit(kDaemonUid).ok());
  }
}

TEST(ConnectionLimits, TheLastSixteenthIsKeptForRootAndTheDaemonsUser) {
  ConnectionLimits limits(/*max_connections=*/32, /*max_per_user=*/64, kDaemonUid);
  for (uid_t uid = 1000; uid < 1030; ++uid) EXPECT_TRUE(limits.Admit(uid).ok()) << uid;
  Status refused = limits.Admit(2000);
  EXPECT_EQ(refused.code(), ErrorCode::kBusy);
  EXPECT_NE(refused.message().find("kept for root"), std::string::npos) << refused.message();
  EXPECT_TRUE(limits.Admit(0).ok());
  EXPECT_TRUE(limits.Admit(kDaemonUid).ok());
  Status full = limits.Admit(0);
  EXPECT_EQ(full.code(), ErrorCode::kBusy);
  EXPECT_NE(full.message().find("limits.max_connections"), std::string::npos) << full.message();
  limits.Release(1000);
  EXPECT_TRUE(limits.Admit(0).ok());
}

TEST(ConnectionLimits, ASmallTableKeepsNothingBack) {
  ConnectionLimits limits(/*max_connections=*/2, /*max_per_user=*/64, kDaemonUid);
  EXPECT_TRUE(limits.Admit(1000).ok());
  EXPECT_TRUE(limits.Admit(1001).ok());
  EXPECT_EQ(limits.Admit(0).code(), ErrorCode::kBusy);
}

}  // namespace
}  // namespace hfd::daemon
