// A bounds-checked little-endian cursor over a byte range; every read checks what is left
// before touching memory, so lying lengths in a file become errors, not overruns.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "hfd/status.h"

namespace hfd {

class ByteReader {
 public:
  ByteReader(const uint8_t* data, uint64_t size) : data_(data), size_(size) {}

  uint64_t position() const { return pos_; }
  uint64_t remaining() const { return size_ - pos_; }

  template <typename T>
  Result<T> Read() {
    if (remaining() < sizeof(T)) return Truncated(sizeof(T));
    T v;
    std::memcpy(&v, data_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }

  // A view of the next `n` bytes (valid as long as the underlying data).
  Result<std::string_view> ReadBytes(uint64_t n);

  // A GGUF string: u64 length, then that many bytes.
  Result<std::string_view> ReadString();

  Status Skip(uint64_t n);

 private:
  Status Truncated(uint64_t wanted) const;

  const uint8_t* data_;
  uint64_t size_;
  uint64_t pos_ = 0;
};

}  // namespace hfd
