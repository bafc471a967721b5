// Per-user caps on concurrent work that costs the whole daemon (pulls, model loads), so
// one user cannot occupy every download or load. Thread-safe.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <map>
#include <mutex>
#include <string>

#include "hfd/status.h"

namespace hfd::serve {

class UserLimits {
 public:
  // Holds one unit of a user's allowance until destroyed. Move-only.
  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

   private:
    friend class UserLimits;
    Lease(UserLimits* owner, uid_t uid) : owner_(owner), uid_(uid) {}
    UserLimits* owner_ = nullptr;
    uid_t uid_ = 0;
  };

  // `what` names the work in errors ("pulls"); `config_key` says how to raise the cap.
  UserLimits(std::size_t per_user, std::string what, std::string config_key)
      : per_user_(per_user), what_(std::move(what)), config_key_(std::move(config_key)) {}

  // A lease, or Busy when `uid` already holds per_user of them.
  Result<Lease> Acquire(uid_t uid);
  std::size_t held(uid_t uid) const;

 private:
  void Release(uid_t uid);

  const std::size_t per_user_;
  const std::string what_;
  const std::string config_key_;
  mutable std::mutex mu_;
  std::map<uid_t, std::size_t> held_;  // guarded by mu_
};

}  // namespace hfd::serve
