#include "daemon/sd_notifier.h"

#include <systemd/sd-daemon.h>

namespace hfd::daemon::sd {

void Ready(const std::string& status) { sd_notifyf(0, "READY=1\nSTATUS=%s", status.c_str()); }

void SetStatus(const std::string& status) { sd_notifyf(0, "STATUS=%s", status.c_str()); }

void Stopping() { sd_notify(0, "STOPPING=1\nSTATUS=Shutting down"); }

void WatchdogPing() { sd_notify(0, "WATCHDOG=1"); }

std::optional<std::chrono::milliseconds> WatchdogPingInterval() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::milliseconds(std::max<std::uint64_t>(usec / 2000, 1));
}

}  // namespace hfd::daemon::sd
