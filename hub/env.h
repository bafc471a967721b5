// Environment variables as an injectable value, so settings and token resolution can be
// tested without touching the process environment.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace hfd::hub {

// A read-only lookup of environment variables. Copyable; the process variant reads getenv
// at each call (callers must not modify the environment concurrently).
class Env {
 public:
  using Lookup = std::function<std::optional<std::string>(const std::string&)>;

  static Env Process();
  static Env FromMap(std::map<std::string, std::string> vars);

  // The variable's value; nullopt when unset. Empty values count as unset.
  std::optional<std::string> Get(const std::string& name) const;

 private:
  explicit Env(Lookup lookup) : lookup_(std::move(lookup)) {}
  Lookup lookup_;
};

}  // namespace hfd::hub
