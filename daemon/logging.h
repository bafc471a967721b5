// Logging setup: spdlog's default logger writes to the journal when hfd runs under
// systemd (or when asked), else to stderr.
#pragma once

#include <string>

#include "hfd/status.h"

namespace hfd::daemon {

// True when stderr is connected to the journal ($JOURNAL_STREAM matches it) or the
// process was started by a systemd unit ($INVOCATION_ID).
bool RunningUnderSystemd();

// Installs the default logger. `target`: auto, journal or stderr; `level`: trace, debug,
// info, warn, error, critical or off. Call once, before starting threads.
Status SetUpLogging(const std::string& target, const std::string& level);

}  // namespace hfd::daemon
