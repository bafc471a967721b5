#include "engine/tokenizer/regex_splitter.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <utility>

#include "engine/tokenizer/unicode.h"

namespace hfd::tok {

// A gap or a match within a piece (before a split's behaviour applies).
struct Span {
  TextRange range;
  bool is_match;
};

namespace {

// Backtracking steps one match may take. The tokenizers' regexes need a few per
// character; a pattern that backtracks exponentially reaches this in well under a second.
constexpr uint32_t kMatchLimit = 10'000'000;
// Heap the interpreter (no JIT) may use for backtracking, in KiB.
constexpr uint32_t kHeapLimitKib = 64 * 1024;
constexpr size_t kJitStackMin = size_t{32} * 1024;
constexpr size_t kJitStackMax = size_t{1024} * 1024;

std::string Pcre2Message(int code) {
  PCRE2_UCHAR buffer[256];
  if (pcre2_get_error_message(code, buffer, sizeof(buffer)) < 0) {
    return "PCRE2 error " + std::to_string(code);
  }
  return reinterpret_cast<const char*>(buffer);
}

}  // namespace

// Owns the compiled pattern (and its JIT code).
struct CompiledRegex::Code {
  pcre2_code* code = nullptr;
  Code() = default;
  Code(const Code&) = delete;
  Code& operator=(const Code&) = delete;
  ~Code() { pcre2_code_free(code); }
};

struct RegexScratch::State {
  std::vector<TextRange> matches;  // SplitByRegex's working lists, reused across pieces
  std::vector<Span> spans;
  pcre2_match_data* data = nullptr;
  pcre2_match_context* context = nullptr;
  pcre2_jit_stack* jit_stack = nullptr;
  State() = default;
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() {
    pcre2_match_data_free(data);
    pcre2_match_context_free(context);
    pcre2_jit_stack_free(jit_stack);
  }
};

RegexScratch::RegexScratch() = default;
RegexScratch::~RegexScratch() = default;

Status RegexScratch::Init() {
  auto state = std::make_unique<State>();
  state->context = pcre2_match_context_create(nullptr);
  state->jit_stack = pcre2_jit_stack_create(kJitStackMin, kJitStackMax, nullptr);
  state->data = pcre2_match_data_create(1, nullptr);
  if (state->context == nullptr || state->jit_stack == nullptr || state->data == nullptr) {
    return OutOfMemory("cannot allocate PCRE2 match state");
  }
  pcre2_set_match_limit(state->context, kMatchLimit);
  pcre2_set_heap_limit(state->context, kHeapLimitKib);
  pcre2_jit_stack_assign(state->context, nullptr, state->jit_stack);
  state_ = std::move(state);
  return Status::Ok();
}

CompiledRegex::CompiledRegex(std::string pattern, std::unique_ptr<Code> code)
    : pattern_(std::move(pattern)), code_(std::move(code)) {}
CompiledRegex::~CompiledRegex() = default;

Result<std::shared_ptr<const CompiledRegex>> CompiledRegex::Compile(std::string_view pattern) {
  // MATCH_INVALID_UTF: text may hold any bytes (a prompt is not validated); invalid
  // sequences then never match instead of making every match fail. DOLLAR_ENDONLY: `$`
  // means the end of the piece, as in llama.cpp's std::regex, not "before a final \n".
  const uint32_t options = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY;
  int error = 0;
  PCRE2_SIZE offset = 0;
  auto code = std::make_unique<Code>();
  code->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options,
                             &error, &offset, nullptr);
  if (code->code == nullptr) {
    return InvalidArgument("pre-tokenizer regex '" + std::string(pattern) + "' does not compile: " +
                           Pcre2Message(error) + " at offset " + std::to_string(offset));
  }
  // JIT is an optimisation: where it is unavailable the interpreter gives the same matches.
  (void)pcre2_jit_compile(code->code, PCRE2_JIT_COMPLETE);
  return std::shared_ptr<const CompiledRegex>(
      new CompiledRegex(std::string(pattern), std::move(code)));
}

Status CompiledRegex::FindAll(std::string_view text, RegexScratch& scratch,
                              std::vector<TextRange>& out) const {
  if (scratch.state_ == nullptr) HFD_RETURN_IF_ERROR(scratch.Init());
  RegexScratch::State* state = scratch.state_.get();
  const auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t pos = 0;
  uint32_t flags = 0;
  while (pos <= text.size()) {
    const int rc =
        pcre2_match(code_->code, subject, text.size(), pos, flags, state->data, state->context);
    if (rc == PCRE2_ERROR_NOMATCH) {
      // After an empty match, the retry for a non-empty one at the same place failed:
      // step over one character, as Perl and std::regex_iterator do.
      if (flags == 0 || pos >= text.size()) break;
      pos += DecodeUtf8(text, pos).len;
      flags = 0;
      continue;
    }
    if (rc < 0) {  // rc == 0 only says that groups beyond the whole match were not stored
      return InvalidArgument("pre-tokenizer regex '" + pattern_ + "' failed at byte " +
                             std::to_string(pos) + ": " + Pcre2Message(rc) +
                             " (the pattern backtracks too much for this text)");
    }
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(state->data);
    const size_t begin = ovector[0];
    const size_t end = ovector[1];
    if (end < begin || end > text.size()) {
      return InvalidArgument("pre-tokenizer regex '" + pattern_ +
                             "' gives a match that ends before it starts (\\K in a lookaround)");
    }
    out.push_back({begin, end});
    pos = end;
    flags = begin == end ? PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED : 0;
  }
  return Status::Ok();
}

namespace {

// The piece as alternating gaps and matches, with HF tokenizers' behaviours applied.
void ApplyBehavior(SplitBehavior behavior, const std::vector<Span>& spans,
                   std::vector<TextRange>& out) {
  const size_t first = out.size();
  auto extend_last = [&](const TextRange& r) {
    if (out.size() > first) {
      out.back().end = r.end;
    } else {
      out.push_back(r);
    }
  };
  bool previous_match = false;
  switch (behavior) {
    case SplitBehavior::kIsolated:
      for (const Span& s : spans) out.push_back(s.range);
      break;
    case SplitBehavior::kRemoved:
      for (const Span& s : spans) {
        if (!s.is_match) out.push_back(s.range);
      }
      break;
    case SplitBehavior::kMergedWithPrevious:
      for (const Span& s : spans) {
        if (s.is_match && !previous_match) {
          extend_last(s.range);
        } else {
          out.push_back(s.range);
        }
        previous_match = s.is_match;
      }
      break;
    case SplitBehavior::kMergedWithNext:
      // A match starts the piece after it: walk backwards, extending the later piece.
      for (size_t i = spans.size(); i-- > 0;) {
        const Span& s = spans[i];
        if (s.is_match && !previous_match && out.size() > first) {
          out.back().begin = s.range.begin;
        } else {
          out.push_back(s.range);
        }
        previous_match = s.is_match;
      }
      std::reverse(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
      break;
    case SplitBehavior::kContiguous:
      for (const Span& s : spans) {
        if (s.is_match && previous_match) {
          extend_last(s.range);
        } else {
          out.push_back(s.range);
        }
        previous_match = s.is_match;
      }
      break;
  }
  // Empty pieces (from empty matches) carry no text; Hugging Face drops them too.
  out.erase(std::remove_if(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
                           [](const TextRange& r) { return r.begin == r.end; }),
            out.end());
}

}  // namespace

Status SplitByRegex(const CompiledRegex& regex, SplitBehavior behavior, bool invert,
                    std::string_view text, TextRange piece, RegexScratch& scratch,
                    std::vector<TextRange>& out) {
  // The piece is the whole subject, so lookarounds and `$` stop at its edges, as in
  // llama.cpp, which runs each regex over each piece of the previous one separately.
  if (scratch.state_ == nullptr) HFD_RETURN_IF_ERROR(scratch.Init());
  RegexScratch::State& state = *scratch.state_;
  std::vector<TextRange>& matches = state.matches;
  matches.clear();
  const std::string_view subject = text.substr(piece.begin, piece.end - piece.begin);
  HFD_RETURN_IF_ERROR(regex.FindAll(subject, scratch, matches));
  std::vector<Span>& spans = state.spans;
  spans.clear();
  size_t gap_begin = 0;
  for (const TextRange& m : matches) {
    if (m.begin > gap_begin) {
      spans.push_back({{piece.begin + gap_begin, piece.begin + m.begin}, invert});
    }
    spans.push_back({{piece.begin + m.begin, piece.begin + m.end}, !invert});
    gap_begin = m.end;
  }
  if (gap_begin < subject.size()) {
    spans.push_back({{piece.begin + gap_begin, piece.end}, invert});
  }
  ApplyBehavior(behavior, spans, out);
  return Status::Ok();
}

}  // namespace hfd::tok
