// ParseNumber: what flags and /set parameter accept, and what they say about the rest.
#include "ctl/number_check.h"

#include <gtest/gtest.h>

#include "ctl/commands/setting_rules.h"

namespace hfd::ctl {
namespace {

TEST(ParseNumber, WholeNumbersInRange) {
  EXPECT_EQ(*ParseNumber(rules::kCtx, "4096"), 4096);
  EXPECT_EQ(*ParseNumber(rules::kMaxTokens, "-1"), -1);
  EXPECT_EQ(*ParseNumber(rules::kSeed, "18446744073709551615"), 18446744073709551615ull);
}

TEST(ParseNumber, SaysWhatItExpectedAndWhatItGot) {
  EXPECT_EQ(ParseNumber(rules::kCtx, "4k").status().message(),
            "expected a whole number of tokens ≥ 16, got \"4k\"");
  EXPECT_EQ(ParseNumber(rules::kCtx, "8").status().message(),
            "expected a whole number of tokens ≥ 16, got \"8\"");
  EXPECT_EQ(ParseNumber(rules::kMaxConcurrency, "65").status().message(),
            "expected a whole number of requests from 1 to 64, got \"65\"");
  EXPECT_EQ(ParseNumber(rules::kTemperature, "hot").status().message(),
            "expected a number from 0 to 100, got \"hot\"");
}

TEST(ParseNumber, RefusesPartsOfNumbersAndNonFiniteValues) {
  for (const char* text : {"", " 5", "5 ", "+5", "1e", "nan", "inf", "0x10"}) {
    EXPECT_FALSE(ParseNumber(rules::kTemperature, text).ok()) << text;
  }
  EXPECT_FALSE(ParseNumber(rules::kTopK, "2.5").ok());
  EXPECT_DOUBLE_EQ(ParseNumber(rules::kProbability, "0.95")->get<double>(), 0.95);
}

}  // namespace
}  // namespace hfd::ctl
