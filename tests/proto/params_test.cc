// Typed access to named arguments.
#include <gtest/gtest.h>

#include "proto/params.h"

namespace hfd::proto {
namespace {

using nlohmann::json;

const json kParams = {{"limit", 5},   {"neg", -3},    {"name", "x"},
                      {"flag", true}, {"ratio", 0.5}, {"nothing", nullptr}};

TEST(Params, PresentValuesOfTheRightType) {
  EXPECT_EQ(*OptionalUint(kParams, "limit").value(), 5u);
  EXPECT_EQ(*OptionalInt(kParams, "neg").value(), -3);
  EXPECT_EQ(*OptionalInt(kParams, "limit").value(), 5);
  EXPECT_EQ(*OptionalString(kParams, "name").value(), "x");
  EXPECT_EQ(*OptionalBool(kParams, "flag").value(), true);
  EXPECT_DOUBLE_EQ(*OptionalNumber(kParams, "ratio").value(), 0.5);
  EXPECT_DOUBLE_EQ(*OptionalNumber(kParams, "limit").value(), 5.0);
}

TEST(Params, AbsentAndNilAreNullopt) {
  EXPECT_FALSE(OptionalUint(kParams, "missing").value().has_value());
  EXPECT_FALSE(OptionalString(kParams, "nothing").value().has_value());
}

TEST(Params, WrongTypesNameTheParam) {
  auto s = OptionalUint(kParams, "name");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "param 'name' must be an unsigned integer");
  EXPECT_FALSE(OptionalUint(kParams, "neg").ok());
  EXPECT_FALSE(OptionalString(kParams, "limit").ok());
  EXPECT_FALSE(OptionalBool(kParams, "limit").ok());
  EXPECT_FALSE(OptionalNumber(kParams, "name").ok());
}

TEST(Params, RangesAreChecked) {
  EXPECT_FALSE(OptionalUint(kParams, "limit", 4).ok());
  EXPECT_TRUE(OptionalUint(kParams, "limit", 5).ok());
  EXPECT_FALSE(OptionalString(kParams, "name", 0).ok());
}

TEST(Params, RequiredReportsMissing) {
  auto s = RequiredUint(kParams, "msgid");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "missing param 'msgid'");
  EXPECT_EQ(RequiredString(kParams, "name").value(), "x");
}

TEST(Params, UnknownNamesAreRejected) {
  EXPECT_TRUE(RejectUnknownParams({{"limit", 1}}, {"limit", "name"}).ok());
  auto s = RejectUnknownParams({{"limt", 1}}, {"limit"});
  EXPECT_EQ(s.message(), "unknown param 'limt'");
  EXPECT_FALSE(RejectUnknownParams(json::array(), {}).ok());
}

}  // namespace
}  // namespace hfd::proto
