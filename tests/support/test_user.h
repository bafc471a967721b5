// A second, unprivileged local user for tests that attack the daemon as a peer without
// rights: the CTest fixture `hfd_test_user` creates it once (create_test_user.sh), and
// tests run their clients as it with setpriv.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "hfd/status.h"
#include "tests/support/fixtures.h"

namespace hfd::testing {

inline constexpr const char* kTestUserName = "hfd-test-peer";

struct TestUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

// The test user; NotFound when the fixture could not create it (not root).
Result<TestUser> LookupTestUser();

// `argv` run as `user` (its uid and gid, no supplementary groups), through setpriv.
std::vector<std::string> AsUser(const TestUser& user, const std::vector<std::string>& argv);

// Copies the executable at `binary` into `dir` (made 0755), so another user can run it
// when the build tree sits in a home only its owner can enter. Returns the copy's path.
Result<std::filesystem::path> CopyForAnyone(const std::filesystem::path& binary,
                                            const std::filesystem::path& dir);

}  // namespace hfd::testing

// Binds `var` (a TestUser) to the test user; skips the test without it, except under
// CI=true, where CI runs as root and its absence is a failure.
#define HFD_REQUIRE_TEST_USER(var)                                                         \
  ::hfd::Result<::hfd::testing::TestUser> var##_result = ::hfd::testing::LookupTestUser(); \
  if (!var##_result.ok()) {                                                                \
    if (::hfd::testing::RunningInCi()) {                                                   \
      GTEST_FAIL() << var##_result.status().ToString();                                    \
    }                                                                                      \
    GTEST_SKIP() << var##_result.status().ToString();                                      \
  }                                                                                        \
  const ::hfd::testing::TestUser var = *var##_result
