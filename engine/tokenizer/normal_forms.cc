#include "engine/tokenizer/normal_forms.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>

#include "engine/tokenizer/unicode.h"

namespace hfd::tok {
namespace {

utf8proc_option_t OptionsOf(NormalForm form) {
  int options = UTF8PROC_STABLE;
  switch (form) {
    case NormalForm::kNfc:
      options |= UTF8PROC_COMPOSE;
      break;
    case NormalForm::kNfd:
      options |= UTF8PROC_DECOMPOSE;
      break;
    case NormalForm::kNfkc:
      options |= UTF8PROC_COMPOSE | UTF8PROC_COMPAT;
      break;
    case NormalForm::kNfkd:
      options |= UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT;
      break;
  }
  return static_cast<utf8proc_option_t>(options);
}

void AppendMapped(std::string_view valid, utf8proc_option_t options, std::string& out) {
  utf8proc_uint8_t* mapped = nullptr;
  const utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(valid.data()),
                   static_cast<utf8proc_ssize_t>(valid.size()), &mapped, options);
  if (n < 0) {
    out.append(valid);  // utf8proc accepts all valid UTF-8; kept for safety
  } else {
    out.append(reinterpret_cast<const char*>(mapped), static_cast<size_t>(n));
  }
  std::free(mapped);
}

}  // namespace

bool NeedsNfc(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<uint8_t>(c) >= 0xCC; });
}

void ToNormalForm(std::string_view text, NormalForm form, std::string& out) {
  out.clear();
  if (std::all_of(text.begin(), text.end(), [](char c) { return (c & 0x80) == 0; })) {
    out.assign(text);  // every form leaves ASCII as it is
    return;
  }
  // utf8proc refuses a whole string for one bad byte: map run by run of valid UTF-8.
  const utf8proc_option_t options = OptionsOf(form);
  size_t run = 0;
  for (size_t pos = 0; pos < text.size();) {
    const DecodedChar c = DecodeUtf8(text, pos);
    if (c.cp == kInvalidCodePoint) {
      if (pos > run) AppendMapped(text.substr(run, pos - run), options, out);
      out.push_back(text[pos]);
      run = pos + 1;
    }
    pos += c.len;
  }
  if (text.size() > run) AppendMapped(text.substr(run), options, out);
}

}  // namespace hfd::tok
