#include "engine/tokenizer/precompiled_charsmap.h"

#include <openssl/evp.h>

#include <climits>
#include <utility>

#include "engine/tokenizer/unicode.h"

namespace hfd::tok {
namespace {

constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD

// The fields of a darts-clone unit (the layout sentencepiece's charsmap uses).
uint32_t Offset(uint32_t unit) { return (unit >> 10) << ((unit & (1U << 9)) >> 6); }
uint32_t Label(uint32_t unit) { return unit & ((1U << 31) | 0xFF); }  // value units never match
bool HasLeaf(uint32_t unit) { return ((unit >> 8) & 1) != 0; }
uint32_t Value(uint32_t unit) { return unit & ((1U << 31) - 1); }

uint32_t ReadLe32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

}  // namespace

Result<std::shared_ptr<const PrecompiledCharsmap>> PrecompiledCharsmap::Parse(
    std::span<const uint8_t> blob) {
  if (blob.size() < 4) return Corrupt("the precompiled charsmap is shorter than its header");
  const uint32_t trie_bytes = ReadLe32(blob.data());
  if (trie_bytes == 0 || trie_bytes % 4 != 0 || trie_bytes > blob.size() - 4) {
    return Corrupt("the precompiled charsmap's trie size " + std::to_string(trie_bytes) +
                   " does not fit its " + std::to_string(blob.size()) + " bytes (truncated?)");
  }
  auto map = std::make_shared<PrecompiledCharsmap>();
  map->units_.resize(trie_bytes / 4);
  for (size_t i = 0; i < map->units_.size(); ++i) {
    map->units_[i] = ReadLe32(blob.data() + 4 + 4 * i);
  }
  const auto rest = blob.subspan(4 + trie_bytes);
  map->replacements_.assign(rest.begin(), rest.end());
  if (map->replacements_.empty() || map->replacements_.back() != '\0') {
    return Corrupt(
        "the precompiled charsmap's replacement strings are not NUL-terminated "
        "(truncated?)");
  }
  return std::shared_ptr<const PrecompiledCharsmap>(std::move(map));
}

std::pair<size_t, uint32_t> PrecompiledCharsmap::LongestMatch(std::string_view text) const {
  std::pair<size_t, uint32_t> match{0, 0};
  const size_t n = units_.size();
  uint32_t node = Offset(units_[0]);
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<uint8_t>(text[i]);
    if (c == 0) break;
    node ^= c;
    if (node >= n || Label(units_[node]) != c) break;
    const bool leaf = HasLeaf(units_[node]);
    node ^= Offset(units_[node]);
    if (node >= n) break;
    if (leaf) match = {i + 1, Value(units_[node])};
  }
  return match;
}

void PrecompiledCharsmap::Normalize(std::string_view text, std::string& out) const {
  out.reserve(out.size() + text.size());
  for (size_t pos = 0; pos < text.size();) {
    const auto [len, offset] = LongestMatch(text.substr(pos));
    if (len > 0 && offset < replacements_.size()) {
      out.append(replacements_.c_str() + offset);  // NUL-terminated: see Parse
      pos += len;
      continue;
    }
    const DecodedChar ch = DecodeUtf8(text, pos);
    if (ch.cp == kInvalidCodePoint) {
      out.append(kReplacementChar);
    } else {
      out.append(text.substr(pos, ch.len));
    }
    pos += ch.len;
  }
}

void RemoveExtraSpaces(std::string_view text, std::string& out) {
  out.clear();
  bool pending_space = false;
  for (char c : text) {
    if (c == ' ') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
}

Result<std::vector<uint8_t>> DecodeBase64(std::string_view text) {
  if (text.size() % 4 != 0 || text.size() > INT_MAX) return Corrupt("invalid base64 text");
  std::vector<uint8_t> out(text.size() / 4 * 3);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return Corrupt("invalid base64 text");
  // EVP_DecodeBlock counts the bytes the '=' padding stands for: drop them.
  size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') {
    ++padding;
  }
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

}  // namespace hfd::tok
