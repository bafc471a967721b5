#include "serve/user_limits.h"

#include <utility>

namespace hfd::serve {

UserLimits::Lease::Lease(Lease&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), uid_(other.uid_) {}

UserLimits::Lease& UserLimits::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    if (owner_ != nullptr) owner_->Release(uid_);
    owner_ = std::exchange(other.owner_, nullptr);
    uid_ = other.uid_;
  }
  return *this;
}

UserLimits::Lease::~Lease() {
  if (owner_ != nullptr) owner_->Release(uid_);
}

Result<UserLimits::Lease> UserLimits::Acquire(uid_t uid) {
  std::lock_guard lock(mu_);
  std::size_t& held = held_[uid];
  if (held >= per_user_) {
    return Busy("uid " + std::to_string(uid) + " already has " + std::to_string(held) + " " +
                what_ + " running (the most one user may run at once); wait for one to end " +
                "or cancel it, or ask an administrator to raise " + config_key_);
  }
  ++held;
  return Lease(this, uid);
}

std::size_t UserLimits::held(uid_t uid) const {
  std::lock_guard lock(mu_);
  auto it = held_.find(uid);
  return it == held_.end() ? 0 : it->second;
}

void UserLimits::Release(uid_t uid) {
  std::lock_guard lock(mu_);
  auto it = held_.find(uid);
  if (it != held_.end() && --it->second == 0) held_.erase(it);
}

}  // namespace hfd::serve
