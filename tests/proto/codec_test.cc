// Encoding and validation of MessagePack-RPC messages.
#include <gtest/gtest.h>

#include "proto/codec.h"
#include "proto/decoder.h"
#include "proto/validate.h"

namespace hfd::proto {
namespace {

using nlohmann::json;

// Decodes exactly one message from `bytes` and validates it.
Result<Message> DecodeOne(const std::string& bytes, const Limits& limits = {}) {
  FrameDecoder decoder(limits);
  decoder.Feed(bytes.data(), bytes.size());
  auto next = decoder.Next();
  if (!next.ok()) return next.status();
  if (!next.value()) return InvalidArgument("incomplete");
  return ParseMessage(next.value()->get(), limits);
}

// Packs an arbitrary msgpack value built with the packer callback.
template <typename Fn>
std::string Pack(Fn fn) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> packer(buffer);
  fn(packer);
  return std::string(buffer.data(), buffer.size());
}

TEST(Codec, RequestRoundTrip) {
  json params{{"limit", 5}, {"name", "health"}, {"nested", {{"a", json::array({1, -2, 3.5})}}}};
  auto m = DecodeOne(EncodeRequest(42, "history", params));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->type, MessageType::kRequest);
  EXPECT_EQ(m->msgid, 42u);
  EXPECT_EQ(m->method, "history");
  EXPECT_EQ(m->params, params);
}

TEST(Codec, NullParamsBecomeEmptyMap) {
  auto m = DecodeOne(EncodeRequest(1, "status", nullptr));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->params, json::object());
}

TEST(Codec, ResponseWithResult) {
  auto m = DecodeOne(EncodeResponse(7, Status::Ok(), {{"status", "ok"}}));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->type, MessageType::kResponse);
  EXPECT_EQ(m->msgid, 7u);
  EXPECT_TRUE(m->error.ok());
  EXPECT_EQ(m->result["status"], "ok");
}

TEST(Codec, ResponseWithErrorKeepsCodeAndMessage) {
  auto m = DecodeOne(EncodeResponse(9, NotFound("no such model"), {{"ignored", true}}));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->error.code(), ErrorCode::kNotFound);
  EXPECT_EQ(m->error.message(), "no such model");
  EXPECT_TRUE(m->result.is_null());
}

TEST(Codec, ErrorMapCarriesNumericCodeAndName) {
  json e = ErrorToJson(TooLarge("big"));
  EXPECT_EQ(e["code"], 12);
  EXPECT_EQ(e["name"], "too_large");
  EXPECT_EQ(e["message"], "big");
}

TEST(Codec, ForeignErrorShapeBecomesInternal) {
  EXPECT_EQ(ErrorFromJson("just a string").code(), ErrorCode::kInternal);
  EXPECT_EQ(ErrorFromJson({{"code", 999}, {"message", "x"}}).code(), ErrorCode::kInternal);
}

// Found by proto_decoder_fuzzer: an error map with invalid UTF-8 made the message
// formatting throw instead of returning an Internal error.
TEST(Codec, ForeignErrorWithInvalidUtf8IsReportedNotThrown) {
  const json bad = {{"c", std::string("\x01\xff")}};
  Status s = ErrorFromJson(bad);
  EXPECT_EQ(s.code(), ErrorCode::kInternal);
  EXPECT_NE(s.message().find("\xEF\xBF\xBD"), std::string::npos) << s.message();
}

TEST(Codec, NotificationRoundTrip) {
  auto m = DecodeOne(EncodeNotification("progress", {{"msgid", 3}, {"bytes", 1024}}));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->type, MessageType::kNotification);
  EXPECT_EQ(m->method, "progress");
  EXPECT_EQ(m->params["bytes"], 1024);
}

TEST(Codec, BinaryValuesSurvive) {
  json params{{"data", json::binary({0, 1, 255})}};
  auto m = DecodeOne(EncodeRequest(1, "x", params));
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->params["data"].is_binary());
  EXPECT_EQ(m->params["data"].get_binary().size(), 3u);
}

TEST(Validate, EmptyParamsArrayIsAccepted) {
  auto bytes = Pack([](auto& p) {
    p.pack_array(4);
    p.pack(0);
    p.pack(1);
    p.pack(std::string("status"));
    p.pack_array(0);
  });
  auto m = DecodeOne(bytes);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->params, json::object());
}

struct BadCase {
  const char* name;
  std::string bytes;
  const char* expected_fragment;
};

TEST(Validate, RejectsMalformedShapesWithClearMessages) {
  const std::vector<BadCase> cases = {
      {"not an array", Pack([](auto& p) { p.pack(std::string("hello")); }), "array"},
      {"bad type", Pack([](auto& p) {
         p.pack_array(4);
         p.pack(7);
         p.pack(1);
         p.pack(std::string("m"));
         p.pack_array(0);
       }),
       "message type"},
      {"request of 3", Pack([](auto& p) {
         p.pack_array(3);
         p.pack(0);
         p.pack(1);
         p.pack(std::string("m"));
       }),
       "[0, msgid, method, params]"},
      {"negative msgid", Pack([](auto& p) {
         p.pack_array(4);
         p.pack(0);
         p.pack(-1);
         p.pack(std::string("m"));
         p.pack_array(0);
       }),
       "msgid"},
      {"msgid over 32 bits", Pack([](auto& p) {
         p.pack_array(4);
         p.pack(0);
         p.pack(std::uint64_t{1} << 33);
         p.pack(std::string("m"));
         p.pack_array(0);
       }),
       "msgid"},
      {"method not a string", Pack([](auto& p) {
         p.pack_array(4);
         p.pack(0);
         p.pack(1);
         p.pack(5);
         p.pack_array(0);
       }),
       "method must be a string"},
      {"empty method", Pack([](auto& p) {
         p.pack_array(4);
         p.pack(0);
         p.pack(1);
         p.pack(std::string());
         p.pack_array(0);
       }),
       "empty"},
      {"params a map", Pack([](auto& p) {
         p.pack_array(4);
         p.pack(0);
         p.pack(1);
         p.pack(std::string("m"));
         p.pack_map(0);
       }),
       "params must be an array"},
      {"params array of int", Pack([](auto& p) {
         p.pack_array(4);
         p.pack(0);
         p.pack(1);
         p.pack(std::string("m"));
         p.pack_array(1);
         p.pack(3);
       }),
       "params must be an array"},
      {"non-string key", Pack([](auto& p) {
         p.pack_array(4);
         p.pack(0);
         p.pack(1);
         p.pack(std::string("m"));
         p.pack_array(1);
         p.pack_map(1);
         p.pack(1);
         p.pack(2);
       }),
       "keys must be strings"},
  };
  for (const auto& c : cases) {
    auto m = DecodeOne(c.bytes);
    ASSERT_FALSE(m.ok()) << c.name;
    EXPECT_EQ(m.status().code(), ErrorCode::kInvalidArgument) << c.name;
    EXPECT_NE(m.status().message().find(c.expected_fragment), std::string::npos)
        << c.name << ": " << m.status().message();
  }
}

TEST(Validate, MethodNameLengthIsCapped) {
  auto m = DecodeOne(EncodeRequest(1, std::string(kMaxMethodNameBytes + 1, 'm'), {}));
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("longer"), std::string::npos);
}

TEST(Validate, PeekMsgidFindsIdOfInvalidRequest) {
  auto bytes = Pack([](auto& p) {
    p.pack_array(4);
    p.pack(0);
    p.pack(77);
    p.pack(3);  // method of the wrong type
    p.pack_array(0);
  });
  FrameDecoder decoder(Limits{});
  decoder.Feed(bytes.data(), bytes.size());
  auto next = decoder.Next();
  ASSERT_TRUE(next.ok() && next.value());
  EXPECT_FALSE(ParseMessage(next.value()->get(), Limits{}).ok());
  EXPECT_EQ(PeekMsgid(next.value()->get()), std::optional<std::uint32_t>(77));
}

}  // namespace
}  // namespace hfd::proto
