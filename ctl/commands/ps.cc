// hfctl ps: the models resident in the daemon, with their backend, memory, context,
// load (running/queued requests), idle time, expiry and requests served.
#include <fmt/format.h>

#include "ctl/commands/commands.h"
#include "ctl/commands/pull_progress.h"
#include "ctl/commands/resident_format.h"

namespace hfd::ctl {
namespace {

void PrintResident(const nlohmann::json& r, const Output& out) {
  const std::string budget =
      fmt::format("memory: {} used of a {} budget", HumanBytes(r.value("memory_used_bytes", 0.0)),
                  HumanBytes(r.value("memory_budget_bytes", 0.0)));
  const nlohmann::json models = r.value("models", nlohmann::json::array());
  if (models.empty()) {
    out.Line("no models loaded (" + budget + ")");
    return;
  }
  std::vector<std::vector<std::string>> rows{ResidentHeader()};
  for (const auto& entry : models) rows.push_back(ResidentRow(entry));
  out.Columns(rows);
  out.Line(budget);
}

}  // namespace

void AddPsCommand(CLI::App& app, CommandRun& selected) {
  app.add_subcommand("ps", "List the models loaded in the daemon")->callback([&selected] {
    selected = [](Session& s) { return CallAndPrint(s, "ps", {}, PrintResident); };
  });
}

}  // namespace hfd::ctl
