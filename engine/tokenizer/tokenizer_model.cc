#include "engine/tokenizer/tokenizer_model.h"

#include <algorithm>
#include <optional>

#include "engine/tokenizer/byte_level.h"

namespace hfd::tok {
namespace {

// "<0x41>" -> 0x41.
std::optional<uint8_t> ParseByteToken(std::string_view t) {
  if (t.size() != 6 || t.substr(0, 3) != "<0x" || t[5] != '>') return std::nullopt;
  int value = 0;
  for (char c : t.substr(3, 2)) {
    int digit = -1;
    if (c >= '0' && c <= '9') digit = c - '0';
    if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    if (digit < 0) return std::nullopt;
    value = value * 16 + digit;
  }
  return static_cast<uint8_t>(value);
}

std::string UnescapeSpaces(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    if (text.compare(pos, kSpaceMark.size(), kSpaceMark) == 0) {
      out.push_back(' ');
      pos += kSpaceMark.size();
    } else {
      out.push_back(text[pos++]);
    }
  }
  return out;
}

// True when some token has a "▁" after another character, so merges can join across
// the start of a space run.
bool HasInnerSpaceMark(const std::vector<std::string>& vocab) {
  for (const std::string& t : vocab) {
    for (size_t pos = t.find(kSpaceMark, 1); pos != std::string::npos;
         pos = t.find(kSpaceMark, pos + 1)) {
      if (pos < kSpaceMark.size() ||
          t.compare(pos - kSpaceMark.size(), kSpaceMark.size(), kSpaceMark) != 0) {
        return true;
      }
    }
  }
  return false;
}

Status CheckId(int32_t id, size_t n, std::string_view what) {
  if (id < -1 || id >= static_cast<int64_t>(n)) {
    return Corrupt(std::string(what) + " id " + std::to_string(id) +
                   " is outside the vocabulary of " + std::to_string(n) + " tokens");
  }
  return Status::Ok();
}

std::string PieceOf(const TokenizerModel& m, int32_t id) {
  const std::string& text = m.vocab[id];
  if (m.kind == ModelKind::kWordPiece) return WordPieceDecodedPiece(m.wordpiece, text);
  if (m.kind == ModelKind::kWordLevel) return " " + text;  // HF joins words with spaces
  if (UsesSpaceMarks(m.kind)) {
    if (m.is_byte_token[id]) {
      if (auto byte = ParseByteToken(text)) return std::string(1, static_cast<char>(*byte));
    }
    return UnescapeSpaces(text);
  }
  std::string bytes;
  if (DecodeByteLevel(text, bytes)) return bytes;
  return text;
}

}  // namespace

Status Finalize(TokenizerModel& m) {
  const size_t n = m.vocab.size();
  if (n == 0) return Corrupt("the vocabulary is empty");
  if (m.kind == ModelKind::kUnigram && m.unigram == nullptr) {
    return Corrupt("a Unigram tokenizer without its Unigram model");
  }
  m.is_byte_token.resize(n, 0);
  for (const AddedToken& t : m.added) {
    HFD_RETURN_IF_ERROR(CheckId(t.id, n, "added token '" + t.content + "'"));
    if (t.id < 0) return Corrupt("added token '" + t.content + "' has no id");
  }
  HFD_RETURN_IF_ERROR(CheckId(m.unk_id, n, "unknown-token"));
  HFD_RETURN_IF_ERROR(CheckId(m.bos_id, n, "BOS"));
  HFD_RETURN_IF_ERROR(CheckId(m.eos_id, n, "EOS"));
  HFD_RETURN_IF_ERROR(CheckId(m.pad_id, n, "padding"));
  for (int32_t id : m.eog_ids) HFD_RETURN_IF_ERROR(CheckId(id, n, "end-of-generation"));
  std::erase(m.eog_ids, -1);
  std::sort(m.eog_ids.begin(), m.eog_ids.end());
  m.eog_ids.erase(std::unique(m.eog_ids.begin(), m.eog_ids.end()), m.eog_ids.end());
  if (m.prefix_ids.empty() && m.bos_id >= 0) m.prefix_ids.push_back(m.bos_id);
  if (m.suffix_ids.empty() && m.eos_id >= 0) m.suffix_ids.push_back(m.eos_id);
  for (int32_t id : m.prefix_ids) HFD_RETURN_IF_ERROR(CheckId(id, n, "post-processor"));
  for (int32_t id : m.suffix_ids) HFD_RETURN_IF_ERROR(CheckId(id, n, "post-processor"));
  if (m.pair_template) {
    for (const TemplatePiece& piece : *m.pair_template) {
      for (int32_t id : piece.ids) HFD_RETURN_IF_ERROR(CheckId(id, n, "post-processor"));
    }
  }
  if (m.add_bos && m.prefix_ids.empty()) m.add_bos = false;
  if (m.add_eos && m.suffix_ids.empty()) m.add_eos = false;

  m.pieces.resize(n);
  for (size_t id = 0; id < n; ++id) m.pieces[id] = PieceOf(m, static_cast<int32_t>(id));
  m.is_special.assign(n, 0);
  const bool spaced_words = m.kind == ModelKind::kWordPiece || m.kind == ModelKind::kWordLevel;
  for (const AddedToken& t : m.added) {
    // Word models join every token with a space, added ones included.
    m.pieces[t.id] = spaced_words ? " " + t.content : t.content;
    m.is_special[t.id] = t.special ? 1 : 0;
  }

  if (m.kind == ModelKind::kWordPiece || m.kind == ModelKind::kWordLevel) {
    if (m.unk_id < 0) {
      return Corrupt(
          "a WordPiece or WordLevel model needs its unknown token (unk_token, "
          "e.g. [UNK]) in the vocabulary for words it cannot split");
    }
    m.strip_decoded_space = true;
    for (const std::string& t : m.vocab) {
      m.wordpiece.max_token_bytes = std::max(m.wordpiece.max_token_bytes, t.size());
    }
  }
  m.byte_ids.fill(-1);
  m.ascii_ids.fill(-1);
  if (UsesSpaceMarks(m.kind)) {
    for (size_t id = 0; id < n; ++id) {
      if (!m.is_byte_token[id]) continue;
      if (auto byte = ParseByteToken(m.vocab[id])) m.byte_ids[*byte] = static_cast<int32_t>(id);
    }
    for (int c = 0; c < 128; ++c) {
      m.ascii_ids[c] = FindCharSymbol(m, std::string(1, static_cast<char>(c)));
    }
  } else {
    for (int b = 0; b < 256; ++b) {
      m.byte_ids[b] = FindToken(m, ByteLevelChar(static_cast<uint8_t>(b)));
    }
  }
  // Unigram joins adjacent unknown characters into one token: splitting the text is only
  // safe when "▁" itself is a token, so no unknown run crosses a split.
  if (UsesSpaceMarks(m.kind) && m.pre == PreTokenizer::kWhole && !HasInnerSpaceMark(m.vocab) &&
      (m.kind != ModelKind::kUnigram || FindToken(m, kSpaceMark) >= 0)) {
    m.pre = PreTokenizer::kSpaceRuns;
  }
  m.matcher.Build(m.added);
  return Status::Ok();
}

}  // namespace hfd::tok
