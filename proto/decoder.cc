#include "proto/decoder.h"

#include <cstring>
#include <exception>
#include <string>

namespace hfd::proto {
namespace {

msgpack::unpack_limit ToUnpackLimit(const Limits& l) {
  return msgpack::unpack_limit(l.max_array_items, l.max_map_entries, l.max_string_bytes,
                               l.max_binary_bytes, /*ext=*/0, l.max_depth);
}

// Copy strings and binaries out of the receive buffer, so the buffer can be reused as
// soon as an object is returned.
bool NeverReference(msgpack::type::object_type, std::size_t, void*) { return false; }

}  // namespace

FrameDecoder::FrameDecoder(const Limits& limits)
    : limits_(limits),
      unpacker_(&NeverReference, nullptr, MSGPACK_UNPACKER_INIT_BUFFER_SIZE,
                ToUnpackLimit(limits)) {}

char* FrameDecoder::WriteBuffer(std::size_t n) {
  unpacker_.reserve_buffer(n);
  return unpacker_.buffer();
}

void FrameDecoder::Commit(std::size_t n) { unpacker_.buffer_consumed(n); }

void FrameDecoder::Feed(const char* data, std::size_t size) {
  if (size == 0) return;
  std::memcpy(WriteBuffer(size), data, size);
  Commit(size);
}

Status FrameDecoder::MessageTooLarge() const {
  return TooLarge("message is larger than the limit of " +
                  std::to_string(limits_.max_message_bytes) + " bytes");
}

Result<std::optional<msgpack::object_handle>> FrameDecoder::Next() {
  if (!failed_.ok()) return failed_;
  msgpack::object_handle handle;
  try {
    // The bytes of the message being assembled plus everything after it; what is left
    // after next() tells how long a completed message was.
    const std::size_t before = unpacker_.message_size();
    if (unpacker_.next(handle)) {
      if (before - unpacker_.nonparsed_size() > limits_.max_message_bytes) {
        failed_ = MessageTooLarge();
        return failed_;
      }
      return std::optional<msgpack::object_handle>(std::move(handle));
    }
  } catch (const msgpack::size_overflow& e) {
    failed_ = TooLarge(std::string("message exceeds a size limit (") + e.what() +
                       "); see the daemon's limits in docs/protocol.md");
    return failed_;
  } catch (const std::bad_alloc&) {
    failed_ = OutOfMemory("not enough memory to decode the message");
    return failed_;
  } catch (const std::exception& e) {
    failed_ =
        InvalidArgument(std::string("the byte stream is not valid MessagePack (") + e.what() + ")");
    return failed_;
  }
  // An incomplete message: its bytes so far, parsed or not.
  if (unpacker_.message_size() > limits_.max_message_bytes) {
    failed_ = MessageTooLarge();
    return failed_;
  }
  return std::optional<msgpack::object_handle>();
}

}  // namespace hfd::proto
