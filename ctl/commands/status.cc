// hfctl status: what the daemon is, how it was started, which backends it has.
#include <fmt/format.h>

#include "ctl/commands/commands.h"

namespace hfd::ctl {
namespace {

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
                            b.value("available", false) ? "available" : "unavailable",
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
             {"hub token", r.value("hub_token", "?")},
             {"your access",
              fmt::format("{} (other users: {}; docs/daemon.md, \"Security model\")",
                          access.value("level", "?"), access.value("default_level", "?"))}});
}

}  // namespace

void AddStatusCommand(CLI::App& app, CommandRun& selected) {
  app.add_subcommand("status", "Show the daemon's version, uptime, socket and backends")
      ->callback([&selected] {
        selected = [](Session& s) { return CallAndPrint(s, "status", {}, PrintStatus); };
      });
}

}  // namespace hfd::ctl
