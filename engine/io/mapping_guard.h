// Keeps a file mapping from crashing the daemon when its file shrinks under it. Model
// weights are read in place from MAP_SHARED mappings; a file truncated while mapped (a
// client truncating a file it passed, a neighbour rewriting a shared cache) makes the next
// read of a page past the new end raise SIGBUS, which would kill every user's requests.
// The guard's SIGBUS handler replaces the whole mapping of such a file with zero pages and
// marks it damaged, so the read goes on (computing nonsense) and the model's owner sees
// the damage and answers with an error instead. A SIGBUS anywhere else keeps its usual
// (fatal) meaning.
//
// Threading: Register/Unregister are thread-safe; the handler reads the table without
// locks (atomics only).
#pragma once

#include <cstddef>
#include <cstdint>

namespace hfd::io {

class MappingGuard {
 public:
  // Watches [begin, begin + size), a mapping of the file named in messages by the
  // caller; returns its slot, or -1 when the table is full (the mapping is then
  // unguarded, as it would be without the guard). Installs the handler on first use.
  static int Register(const void* begin, std::size_t size);
  // Stops watching the slot (before the mapping is unmapped).
  static void Unregister(int slot);
  // True once a read past the end of a truncated file hit the slot's mapping.
  static bool Damaged(int slot);
};

}  // namespace hfd::io
