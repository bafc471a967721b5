#include "engine/tokenizer/byte_level.h"

#include <array>

#include "engine/tokenizer/unicode.h"

namespace hfd::tok {
namespace {

// The code point for each byte: printable Latin-1 bytes stand for themselves, the others
// take consecutive code points from U+0100 in byte order.
constexpr std::array<uint16_t, 256> MakeByteToCodePoint() {
  std::array<uint16_t, 256> map{};
  uint16_t next = 256;
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
    map[b] = printable ? static_cast<uint16_t>(b) : next++;
  }
  return map;
}
constexpr std::array<uint16_t, 256> kByteToCodePoint = MakeByteToCodePoint();
constexpr uint32_t kMaxMappedCodePoint = 256 + 68;

struct Tables {
  std::array<std::string, 256> byte_to_text;
  std::array<int16_t, kMaxMappedCodePoint> code_point_to_byte;

  Tables() {
    code_point_to_byte.fill(-1);
    for (int b = 0; b < 256; ++b) {
      AppendUtf8(kByteToCodePoint[b], byte_to_text[b]);
      code_point_to_byte[kByteToCodePoint[b]] = static_cast<int16_t>(b);
    }
  }
};

const Tables& GetTables() {
  static const Tables tables;
  return tables;
}

}  // namespace

std::string_view ByteLevelChar(uint8_t b) { return GetTables().byte_to_text[b]; }

void AppendByteLevel(std::string_view bytes, std::string& out) {
  const Tables& t = GetTables();
  for (char c : bytes) out.append(t.byte_to_text[static_cast<uint8_t>(c)]);
}

bool DecodeByteLevel(std::string_view text, std::string& out) {
  const Tables& t = GetTables();
  for (size_t pos = 0; pos < text.size();) {
    const DecodedChar c = DecodeUtf8(text, pos);
    if (c.cp >= kMaxMappedCodePoint || t.code_point_to_byte[c.cp] < 0) return false;
    out.push_back(static_cast<char>(t.code_point_to_byte[c.cp]));
    pos += c.len;
  }
  return true;
}

}  // namespace hfd::tok
