// hfctl pulls: the daemon's running and recently finished pulls (e.g. after pull --detach).
#include <fmt/format.h>

#include "ctl/commands/commands.h"
#include "ctl/commands/pull_progress.h"

namespace hfd::ctl {
namespace {

std::string ProgressCell(const nlohmann::json& p) {
  const double total = p.value("total", 0.0);
  if (total <= 0) return p.value("phase", std::string("-"));
  const double bytes = p.value("bytes", 0.0);
  return fmt::format("{} / {} ({:.0f}%)", HumanBytes(bytes), HumanBytes(total),
                     100.0 * bytes / total);
}

// "2", "1 + detached": who the pull goes on for.
std::string ClientsCell(const nlohmann::json& pull) {
  const std::string clients = std::to_string(pull.value("clients", 0));
  return pull.value("detached", false) ? clients + " + detached" : clients;
}

void PrintPulls(const nlohmann::json& r, const Output& out) {
  const nlohmann::json pulls = r.value("pulls", nlohmann::json::array());
  if (pulls.empty()) {
    out.Line("no pulls since the daemon started");
    return;
  }
  std::vector<std::vector<std::string>> rows{
      {"ID", "MODEL", "STATE", "PROGRESS", "RATE", "CLIENTS"}};
  std::vector<std::string> errors;
  for (const auto& pull : pulls) {
    const nlohmann::json p = pull.value("progress", nlohmann::json::object());
    const std::string state = pull.value("state", "");
    const bool running = state == "running";
    rows.push_back({std::to_string(pull.value("id", 0)), pull.value("model", ""), state,
                    ProgressCell(p),
                    running ? HumanBytes(p.value("bytes_per_second", 0.0)) + "/s" : "-",
                    running ? ClientsCell(pull) : "-"});
    if (pull.contains("error")) {
      errors.push_back(
          fmt::format("pull {}: {}", pull.value("id", 0), pull["error"].value("message", "")));
    }
  }
  out.Columns(rows);
  for (const std::string& e : errors) out.Line(e);
}

}  // namespace

void AddPullsCommand(CLI::App& app, CommandRun& selected) {
  app.add_subcommand("pulls", "Show the daemon's running and recent pulls")->callback([&selected] {
    selected = [](Session& s) { return CallAndPrint(s, "pulls", {}, PrintPulls); };
  });
}

}  // namespace hfd::ctl
