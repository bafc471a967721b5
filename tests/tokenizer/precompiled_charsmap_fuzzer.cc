// libFuzzer target: sentencepiece's precompiled charsmap parser and normalizer on
// arbitrary blobs, and the base64 decoder tokenizer.json's copy goes through. Input: a
// little-endian uint16 blob length, the blob, then the text to normalize (any bytes).
// Parsing may fail; nothing may crash or read outside the blob (run under sanitizers).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "engine/tokenizer/precompiled_charsmap.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t blob_size = std::min<size_t>(data[0] | (data[1] << 8), size - 2);
  const std::span<const uint8_t> blob(data + 2, blob_size);
  const std::string_view text(reinterpret_cast<const char*>(data + 2 + blob_size),
                              size - 2 - blob_size);
  (void)hfd::tok::DecodeBase64(text);
  auto charsmap = hfd::tok::PrecompiledCharsmap::Parse(blob);
  if (!charsmap.ok()) return 0;
  std::string out;
  (*charsmap)->Normalize(text, out);
  return 0;
}
