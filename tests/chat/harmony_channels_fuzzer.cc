// Fuzzes the harmony channel splitter on arbitrary generations: each input byte is a token,
// the marker ids among them, the others text pieces of that byte. Whatever the order, every
// text byte ends up in the answer, the thinking or nowhere (headers and channel names), and
// nothing crashes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "engine/chat/harmony_channels.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const hfd::chat::HarmonyTokens markers{1, 2, 3, 4};  // start, channel, message, end
  hfd::chat::HarmonyChannels channels(markers);
  size_t text_bytes = 0, out_bytes = 0;
  for (size_t i = 0; i < size; ++i) {
    const int32_t token = data[i] < 8 ? data[i] : 100 + data[i];
    const std::string text = token >= 100 ? std::string(1, static_cast<char>(data[i])) : "";
    text_bytes += text.size();
    const hfd::chat::HarmonyChannels::Split s = channels.Push(token, text);
    out_bytes += s.answer.size() + s.thinking.size();
  }
  if (out_bytes > text_bytes) std::abort();
  return 0;
}
