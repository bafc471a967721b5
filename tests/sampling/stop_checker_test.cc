// StopChecker: stop strings across token boundaries, held-back text, and each stop reason.
#include "engine/sampling/stop_checker.h"

#include <gtest/gtest.h>

namespace hfd::sampling {
namespace {

// Feeds pieces as tokens 100, 101, ...; returns all streamed text and the final reason.
std::pair<std::string, StopReason> Feed(StopChecker& c, const std::vector<std::string>& pieces) {
  std::string out;
  int32_t id = 100;
  for (const std::string& p : pieces) {
    auto step = c.OnToken(id++, p);
    out += step.text;
    if (step.reason != StopReason::kNone) return {out, step.reason};
  }
  return {out, StopReason::kNone};
}

TEST(StopCheckerTest, StopStringSplitAcrossTokens) {
  StopChecker c({.eos_ids = {}, .stop = {"</answer>"}});
  auto [text, reason] = Feed(c, {"The result", " is 4</", "ans", "wer> and more"});
  EXPECT_EQ(text, "The result is 4");
  EXPECT_EQ(reason, StopReason::kStopString);
}

TEST(StopCheckerTest, HoldsBackOnlyAPossibleStopPrefix) {
  StopChecker c({.eos_ids = {}, .stop = {"STOP"}});
  auto s1 = c.OnToken(1, "abcST");
  EXPECT_EQ(s1.text, "abc");  // "ST" might begin "STOP"
  auto s2 = c.OnToken(2, "ring");
  EXPECT_EQ(s2.text, "STring");  // it did not
  EXPECT_EQ(s2.reason, StopReason::kNone);
  auto s3 = c.OnToken(3, "SSTO");
  EXPECT_EQ(s3.text, "S");
  auto s4 = c.OnToken(4, "P!");
  EXPECT_EQ(s4.text, "");
  EXPECT_EQ(s4.reason, StopReason::kStopString);
  EXPECT_EQ(s4.matched, "STOP");
}

TEST(StopCheckerTest, EarliestOfSeveralStopStringsWins) {
  StopChecker c({.eos_ids = {}, .stop = {"world", "lo w"}});
  auto [text, reason] = Feed(c, {"hello world"});
  EXPECT_EQ(text, "hel");
  EXPECT_EQ(reason, StopReason::kStopString);
}

TEST(StopCheckerTest, EosFlushesHeldText) {
  StopChecker c({.eos_ids = {2, 7}, .stop = {"###"}});
  EXPECT_EQ(c.OnToken(5, "text#").text, "text");
  auto s = c.OnToken(7, "");
  EXPECT_EQ(s.reason, StopReason::kEos);
  EXPECT_EQ(s.text, "#");
}

TEST(StopCheckerTest, MaxTokensAndContextLimit) {
  StopChecker max({.eos_ids = {}, .stop = {"zz"}, .max_tokens = 3});
  auto [text, reason] = Feed(max, {"a", "b", "cz", "d"});
  EXPECT_EQ(text, "abcz");
  EXPECT_EQ(reason, StopReason::kMaxTokens);
  EXPECT_EQ(max.generated(), 3);

  StopChecker ctx({.eos_ids = {}, .stop = {}, .context_length = 10, .prompt_tokens = 8});
  auto [text2, reason2] = Feed(ctx, {"x", "y", "z"});
  EXPECT_EQ(text2, "xy");
  EXPECT_EQ(reason2, StopReason::kContextLimit);
}

TEST(StopCheckerTest, FinishedCheckerIgnoresMoreTokens) {
  StopChecker c({.eos_ids = {0}, .stop = {}});
  EXPECT_EQ(c.OnToken(0, "").reason, StopReason::kEos);
  auto s = c.OnToken(5, "late");
  EXPECT_EQ(s.text, "");
  EXPECT_EQ(s.reason, StopReason::kNone);
}

TEST(StopCheckerTest, NoStopStringsStreamsEverythingImmediately) {
  StopChecker c({});
  EXPECT_EQ(c.OnToken(1, "héllo").text, "héllo");
  EXPECT_EQ(c.Flush(), "");
  EXPECT_EQ(StopReasonName(StopReason::kStopString), "stop_string");
}

}  // namespace
}  // namespace hfd::sampling
