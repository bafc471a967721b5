#include "engine/chat/lexer.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

#include <fmt/format.h>

namespace hfd::chat {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || IsDigit(c); }

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Operators, longest first so that "//" wins over "/".
constexpr std::array<std::string_view, 25> kOperators = {
    "**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<",
    ">",  "=",  "(",  ")",  "[",  "]",  "{", "}", ",", ".", ":", "|"};

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  Result<std::vector<Token>> Run() {
    while (pos_ < src_.size()) {
      size_t tag = FindTag(pos_);
      HFD_RETURN_IF_ERROR(EmitText(pos_, tag));
      if (tag == src_.size()) break;
      HFD_RETURN_IF_ERROR(LexTag(tag));
    }
    tokens_.push_back({Token::Type::kEof, "", PosAt(src_.size())});
    return std::move(tokens_);
  }

 private:
  SourcePos PosAt(size_t offset) {
    // Tokens are produced in order, so the scan usually only moves forward.
    if (offset < line_scan_) {
      line_ = 1;
      line_start_ = 0;
      line_scan_ = 0;
    }
    for (; line_scan_ < offset && line_scan_ < src_.size(); ++line_scan_) {
      if (src_[line_scan_] == '\n') {
        ++line_;
        line_start_ = line_scan_ + 1;
      }
    }
    return {line_, static_cast<int>(offset - line_start_) + 1};
  }

  Status Error(size_t offset, std::string_view what) {
    SourcePos p = PosAt(offset);
    return InvalidArgument(fmt::format("chat template syntax error at line {}, column {}: {}",
                                       p.line, p.column, what));
  }

  size_t FindTag(size_t from) const {
    for (size_t i = from; i + 1 < src_.size(); ++i) {
      if (src_[i] == '{' && (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#')) {
        return i;
      }
    }
    return src_.size();
  }

  // Emits src_[begin, tag) as text after the whitespace rules of the tags around it.
  Status EmitText(size_t begin, size_t tag) {
    std::string_view text = src_.substr(begin, tag - begin);
    if (strip_next_) {
      while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
    } else if (trim_next_newline_) {
      if (text.substr(0, 1) == "\n") {
        text.remove_prefix(1);
      } else if (text.substr(0, 2) == "\r\n") {
        text.remove_prefix(2);
      }
    }
    strip_next_ = false;
    trim_next_newline_ = false;
    if (tag < src_.size()) {
      char kind = src_[tag + 1];
      char modifier = tag + 2 < src_.size() ? src_[tag + 2] : '\0';
      if (modifier == '-') {
        while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
      } else if (kind != '{' && modifier != '+') {
        // lstrip_blocks: drop spaces and tabs between a line start and a block tag.
        size_t keep = text.size();
        while (keep > 0 && (text[keep - 1] == ' ' || text[keep - 1] == '\t')) --keep;
        bool at_line_start =
            keep > 0 ? text[keep - 1] == '\n' : (begin == 0 || src_[begin - 1] == '\n');
        if (at_line_start) text = text.substr(0, keep);
      }
    }
    if (!text.empty()) {
      tokens_.push_back({Token::Type::kText, std::string(text), PosAt(begin)});
    }
    pos_ = tag;
    return Status::Ok();
  }

  Status LexTag(size_t tag) {
    char kind = src_[tag + 1];
    size_t i = tag + 2;
    if (i < src_.size() && (src_[i] == '-' || src_[i] == '+')) ++i;
    if (kind == '#') {
      size_t end = src_.find("#}", i);
      if (end == std::string_view::npos) return Error(tag, "comment '{#' is never closed by '#}'");
      FinishTag(end > i && src_[end - 1] == '-', /*block=*/true, end + 2);
      return Status::Ok();
    }
    bool is_expr = kind == '{';
    tokens_.push_back({is_expr ? Token::Type::kExprOpen : Token::Type::kStmtOpen, "", PosAt(tag)});
    size_t first_code_token = tokens_.size();
    int depth = 0;
    while (true) {
      while (i < src_.size() && IsSpace(src_[i])) ++i;
      if (i >= src_.size()) {
        return Error(tag,
                     is_expr ? "'{{' is never closed by '}}'" : "'{%' is never closed by '%}'");
      }
      std::string_view rest = src_.substr(i);
      bool minus = rest[0] == '-';
      std::string_view close = is_expr ? "}}" : "%}";
      if ((depth == 0 || !is_expr) && (rest.substr(minus ? 1 : 0, 2) == close)) {
        tokens_.push_back(
            {is_expr ? Token::Type::kExprClose : Token::Type::kStmtClose, "", PosAt(i)});
        size_t after = i + (minus ? 3 : 2);
        FinishTag(minus, !is_expr, after);
        if (!is_expr && tokens_.size() == first_code_token + 2 &&
            tokens_[first_code_token].text == "raw" &&
            tokens_[first_code_token].type == Token::Type::kName) {
          return LexRaw(first_code_token);
        }
        return Status::Ok();
      }
      HFD_RETURN_IF_ERROR(LexCodeToken(&i, &depth));
    }
  }

  void FinishTag(bool strip_after, bool block, size_t after) {
    strip_next_ = strip_after;
    trim_next_newline_ = block;
    pos_ = after;
  }

  // {% raw %}...{% endraw %}: the tokens of the raw tag are replaced by the literal text.
  Status LexRaw(size_t raw_name_index) {
    tokens_.resize(raw_name_index - 1);
    size_t search = pos_;
    while (true) {
      size_t open = src_.find("{%", search);
      if (open == std::string_view::npos) return Error(pos_, "'{% raw %}' without '{% endraw %}'");
      size_t j = open + 2;
      bool strip_before = j < src_.size() && src_[j] == '-';
      if (j < src_.size() && (src_[j] == '-' || src_[j] == '+')) ++j;
      while (j < src_.size() && IsSpace(src_[j])) ++j;
      if (src_.substr(j, 6) != "endraw") {
        search = open + 2;
        continue;
      }
      j += 6;
      while (j < src_.size() && IsSpace(src_[j])) ++j;
      bool strip_after = j < src_.size() && src_[j] == '-';
      if (strip_after) ++j;
      if (src_.substr(j, 2) != "%}") {
        search = open + 2;
        continue;
      }
      std::string_view text = src_.substr(pos_, open - pos_);
      if (strip_next_) {
        while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
      } else if (trim_next_newline_ && text.substr(0, 1) == "\n") {
        text.remove_prefix(1);
      }
      if (strip_before) {
        while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
      }
      if (!text.empty()) tokens_.push_back({Token::Type::kText, std::string(text), PosAt(pos_)});
      FinishTag(strip_after, true, j + 2);
      return Status::Ok();
    }
  }

  Status LexCodeToken(size_t* i, int* depth) {
    size_t start = *i;
    char c = src_[start];
    if (IsNameStart(c)) {
      size_t j = start;
      while (j < src_.size() && IsNameChar(src_[j])) ++j;
      tokens_.push_back(
          {Token::Type::kName, std::string(src_.substr(start, j - start)), PosAt(start)});
      *i = j;
      return Status::Ok();
    }
    if (IsDigit(c)) return LexNumber(i);
    if (c == '\'' || c == '"') return LexString(i);
    for (std::string_view op : kOperators) {
      if (src_.substr(start, op.size()) == op) {
        if (op == "{") ++*depth;
        if (op == "}") --*depth;
        tokens_.push_back({Token::Type::kOp, std::string(op), PosAt(start)});
        *i = start + op.size();
        return Status::Ok();
      }
    }
    return Error(start, fmt::format("unexpected character '{}'", c));
  }

  Status LexNumber(size_t* i) {
    size_t j = *i;
    auto digits = [&] {
      while (j < src_.size() && (IsDigit(src_[j]) || src_[j] == '_')) ++j;
    };
    digits();
    bool is_float = false;
    bool after_dot =
        !tokens_.empty() && tokens_.back().type == Token::Type::kOp && tokens_.back().text == ".";
    if (!after_dot && j + 1 < src_.size() && src_[j] == '.' && IsDigit(src_[j + 1])) {
      is_float = true;
      ++j;
      digits();
    }
    if (!after_dot && j < src_.size() && (src_[j] == 'e' || src_[j] == 'E')) {
      size_t k = j + 1;
      if (k < src_.size() && (src_[k] == '+' || src_[k] == '-')) ++k;
      if (k < src_.size() && IsDigit(src_[k])) {
        is_float = true;
        j = k;
        digits();
      }
    }
    std::string text;
    for (size_t k = *i; k < j; ++k) {
      if (src_[k] != '_') text.push_back(src_[k]);
    }
    tokens_.push_back({is_float ? Token::Type::kFloat : Token::Type::kInt, text, PosAt(*i)});
    *i = j;
    return Status::Ok();
  }

  Status LexString(size_t* i) {
    char quote = src_[*i];
    size_t j = *i + 1;
    std::string out;
    while (true) {
      if (j >= src_.size()) return Error(*i, "string literal is never closed");
      char c = src_[j];
      if (c == quote) break;
      if (c != '\\') {
        out.push_back(c);
        ++j;
        continue;
      }
      if (j + 1 >= src_.size()) return Error(*i, "string literal is never closed");
      char e = src_[j + 1];
      j += 2;
      switch (e) {
        case 'n':
          out.push_back('\n');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'v':
          out.push_back('\v');
          break;
        case '0':
          out.push_back('\0');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '\'':
          out.push_back('\'');
          break;
        case '"':
          out.push_back('"');
          break;
        case '\n':
          break;  // line continuation
        case 'x':
        case 'u':
        case 'U': {
          size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          uint32_t cp = 0;
          for (size_t k = 0; k < n; ++k, ++j) {
            if (j >= src_.size() || !std::isxdigit(static_cast<unsigned char>(src_[j]))) {
              return Error(j, fmt::format("bad \\{} escape in string literal", e));
            }
            char h = src_[j];
            cp = cp * 16 + static_cast<uint32_t>(IsDigit(h) ? h - '0' : (h | 0x20) - 'a' + 10);
          }
          AppendUtf8(cp, &out);
          break;
        }
        default:  // Python keeps unknown escapes as written
          out.push_back('\\');
          out.push_back(e);
      }
    }
    tokens_.push_back({Token::Type::kString, std::move(out), PosAt(*i)});
    *i = j + 1;
    return Status::Ok();
  }

  std::string_view src_;
  size_t pos_ = 0;
  bool strip_next_ = false;
  bool trim_next_newline_ = false;
  std::vector<Token> tokens_;
  int line_ = 1;
  size_t line_start_ = 0;
  size_t line_scan_ = 0;
};

}  // namespace

Result<std::vector<Token>> Tokenize(std::string_view source) {
  if (!source.empty() && source.back() == '\n') source.remove_suffix(1);
  return Lexer(source).Run();
}

}  // namespace hfd::chat
