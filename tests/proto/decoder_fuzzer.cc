// libFuzzer target: arbitrary bytes, fed in arbitrary chunks, through the frame decoder
// and message validation. Must never crash, leak or hang.
#include <cstddef>
#include <cstdint>

#include "proto/decoder.h"
#include "proto/validate.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  hfd::proto::Limits limits;
  limits.max_message_bytes = 1 << 16;
  limits.max_array_items = 1024;
  limits.max_map_entries = 256;
  limits.max_string_bytes = 1 << 14;
  limits.max_binary_bytes = 1 << 14;
  hfd::proto::FrameDecoder decoder(limits);
  // The first byte picks the chunk size, so splits at every position get explored.
  const std::size_t chunk = size > 0 ? (data[0] % 64) + 1 : 1;
  const char* bytes = reinterpret_cast<const char*>(data);
  for (std::size_t offset = 0; offset < size; offset += chunk) {
    decoder.Feed(bytes + offset, std::min(chunk, size - offset));
    for (;;) {
      auto next = decoder.Next();
      if (!next.ok()) return 0;
      if (!next.value()) break;
      auto message = hfd::proto::ParseMessage(next.value()->get(), limits);
      if (!message.ok()) (void)hfd::proto::PeekMsgid(next.value()->get());
    }
  }
  return 0;
}
