#include "engine/gguf/byte_reader.h"

namespace hfd {

Status ByteReader::Truncated(uint64_t wanted) const {
  return Corrupt("file is truncated or a length is wrong: need " + std::to_string(wanted) +
                 " bytes at offset " + std::to_string(pos_) + " but only " +
                 std::to_string(remaining()) + " remain");
}

Result<std::string_view> ByteReader::ReadBytes(uint64_t n) {
  if (remaining() < n) return Truncated(n);
  std::string_view v(reinterpret_cast<const char*>(data_ + pos_), static_cast<size_t>(n));
  pos_ += n;
  return v;
}

Result<std::string_view> ByteReader::ReadString() {
  HFD_ASSIGN_OR_RETURN(const uint64_t len, Read<uint64_t>());
  return ReadBytes(len);
}

Status ByteReader::Skip(uint64_t n) {
  if (remaining() < n) return Truncated(n);
  pos_ += n;
  return Status::Ok();
}

}  // namespace hfd
