// What a caller may do: three levels of rights, checked by the serving core so every door
// (the MessagePack socket, the HTTP APIs) applies the same policy. docs/daemon.md,
// "Security model", has the table of operations by level.
#pragma once

#include <sys/types.h>

#include <string_view>

#include "hfd/status.h"

namespace hfd::serve {

// Ordered: each level includes the ones below it.
enum class Rights : int {
  kNone = 0,    // may connect, nothing else
  kRead = 1,    // status, health, ps, metrics, the list of cached models, its own history
  kUse = 2,     // + generate, chat, tokenize on resident or cached models (never pulls)
  kManage = 3,  // + pull, rm, load/unload, per-model settings, everyone's history
};

// Who asks. The door fills it from what it knows of the peer (SO_PEERCRED on a Unix
// socket) and the configured policy.
struct Caller {
  uid_t uid = 0;
  pid_t pid = 0;
  Rights rights = Rights::kNone;
  // Root or the daemon's own user: the daemon may open local paths it names. Everyone
  // else passes descriptors of their files (docs/protocol.md, "Passing local files").
  bool may_open_paths = false;
};

// "none", "read", "use", "manage".
std::string_view RightsName(Rights rights);
// Parses a level name (policy.default_level); InvalidArgument listing the names.
Result<Rights> ParseRights(std::string_view name);

// OK when `have` includes `need`; otherwise PermissionDenied saying that `what` needs the
// `need` level, which level the caller has, and which configuration key grants it.
Status RequireRights(Rights have, Rights need, std::string_view what);

}  // namespace hfd::serve
