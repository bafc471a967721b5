// UTF-8 handling, character classes, GPT-2's byte map and NFC.
#include <gtest/gtest.h>

#include <string>

#include "engine/tokenizer/byte_level.h"
#include "engine/tokenizer/normal_forms.h"
#include "engine/tokenizer/unicode.h"

namespace hfd::tok {
namespace {

TEST(Utf8, DecodesValidSequences) {
  EXPECT_EQ(DecodeUtf8("a", 0).cp, 'a');
  EXPECT_EQ(DecodeUtf8("\xC3\xA9", 0).cp, 0xE9u);
  EXPECT_EQ(DecodeUtf8("\xE4\xBD\xA0", 0).cp, 0x4F60u);
  const DecodedChar llama = DecodeUtf8("\xF0\x9F\xA6\x99", 0);
  EXPECT_EQ(llama.cp, 0x1F999u);
  EXPECT_EQ(llama.len, 4);
}

TEST(Utf8, InvalidBytesDecodeOneAtATime) {
  for (const char* bad : {"\xC0\x80", "\xED\xA0\x80", "\xF0\x9F\xA6", "\x80", "\xFF", "\xF5\x80"}) {
    const DecodedChar c = DecodeUtf8(bad, 0);
    EXPECT_EQ(c.cp, kInvalidCodePoint) << bad;
    EXPECT_EQ(c.len, 1);
  }
}

TEST(Utf8, SanitizeReplacesMaximalInvalidSubparts) {
  EXPECT_EQ(SanitizeUtf8("ok \xC3\xA9"), "ok \xC3\xA9");
  EXPECT_EQ(SanitizeUtf8("a\xFF"
                         "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(SanitizeUtf8("\xF0\x9F\xA6"), "\xEF\xBF\xBD");          // truncated: one
  EXPECT_EQ(SanitizeUtf8("\xFF\xFE"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // two bad leads
}

TEST(Utf8, CompletePrefixHoldsBackAnOpenSequence) {
  EXPECT_EQ(CompleteUtf8Prefix("ab"), 2u);
  EXPECT_EQ(CompleteUtf8Prefix("ab\xF0\x9F"), 2u);
  EXPECT_EQ(CompleteUtf8Prefix("ab\xF0\x9F\xA6\x99"), 6u);
  EXPECT_EQ(CompleteUtf8Prefix("a\xC3"), 1u);
  EXPECT_EQ(CompleteUtf8Prefix("a\xFF"), 2u);      // can never complete: emit now
  EXPECT_EQ(CompleteUtf8Prefix("a\xE0\x80"), 3u);  // invalid second byte: emit now
}

TEST(CharClasses, LettersNumbersAndWhitespace) {
  EXPECT_EQ(ClassOf('a'), CharClass::kLetter);
  EXPECT_EQ(ClassOf('7'), CharClass::kNumber);
  EXPECT_EQ(ClassOf('!'), CharClass::kOther);
  EXPECT_EQ(ClassOf(0xE9), CharClass::kLetter);    // é
  EXPECT_EQ(ClassOf(0x4E2D), CharClass::kLetter);  // 中
  EXPECT_EQ(ClassOf(0x0663), CharClass::kNumber);  // Arabic-Indic three
  EXPECT_EQ(ClassOf(0xBD), CharClass::kNumber);    // ½ (No)
  EXPECT_EQ(ClassOf(0x1F999), CharClass::kOther);  // 🦙
  EXPECT_EQ(ClassOf(kInvalidCodePoint), CharClass::kOther);
  EXPECT_TRUE(IsWhitespace(' '));
  EXPECT_TRUE(IsWhitespace(0x3000));
  EXPECT_TRUE(IsWhitespace(0x85));
  EXPECT_FALSE(IsWhitespace(0x200B));  // zero width space is not White_Space
  EXPECT_FALSE(IsWhitespace(kInvalidCodePoint));
}

TEST(ByteLevel, MapsEveryByteAndBack) {
  EXPECT_EQ(ByteLevelChar(' '), "\xC4\xA0");   // Ġ
  EXPECT_EQ(ByteLevelChar('\n'), "\xC4\x8A");  // Ċ
  EXPECT_EQ(ByteLevelChar('A'), "A");
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  std::string mapped;
  AppendByteLevel(all, mapped);
  std::string back;
  ASSERT_TRUE(DecodeByteLevel(mapped, back));
  EXPECT_EQ(back, all);
  std::string ignored;
  EXPECT_FALSE(DecodeByteLevel(" ", ignored));  // a raw space stands for no byte
}

TEST(Nfc, ComposesReordersAndRespectsExclusions) {
  EXPECT_FALSE(NeedsNfc("plain ascii and \xC3\xA9"));
  EXPECT_EQ(ToNfc("A\xCC\x8A"), "\xC3\x85");                                 // A + ring -> Å
  EXPECT_EQ(ToNfc("\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8"), "\xEA\xB0\x81");  // jamo -> 각
  EXPECT_EQ(ToNfc("q\xCC\x87\xCC\xA3"), "q\xCC\xA3\xCC\x87");    // dot below sorts first
  EXPECT_EQ(ToNfc("\xE0\xA5\x98"), "\xE0\xA4\x95\xE0\xA4\xBC");  // excluded composite
  EXPECT_EQ(ToNfc("\xC3\x85"), "\xC3\x85");
  EXPECT_EQ(ToNfc("e\xFF\xCC\x81"), "e\xFF\xCC\x81");  // a bad byte blocks composition
}

}  // namespace
}  // namespace hfd::tok
