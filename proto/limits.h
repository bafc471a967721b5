// Limits on what one peer may send in one message. The decoder enforces them while
// parsing, so an oversized or deeply nested message is refused before it is built.
#pragma once

#include <cstddef>

namespace hfd::proto {

struct Limits {
  std::size_t max_message_bytes = 8u << 20;  // one encoded message
  std::size_t max_depth = 32;                // nesting of arrays and maps
  std::size_t max_string_bytes = 4u << 20;   // one str object
  std::size_t max_binary_bytes = 8u << 20;   // one bin object
  std::size_t max_array_items = 65536;       // one array (msgpack-c allocates this up front)
  std::size_t max_map_entries = 4096;        // one map
};

}  // namespace hfd::proto
