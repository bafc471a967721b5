// Unicode Normalization Form C, as HF tokenizers' NFC normalizer applies it (Qwen2).
#pragma once

#include <string>
#include <string_view>

namespace hfd::tok {

// False when `text` certainly is unchanged by NFC (no code point at or above U+0300).
bool NeedsNfc(std::string_view text);

// The NFC form of `text`. Invalid UTF-8 bytes are kept as they are and block composition.
std::string ToNfc(std::string_view text);

}  // namespace hfd::tok
