#include "engine/chat/harmony_channels.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace hfd::chat {
namespace {

// gpt-oss's o200k_harmony ids of the markers; other tokens are text pieces (id 1).
constexpr int32_t kStart = 200006, kChannel = 200005, kMessage = 200008, kEnd = 200007;
constexpr int32_t kText = 1;

HarmonyTokens Markers() {
  const std::map<std::string, int32_t, std::less<>> vocab = {{"<|start|>", kStart},
                                                             {"<|channel|>", kChannel},
                                                             {"<|message|>", kMessage},
                                                             {"<|end|>", kEnd}};
  auto tokens = FindHarmonyTokens([&](std::string_view text) -> std::optional<int32_t> {
    const auto it = vocab.find(text);
    if (it == vocab.end()) return std::nullopt;
    return it->second;
  });
  EXPECT_TRUE(tokens.has_value());
  return tokens.value_or(HarmonyTokens{});
}

// Feeds (token, text) pairs and joins what each channel got.
HarmonyChannels::Split Split(const std::vector<std::pair<int32_t, std::string>>& stream) {
  HarmonyChannels channels(Markers());
  HarmonyChannels::Split all;
  for (const auto& [token, text] : stream) {
    const HarmonyChannels::Split s = channels.Push(token, text);
    all.answer += s.answer;
    all.thinking += s.thinking;
  }
  return all;
}

TEST(HarmonyChannels, AnalysisThenFinal) {
  const HarmonyChannels::Split s = Split({{kChannel, ""},
                                          {kText, "analysis"},
                                          {kMessage, ""},
                                          {kText, "The user greets."},
                                          {kText, " Reply."},
                                          {kEnd, ""},
                                          {kStart, ""},
                                          {kText, "assistant"},
                                          {kChannel, ""},
                                          {kText, "final"},
                                          {kMessage, ""},
                                          {kText, "Hello"},
                                          {kText, "!"}});
  EXPECT_EQ(s.thinking, "The user greets. Reply.");
  EXPECT_EQ(s.answer, "Hello!");
}

TEST(HarmonyChannels, ChannelNameSplitAcrossTokensAndConstrained) {
  const HarmonyChannels::Split s = Split({{kChannel, ""},
                                          {kText, "fin"},
                                          {kText, "al <|constrain|>json"},
                                          {kMessage, ""},
                                          {kText, "{}"},
                                          {kChannel, ""},
                                          {kText, "commentary to=functions.f"},
                                          {kMessage, ""},
                                          {kText, "call"}});
  EXPECT_EQ(s.answer, "{}");
  EXPECT_EQ(s.thinking, "call");
}

TEST(HarmonyChannels, TextWithoutMarkersIsTheAnswer) {
  EXPECT_EQ(Split({{kText, "plain"}, {kText, " text"}}).answer, "plain text");
  // A message with no channel named is an answer too; header text is never shown.
  const HarmonyChannels::Split s =
      Split({{kStart, ""}, {kText, "assistant"}, {kMessage, ""}, {kText, "hi"}});
  EXPECT_EQ(s.answer, "hi");
  EXPECT_EQ(s.thinking, "");
}

TEST(HarmonyChannels, NotHarmonyWithoutChannelAndMessage) {
  EXPECT_FALSE(FindHarmonyTokens([](std::string_view text) -> std::optional<int32_t> {
                 if (text == "<|channel|>") return 5;
                 return std::nullopt;
               }).has_value());
}

}  // namespace
}  // namespace hfd::chat
