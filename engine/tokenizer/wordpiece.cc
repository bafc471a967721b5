#include "engine/tokenizer/wordpiece.h"

#include <array>

#include "engine/tokenizer/tokenizer_model.h"
#include "engine/tokenizer/unicode.h"

namespace hfd::tok {
namespace {

// Hugging Face's WordPiece decoder cleanup: the space a word-start token put before
// punctuation goes away (per token, as HF applies it).
constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kCleanup = {{
    {" .", "."},
    {" ?", "?"},
    {" !", "!"},
    {" ,", ","},
    {" ' ", "'"},
    {" n't", "n't"},
    {" 'm", "'m"},
    {" do not", " don't"},
    {" 's", "'s"},
    {" 've", "'ve"},
    {" 're", "'re"},
}};

void ReplaceAll(std::string& text, std::string_view from, std::string_view to) {
  for (size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos)) {
    text.replace(pos, from.size(), to);
    pos += to.size();
  }
}

}  // namespace

void EncodeWordPieceWord(const TokenizerModel& m, std::string_view word, std::string& key,
                         std::vector<int32_t>& out) {
  const WordPieceConfig& c = m.wordpiece;
  // Character boundaries, so pieces never split a UTF-8 sequence.
  size_t chars = 0;
  for (size_t pos = 0; pos < word.size(); pos += DecodeUtf8(word, pos).len) ++chars;
  if (chars > c.max_input_chars) {
    out.push_back(m.unk_id);
    return;
  }
  const size_t first = out.size();
  for (size_t start = 0; start < word.size();) {
    const std::string& prefix = start == 0 ? c.word_prefix : c.continuing_prefix;
    const size_t longest =
        c.max_token_bytes > prefix.size() ? c.max_token_bytes - prefix.size() : 0;
    size_t end = std::min(word.size(), start + longest);
    int32_t id = -1;
    for (; end > start; --end) {
      // Only ends at a character boundary: not on a continuation byte.
      if (end < word.size() && (static_cast<uint8_t>(word[end]) & 0xC0) == 0x80) continue;
      key.assign(prefix);
      key.append(word.substr(start, end - start));
      id = FindToken(m, key);
      if (id >= 0) break;
    }
    if (id < 0) {
      out.resize(first);
      out.push_back(m.unk_id);
      return;
    }
    out.push_back(id);
    start = end;
  }
}

void EncodeWordLevelWord(const TokenizerModel& m, std::string_view word,
                         std::vector<int32_t>& out) {
  const int32_t id = FindToken(m, word);
  out.push_back(id >= 0 ? id : m.unk_id);
}

std::string WordPieceDecodedPiece(const WordPieceConfig& c, std::string_view token) {
  std::string piece;
  if (!c.continuing_prefix.empty() && token.starts_with(c.continuing_prefix)) {
    piece = token.substr(c.continuing_prefix.size());
  } else if (!c.word_prefix.empty() && token.starts_with(c.word_prefix)) {
    piece = " ";
    piece += token.substr(c.word_prefix.size());
  } else if (c.word_prefix.empty()) {
    piece = " ";
    piece += token;
  } else {
    piece = token;  // a continuation in a vocabulary that marks word starts instead
  }
  if (c.decode_cleanup) {
    for (const auto& [from, to] : kCleanup) ReplaceAll(piece, from, to);
  }
  return piece;
}

}  // namespace hfd::tok
