// Incremental SHA-256 through OpenSSL's libcrypto (uses the CPU's SHA extensions).
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace hfd::hub {

// Not thread-safe; one hasher per stream. Move-only.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void Update(const void* data, size_t size);
  // Lower-case hex digest; the hasher is reset afterwards.
  std::string HexDigest();
  void Reset();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Hex SHA-256 of a whole string.
std::string Sha256Hex(std::string_view data);

}  // namespace hfd::hub
