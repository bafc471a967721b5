#include "http/connection_caps.h"

#include <string>

namespace hfd::http {

ConnectionCaps::ConnectionCaps(std::uint32_t total, std::uint32_t per_level)
    : total_(total), per_level_(per_level) {}

Status ConnectionCaps::Admit(serve::Rights level) {
  std::lock_guard lock(mu_);
  auto& count = by_level_[static_cast<int>(level)];
  if (open_ >= total_) {
    return Busy("too many HTTP connections (" + std::to_string(total_) + "; http.max_connections)");
  }
  if (level != serve::Rights::kManage && count >= per_level_) {
    return Busy("too many HTTP connections at level '" + std::string(serve::RightsName(level)) +
                "' (" + std::to_string(per_level_) + "; http.max_connections_per_level)");
  }
  ++open_;
  ++count;
  return Status::Ok();
}

void ConnectionCaps::Release(serve::Rights level) {
  std::lock_guard lock(mu_);
  --open_;
  --by_level_[static_cast<int>(level)];
}

std::uint32_t ConnectionCaps::open() const {
  std::lock_guard lock(mu_);
  return open_;
}

}  // namespace hfd::http
