#include "hfd/status.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <type_traits>
#include <utility>

namespace hfd {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument("odd number " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  HFD_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(Status, OkAndError) {
  EXPECT_TRUE(Status::Ok().ok());
  Status s = NotFound("model x");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kNotFound);
  EXPECT_EQ(s.ToString(), "not_found: model x");
  EXPECT_EQ(s.WithContext("load").message(), "load: model x");
}

TEST(Status, ResultPropagates) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd number 3");
}

// A message read through a reference lives as long as what it was read from: the Result
// for a named one, the reference itself for a temporary (ASan, which CI runs this under,
// reports the use after scope that by-value accessors gave here).
TEST(Status, MessagesReadThroughReferencesStayAlive) {
  static_assert(std::is_lvalue_reference_v<decltype(std::declval<Result<int>&>().status())>);
  static_assert(!std::is_reference_v<decltype(std::declval<Result<int>>().status())>);
  static_assert(!std::is_reference_v<decltype(std::declval<Status>().message())>);
  const Result<int> r = Half(3);
  const std::string& from_named = r.status().message();
  const std::string& from_temporary = Half(5).status().message();
  const std::string& from_status = InvalidArgument("bad size").message();
  EXPECT_EQ(from_named, "odd number 3");
  EXPECT_EQ(from_temporary, "odd number 5");
  EXPECT_EQ(from_status, "bad size");
  const Result<int> whole = Half(2);
  EXPECT_TRUE(whole.status().ok());
  EXPECT_TRUE(Half(2).status().ok());
}

TEST(Status, ErrnoMapsCodes) {
  EXPECT_EQ(ErrnoError("open x", ENOENT).code(), ErrorCode::kNotFound);
  EXPECT_EQ(ErrnoError("open x", EACCES).code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(ErrnoError("open x", EIO).message().find("open x: "), std::string::npos);
}

}  // namespace
}  // namespace hfd
