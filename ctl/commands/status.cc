// hfctl status [--wait-probe]: what the daemon is, how it was started, which backends it
// has, which Hub it pulls from into which cache. Right after the daemon starts, its Vulkan
// probe may still run; --wait-probe asks again until it is done (at most kProbeWait).
#include <chrono>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "ctl/commands/commands.h"
#include "ctl/exit_codes.h"

namespace hfd::ctl {
namespace {

constexpr std::chrono::seconds kProbeWait{30};
// What docs/protocol.md promises as a backend's detail while the startup probe runs.
constexpr std::string_view kProbing = "probing Vulkan devices";

bool Probing(const nlohmann::json& status) {
  for (const auto& b : status.value("backends", nlohmann::json::array())) {
    if (b.value("detail", "") == kProbing) return true;
  }
  return false;
}

std::string BackendState(const nlohmann::json& b) {
  if (b.value("detail", "") == kProbing) return "probing";
  return b.value("available", false) ? "available" : "unavailable";
}

std::string HubText(const nlohmann::json& hub) {
  if (hub.contains("error")) return "unusable: " + hub.value("error", "");
  return fmt::format("{} (cache {})", hub.value("endpoint", "?"), hub.value("cache_dir", "?"));
}

// The HTTP door's listeners, and the chat page's address when one is on TCP.
std::pair<std::string, std::string> HttpListeners(const nlohmann::json& listeners) {
  std::string all;
  std::string page = "-";
  for (const auto& l : listeners) {
    const bool tcp = l.value("transport", "") == "tcp";
    if (tcp && page == "-") page = l.value("url", "?");
    all += fmt::format("{}{} ({})", all.empty() ? "" : ", ",
                       tcp ? l.value("url", "?") : "unix:" + l.value("address", "?"),
                       l.value("activation", "?"));
  }
  return {all.empty() ? "off" : all, page};
}

void PrintStatus(const nlohmann::json& r, const Output& out) {
  out.Line(
      fmt::format("hfd {} (protocol {})", r.value("version", "?"), r.value("protocol_version", 0)));
  std::string backends;
  std::string chosen = "-";  // the selected backend's reason, e.g. "auto: ...; using CPU"
  for (const auto& b : r.value("backends", nlohmann::json::array())) {
    if (b.value("selected", false)) chosen = b.value("detail", "");
    backends += fmt::format("{}{} ({}{})", backends.empty() ? "" : ", ", b.value("name", "?"),
                            BackendState(b),
                            b.value("device", "").empty() ? "" : ": " + b.value("device", ""));
  }
  const nlohmann::json access = r.value("access", nlohmann::json::object());
  const auto [http, page] = HttpListeners(r.value("http_listeners", nlohmann::json::array()));
  out.Table({{"pid", std::to_string(r.value("pid", 0))},
             {"uptime", HumanDuration(r.value("uptime_seconds", 0.0))},
             {"socket", fmt::format("{} ({})", r.value("socket", "?"), r.value("activation", "?"))},
             {"connections", std::to_string(r.value("connections", 0))},
             {"HTTP APIs", http},
             {"chat page", page},
             {"backends", backends},
             {"backend choice", chosen},
             {"hub", HubText(r.value("hub", nlohmann::json::object()))},
             {"hub token", r.value("hub_token", "?")},
             {"your access",
              fmt::format("{} (other users: {}; docs/daemon.md, \"Security model\")",
                          access.value("level", "?"), access.value("default_level", "?"))}});
}

int RunStatus(Session& session, bool wait_probe) {
  const auto deadline = std::chrono::steady_clock::now() + kProbeWait;
  Result<nlohmann::json> status = session.Call("status", nlohmann::json::object());
  while (wait_probe && status.ok() && Probing(*status) &&
         std::chrono::steady_clock::now() < deadline && !session.interrupted()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    status = session.Call("status", nlohmann::json::object());
  }
  if (!status.ok()) return session.ExitCode();
  if (session.out().json()) {
    session.out().Json(*status);
  } else {
    PrintStatus(*status, session.out());
  }
  return kExitOk;
}

}  // namespace

void AddStatusCommand(CLI::App& app, CommandRun& selected) {
  auto wait_probe = std::make_shared<bool>(false);
  CLI::App* sub =
      app.add_subcommand("status", "Show the daemon's version, uptime, socket, backends and Hub");
  sub->add_flag("--wait-probe", *wait_probe,
                "Wait (up to 30 s) until the daemon has finished probing its Vulkan devices");
  sub->callback([&selected, wait_probe] {
    selected = [wait_probe](Session& s) { return RunStatus(s, *wait_probe); };
  });
}

}  // namespace hfd::ctl
