#include "serve/rights.h"

#include <string>

namespace hfd::serve {
namespace {

constexpr Rights kAll[] = {Rights::kNone, Rights::kRead, Rights::kUse, Rights::kManage};

// Where an administrator grants `level` (hfd.toml, section [policy]).
std::string_view GrantHint(Rights level) {
  if (level == Rights::kManage) {
    return "an administrator grants it with policy.allow_users or policy.allow_groups in "
           "hfd.toml, or by adding the user to the socket's group (policy.allow_socket_group)";
  }
  return "an administrator grants it to every local user with policy.default_level in hfd.toml, "
         "or to this user with policy.allow_users";
}

}  // namespace

std::string_view RightsName(Rights rights) {
  switch (rights) {
    case Rights::kNone:
      return "none";
    case Rights::kRead:
      return "read";
    case Rights::kUse:
      return "use";
    case Rights::kManage:
      return "manage";
  }
  return "none";
}

Result<Rights> ParseRights(std::string_view name) {
  for (Rights r : kAll) {
    if (RightsName(r) == name) return r;
  }
  return InvalidArgument("unknown rights level '" + std::string(name) +
                         "'; use one of: none, read, use, manage");
}

Status RequireRights(Rights have, Rights need, std::string_view what) {
  if (have >= need) return Status::Ok();
  return PermissionDenied(std::string(what) + " needs the '" + std::string(RightsName(need)) +
                          "' level and this caller has '" + std::string(RightsName(have)) + "'; " +
                          std::string(GrantHint(need)));
}

}  // namespace hfd::serve
