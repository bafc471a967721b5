#include "hfd/status.h"

#include <gtest/gtest.h>

#include <cerrno>

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

TEST(Status, ErrnoMapsCodes) {
  EXPECT_EQ(ErrnoError("open x", ENOENT).code(), ErrorCode::kNotFound);
  EXPECT_EQ(ErrnoError("open x", EACCES).code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(ErrnoError("open x", EIO).message().find("open x: "), std::string::npos);
}

}  // namespace
}  // namespace hfd
