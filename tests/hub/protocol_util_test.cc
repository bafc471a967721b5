// Small pieces of the Hub protocol: links, origins, Retry-After, hashes, retries, progress.
#include <gtest/gtest.h>

#include <cstring>

#include "hub/async_sha256.h"
#include "hub/hub_client.h"
#include "hub/progress.h"
#include "hub/retry.h"
#include "hub/sha256.h"

namespace hfd::hub {
namespace {

TEST(ProtocolUtilTest, NextLinkFindsRelNext) {
  EXPECT_EQ(NextLink(R"(<https://h/api?cursor=2>; rel="next")"), "https://h/api?cursor=2");
  EXPECT_EQ(NextLink(R"(<https://h/p1>; rel="prev", <https://h/p3>; rel="next")"), "https://h/p3");
  EXPECT_EQ(NextLink(R"(<https://h/p1>; rel="prev")"), "");
  EXPECT_EQ(NextLink(""), "");
}

TEST(ProtocolUtilTest, OriginComparesSchemeHostAndPort) {
  EXPECT_EQ(OriginOf("https://huggingface.co/api/x"), "https://huggingface.co:443");
  EXPECT_EQ(OriginOf("http://127.0.0.1:8080/a"), "http://127.0.0.1:8080");
  EXPECT_EQ(OriginOf("HTTPS://HuggingFace.co:443/"), OriginOf("https://huggingface.co/"));
  EXPECT_NE(OriginOf("http://127.0.0.1:1/"), OriginOf("http://127.0.0.1:2/"));
  EXPECT_NE(OriginOf("http://h/"), OriginOf("https://h/"));
  EXPECT_EQ(SchemeOf("HTTPS://h/"), "https");
  EXPECT_EQ(SchemeOf("gopher://127.0.0.1:70/_x"), "gopher");
  EXPECT_EQ(SchemeOf("not a url"), "");
  // Messages name the origin only: a CDN URL's query may carry a signature.
  EXPECT_EQ(ShownUrl("https://cdn.example/blob?X-Signature=secret"), "https://cdn.example:443");
  EXPECT_EQ(ShownUrl("gopher://127.0.0.1:7070/_GET%20/"), "gopher://127.0.0.1:7070");
  EXPECT_EQ(UrlEncode("refs/pr/1", false), "refs%2Fpr%2F1");
  EXPECT_EQ(UrlEncode("a b/c.gguf", true), "a%20b/c.gguf");
}

TEST(ProtocolUtilTest, RetryAfterSecondsAndDates) {
  EXPECT_EQ(ParseRetryAfter("3"), Millis(3000));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"), Millis(0));  // in the past
  EXPECT_EQ(ParseRetryAfter("soon"), std::nullopt);
}

TEST(ProtocolUtilTest, Sha256KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Sha256 h;
  h.Update("ab", 2);
  h.Update("c", 1);
  EXPECT_EQ(h.HexDigest(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ProtocolUtilTest, AsyncSha256MatchesAcrossChunksAndResets) {
  std::string data(3 * AsyncSha256::kMaxQueuedBytes / 2, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131 % 251);
  AsyncSha256 h;
  h.Update("junk", 4);
  h.Reset();
  for (size_t pos = 0; pos < data.size(); pos += 1 << 20) {
    h.Update(data.data() + pos, std::min<size_t>(1 << 20, data.size() - pos));
  }
  EXPECT_EQ(h.HexDigest(), Sha256Hex(data));
  EXPECT_EQ(h.HexDigest(), Sha256Hex(""));  // HexDigest resets
}

TEST(RetryStateTest, BacksOffExponentiallyHonoursRetryAfterAndStops) {
  std::vector<Millis> slept;
  RetryPolicy policy;
  policy.max_attempts = 4;
  policy.initial_backoff = Millis(100);
  policy.pace = [&](Millis d) {
    slept.push_back(d);
    return Millis(0);
  };
  RetryState state(policy, nullptr);
  const Status failure = Unavailable("503");
  ASSERT_TRUE(state.BeforeRetry(failure, std::nullopt).ok());
  ASSERT_TRUE(state.BeforeRetry(failure, Millis(2000)).ok());
  ASSERT_TRUE(state.BeforeRetry(failure, std::nullopt).ok());
  Status last = state.BeforeRetry(failure, std::nullopt);
  EXPECT_EQ(last.code(), ErrorCode::kUnavailable);
  EXPECT_NE(last.message().find("gave up after 4 attempts"), std::string::npos);
  ASSERT_EQ(slept.size(), 3u);
  EXPECT_GE(slept[0], Millis(50));
  EXPECT_LE(slept[0], Millis(100));
  EXPECT_EQ(slept[1], Millis(2000));
  EXPECT_GE(slept[2], Millis(200));  // third retry: 400 ms jittered to [200, 400]
  EXPECT_LE(slept[2], Millis(400));
}

TEST(RetryStateTest, TotalBudgetBoundsRetryAfter) {
  RetryPolicy policy;
  policy.max_total = Millis(1000);
  policy.pace = [](Millis) { return Millis(0); };
  RetryState state(policy, nullptr);
  EXPECT_EQ(state.BeforeRetry(Unavailable("429"), Millis(60000)).code(),
            ErrorCode::kDeadlineExceeded);
}

TEST(ProgressTrackerTest, ReportsPhasesFilesAndTotals) {
  std::vector<PullProgress> seen;
  ProgressTracker tracker([&](const PullProgress& p) { seen.push_back(p); }, Millis(0));
  tracker.SetTotals(300, 2, 0);
  tracker.StartFile("a", 100, 40);
  tracker.AddBytes(60);
  tracker.FinishFile();
  tracker.StartFile("b", 200, 0);
  tracker.FinishFile();  // completed by someone else: counted in full
  tracker.Phase(PullProgress::Phase::kDone);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().bytes, 300u);
  EXPECT_EQ(seen.back().files_done, 2u);
  EXPECT_EQ(std::string(PhaseName(seen.back().phase)), "done");
  EXPECT_EQ(seen[1].file_bytes, 100u);
}

}  // namespace
}  // namespace hfd::hub
