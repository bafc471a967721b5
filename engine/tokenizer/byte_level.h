// GPT-2's reversible byte <-> printable-character map used by byte-level BPE vocabularies
// (GPT-2, Llama 3, Qwen2): every byte is shown as one visible code point, so a space is
// "Ġ" (U+0120) and a newline "Ċ" (U+010A).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hfd::tok {

// The UTF-8 text of the character that stands for byte `b`.
std::string_view ByteLevelChar(uint8_t b);

// Appends the byte-level form of `bytes` to `out`.
void AppendByteLevel(std::string_view bytes, std::string& out);

// Maps a byte-level string back to bytes. Returns false (leaving `out` partly written) if
// it holds a character that stands for no byte.
bool DecodeByteLevel(std::string_view text, std::string& out);

}  // namespace hfd::tok
