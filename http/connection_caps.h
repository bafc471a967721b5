// How many HTTP connections are served, by level: at most `per_level` for each level
// below manage and `total` in all, so that a flood of connections at one level (idle TCP
// clients, a local user at `use`) cannot keep a manager, or another level, out.
// Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>

#include "hfd/status.h"
#include "serve/rights.h"

namespace hfd::http {

class ConnectionCaps {
 public:
  ConnectionCaps(std::uint32_t total, std::uint32_t per_level);

  // Counts a new connection at `level`, or refuses it (Busy, naming the key to raise).
  Status Admit(serve::Rights level);
  // A connection Admit counted has closed.
  void Release(serve::Rights level);
  std::uint32_t open() const;

 private:
  const std::uint32_t total_;
  const std::uint32_t per_level_;
  mutable std::mutex mu_;
  std::uint32_t open_ = 0;                   // GUARDED_BY(mu_)
  std::array<std::uint32_t, 4> by_level_{};  // GUARDED_BY(mu_)
};

}  // namespace hfd::http
