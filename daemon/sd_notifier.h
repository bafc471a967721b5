// Messages to the service manager (sd_notify); no-ops when not run by systemd.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace hfd::daemon::sd {

void Ready(const std::string& status);
void SetStatus(const std::string& status);
void Stopping();
void WatchdogPing();

// Half the watchdog interval systemd asked for ($WATCHDOG_USEC for this pid), or nullopt.
std::optional<std::chrono::milliseconds> WatchdogPingInterval();

}  // namespace hfd::daemon::sd
