// hfctl's exit codes (documented in docs/daemon.md; scripts rely on them).
#pragma once

namespace hfd::ctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitDaemonError = 1;  // the daemon answered with an error
// hfctl could not open a local model's files: a failure like the daemon's "not found".
inline constexpr int kExitModelUnreadable = 1;
// A local file hfctl itself writes or removes (the token file of login/logout) failed.
inline constexpr int kExitLocalError = 1;
inline constexpr int kExitUsage = 2;        // bad command line
inline constexpr int kExitUnreachable = 3;  // no daemon at the socket

}  // namespace hfd::ctl
