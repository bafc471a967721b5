// Incremental decoder for a byte stream of MessagePack objects, enforcing Limits.
// Not thread-safe: one decoder per connection, used by one thread.
#pragma once

#include <cstddef>
#include <optional>

#include <msgpack.hpp>

#include "hfd/status.h"
#include "proto/limits.h"

namespace hfd::proto {

class FrameDecoder {
 public:
  explicit FrameDecoder(const Limits& limits);
  FrameDecoder(const FrameDecoder&) = delete;
  FrameDecoder& operator=(const FrameDecoder&) = delete;

  // Zero-copy input: WriteBuffer(n) returns room for at least n bytes; after writing k
  // of them, call Commit(k). The pointer is valid until the next call on the decoder.
  char* WriteBuffer(std::size_t n);
  void Commit(std::size_t n);
  // Copies `size` bytes in (WriteBuffer + memcpy + Commit).
  void Feed(const char* data, std::size_t size);

  // The next complete object, nullopt when more bytes are needed. An error means the
  // stream cannot be resynchronised (not MessagePack, a limit exceeded, a message longer
  // than max_message_bytes): the caller should report it and close the connection; the
  // decoder then stays failed.
  Result<std::optional<msgpack::object_handle>> Next();

  const Limits& limits() const { return limits_; }
  // Bytes received but not yet returned as an object.
  std::size_t pending_bytes() const { return unpacker_.message_size(); }

 private:
  Status MessageTooLarge() const;

  Limits limits_;
  msgpack::unpacker unpacker_;
  Status failed_;
};

}  // namespace hfd::proto
