#include "engine/tokenizer/pre_tokenizer.h"

#include "engine/tokenizer/unicode.h"

namespace hfd::tok {
namespace {

// A cursor over the text that classifies code points; positions are byte offsets.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool AtEnd(size_t pos) const { return pos >= text_.size(); }
  uint32_t CodePoint(size_t pos) const { return DecodeUtf8(text_, pos).cp; }
  size_t Next(size_t pos) const { return pos + DecodeUtf8(text_, pos).len; }

  bool IsLetter(size_t pos) const {
    return !AtEnd(pos) && ClassOf(CodePoint(pos)) == CharClass::kLetter;
  }
  bool IsNumber(size_t pos) const {
    return !AtEnd(pos) && ClassOf(CodePoint(pos)) == CharClass::kNumber;
  }
  bool IsSpace(size_t pos) const { return !AtEnd(pos) && IsWhitespace(CodePoint(pos)); }
  bool IsNewline(size_t pos) const {
    return !AtEnd(pos) && (text_[pos] == '\r' || text_[pos] == '\n');
  }
  // [^\s\p{L}\p{N}]
  bool IsSymbol(size_t pos) const {
    if (AtEnd(pos)) return false;
    const uint32_t cp = CodePoint(pos);
    return !IsWhitespace(cp) && ClassOf(cp) == CharClass::kOther;
  }
  char Byte(size_t pos) const { return AtEnd(pos) ? '\0' : text_[pos]; }

  template <typename Pred>
  size_t SkipWhile(size_t pos, Pred pred) const {
    while (pred(pos)) pos = Next(pos);
    return pos;
  }

 private:
  std::string_view text_;
};

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// 's|'t|'re|'ve|'m|'ll|'d at pos (optionally ignoring ASCII case); 0 when none matches.
size_t ContractionLength(const Scanner& s, size_t pos, bool ignore_case) {
  if (s.Byte(pos) != '\'') return 0;
  auto at = [&](size_t i) { return ignore_case ? Lower(s.Byte(pos + i)) : s.Byte(pos + i); };
  const char a = at(1);
  if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
  const char b = at(2);
  if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
  return 0;
}

// \s+(?!\S) then \s+, given that pos is whitespace: a run of spaces leaves its last one to
// the word that follows, unless the run ends the text.
size_t WhitespaceRunEnd(const Scanner& s, size_t pos) {
  size_t last_start = pos;
  size_t end = pos;
  while (s.IsSpace(end)) {
    last_start = end;
    end = s.Next(end);
  }
  if (s.AtEnd(end) || last_start == pos) return end;
  return last_start;
}

size_t Gpt2WordEnd(const Scanner& s, size_t pos) {
  if (size_t n = ContractionLength(s, pos, false)) return pos + n;
  const size_t body = s.Byte(pos) == ' ' ? pos + 1 : pos;
  auto letter = [&](size_t p) { return s.IsLetter(p); };
  auto number = [&](size_t p) { return s.IsNumber(p); };
  auto symbol = [&](size_t p) { return s.IsSymbol(p); };
  if (s.IsLetter(body)) return s.SkipWhile(body, letter);
  if (s.IsNumber(body)) return s.SkipWhile(body, number);
  if (s.IsSymbol(body)) return s.SkipWhile(body, symbol);
  return WhitespaceRunEnd(s, pos);
}

size_t Llama3WordEnd(const Scanner& s, size_t pos, int max_digits) {
  if (size_t n = ContractionLength(s, pos, true)) return pos + n;
  auto letter = [&](size_t p) { return s.IsLetter(p); };
  // [^\r\n\p{L}\p{N}]?\p{L}+
  if (s.IsLetter(pos)) return s.SkipWhile(pos, letter);
  if (!s.IsNewline(pos) && !s.IsNumber(pos) && s.IsLetter(s.Next(pos))) {
    return s.SkipWhile(s.Next(pos), letter);
  }
  // \p{N}{1,max_digits}
  if (s.IsNumber(pos)) {
    size_t end = pos;
    for (int i = 0; i < max_digits && s.IsNumber(end); ++i) end = s.Next(end);
    return end;
  }
  //  ?[^\s\p{L}\p{N}]+[\r\n]*
  const size_t body = s.Byte(pos) == ' ' ? pos + 1 : pos;
  if (s.IsSymbol(body)) {
    const size_t end = s.SkipWhile(body, [&](size_t p) { return s.IsSymbol(p); });
    return s.SkipWhile(end, [&](size_t p) { return s.IsNewline(p); });
  }
  // \s*[\r\n]+ : up to the last newline of the whitespace run, if it holds one.
  size_t after_newline = pos;
  size_t end = pos;
  while (s.IsSpace(end)) {
    const bool newline = s.IsNewline(end);
    end = s.Next(end);
    if (newline) after_newline = end;
  }
  if (after_newline != pos) return after_newline;
  return WhitespaceRunEnd(s, pos);
}

bool MarkAt(std::string_view text, size_t pos) {
  return text.compare(pos, kSpaceMark.size(), kSpaceMark) == 0;
}

// Words that each start with "▁": the mark is merged with what follows it.
size_t MetaspaceWordEnd(std::string_view text, size_t pos) {
  const size_t from = MarkAt(text, pos) ? pos + kSpaceMark.size() : pos + 1;
  const size_t end = text.find(kSpaceMark, from);
  return end == std::string_view::npos ? text.size() : end;
}

// A run of "▁" and the text up to the next run.
size_t SpaceRunWordEnd(std::string_view text, size_t pos) {
  size_t from = pos;
  while (MarkAt(text, from)) from += kSpaceMark.size();
  if (from == pos) ++from;
  const size_t end = text.find(kSpaceMark, from);
  return end == std::string_view::npos ? text.size() : end;
}

}  // namespace

std::optional<PreTokenizer> PreTokenizerForRegex(std::string_view pattern) {
  if (pattern == kGpt2Regex || pattern == kGpt2LlamaCppRegex) return PreTokenizer::kGpt2;
  if (pattern == kLlama3Regex || pattern == kLlama3LlamaCppRegex) return PreTokenizer::kLlama3;
  if (pattern == kQwen2Regex || pattern == kQwen2LlamaCppRegex) return PreTokenizer::kQwen2;
  return std::nullopt;
}

size_t NextWordEnd(PreTokenizer kind, std::string_view text, size_t pos) {
  const Scanner s(text);
  switch (kind) {
    case PreTokenizer::kWhole:
      return text.size();
    case PreTokenizer::kMetaspaceWords:
      return MetaspaceWordEnd(text, pos);
    case PreTokenizer::kSpaceRuns:
      return SpaceRunWordEnd(text, pos);
    case PreTokenizer::kGpt2:
      return Gpt2WordEnd(s, pos);
    case PreTokenizer::kLlama3:
      return Llama3WordEnd(s, pos, 3);
    case PreTokenizer::kQwen2:
      return Llama3WordEnd(s, pos, 1);
    case PreTokenizer::kPipeline:
      break;
  }
  return text.size();
}

}  // namespace hfd::tok
