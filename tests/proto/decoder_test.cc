// The streaming decoder: partial input, several messages per chunk, and the limits.
#include <gtest/gtest.h>

#include "proto/codec.h"
#include "proto/decoder.h"
#include "proto/validate.h"

namespace hfd::proto {
namespace {

std::vector<std::string> DrainMethods(FrameDecoder& decoder, Status* error = nullptr) {
  std::vector<std::string> methods;
  for (;;) {
    auto next = decoder.Next();
    if (!next.ok()) {
      if (error != nullptr) *error = next.status();
      return methods;
    }
    if (!next.value()) return methods;
    auto m = ParseMessage(next.value()->get(), decoder.limits());
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    if (m.ok()) methods.push_back(m->method);
  }
}

TEST(FrameDecoder, ByteByByteInputYieldsTheMessage) {
  const std::string bytes = EncodeRequest(5, "status", {{"k", std::string(300, 'x')}});
  FrameDecoder decoder(Limits{});
  std::vector<std::string> seen;
  for (char c : bytes) {
    decoder.Feed(&c, 1);
    auto more = DrainMethods(decoder);
    seen.insert(seen.end(), more.begin(), more.end());
  }
  EXPECT_EQ(seen, std::vector<std::string>{"status"});
  EXPECT_EQ(decoder.pending_bytes(), 0u);
}

TEST(FrameDecoder, SeveralMessagesInOneChunk) {
  std::string bytes;
  for (const char* m : {"a", "b", "c"}) bytes += EncodeRequest(1, m, {});
  FrameDecoder decoder(Limits{});
  decoder.Feed(bytes.data(), bytes.size());
  EXPECT_EQ(DrainMethods(decoder), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(FrameDecoder, ZeroCopyWriteBufferAndCommit) {
  const std::string bytes = EncodeRequest(1, "health", {});
  FrameDecoder decoder(Limits{});
  char* buffer = decoder.WriteBuffer(bytes.size());
  std::copy(bytes.begin(), bytes.end(), buffer);
  decoder.Commit(bytes.size());
  EXPECT_EQ(DrainMethods(decoder), std::vector<std::string>{"health"});
}

TEST(FrameDecoder, GarbageIsFatalAndStaysFatal) {
  FrameDecoder decoder(Limits{});
  const char garbage[] = {'\xc1', 'x', 'y'};  // 0xc1 is never valid MessagePack
  decoder.Feed(garbage, sizeof(garbage));
  Status error;
  EXPECT_TRUE(DrainMethods(decoder, &error).empty());
  EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
  const std::string ok = EncodeRequest(1, "status", {});
  decoder.Feed(ok.data(), ok.size());
  EXPECT_FALSE(decoder.Next().ok());
}

TEST(FrameDecoder, StringOverLimitIsRefused) {
  Limits limits;
  limits.max_string_bytes = 1024;
  FrameDecoder decoder(limits);
  const std::string bytes = EncodeRequest(1, "x", {{"s", std::string(2000, 's')}});
  decoder.Feed(bytes.data(), bytes.size());
  auto next = decoder.Next();
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), ErrorCode::kTooLarge);
}

TEST(FrameDecoder, AHugeStringHeaderOnlyBuffersUpToTheMessageLimit) {
  Limits limits;
  limits.max_message_bytes = 4096;
  FrameDecoder decoder(limits);
  // [0, 1, <str32 of 1 GiB> ...: msgpack-c checks string sizes once the body is in, so
  // the message limit is what bounds the buffer.
  const char header[] = {'\x94', '\x00', '\x01', '\xdb', '\x40', '\x00', '\x00', '\x00'};
  decoder.Feed(header, sizeof(header));
  ASSERT_TRUE(decoder.Next().ok());
  const std::string body(5000, 'b');
  decoder.Feed(body.data(), body.size());
  auto next = decoder.Next();
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), ErrorCode::kTooLarge);
}

TEST(FrameDecoder, MessageOverMaxBytesIsRefusedBeforeItCompletes) {
  Limits limits;
  limits.max_message_bytes = 4096;
  FrameDecoder decoder(limits);
  const std::string bytes = EncodeRequest(1, "x", {{"blob", std::string(10000, 'a')}});
  std::size_t fed = 0;
  Status error;
  while (fed < bytes.size() && error.ok()) {
    const std::size_t n = std::min<std::size_t>(1000, bytes.size() - fed);
    decoder.Feed(bytes.data() + fed, n);
    fed += n;
    DrainMethods(decoder, &error);
  }
  EXPECT_EQ(error.code(), ErrorCode::kTooLarge);
  EXPECT_LT(fed, bytes.size());
}

TEST(FrameDecoder, MessageOverMaxBytesArrivingInOneChunkIsRefused) {
  Limits limits;
  limits.max_message_bytes = 4096;
  FrameDecoder decoder(limits);
  const std::string bytes = EncodeRequest(1, "x", {{"blob", std::string(10000, 'a')}});
  decoder.Feed(bytes.data(), bytes.size());
  auto next = decoder.Next();
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), ErrorCode::kTooLarge);
}

TEST(FrameDecoder, DeepNestingIsRefused) {
  Limits limits;
  limits.max_depth = 8;
  FrameDecoder decoder(limits);
  const std::string nested(64, '\x91');  // 64 nested one-element arrays
  decoder.Feed(nested.data(), nested.size());
  auto next = decoder.Next();
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), ErrorCode::kTooLarge);
}

TEST(FrameDecoder, HugeArrayHeaderIsRefused) {
  Limits limits;
  limits.max_array_items = 100;
  FrameDecoder decoder(limits);
  const char header[] = {'\xdd', '\x7f', '\xff', '\xff', '\xff'};  // array32 of 2^31-1
  decoder.Feed(header, sizeof(header));
  auto next = decoder.Next();
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), ErrorCode::kTooLarge);
}

}  // namespace
}  // namespace hfd::proto
