// hfctl health: a liveness probe (recorded as a `health` span).
#include <fmt/format.h>

#include "ctl/commands/commands.h"

namespace hfd::ctl {

void AddHealthCommand(CLI::App& app, CommandRun& selected) {
  app.add_subcommand("health", "Check that the daemon answers")->callback([&selected] {
    selected = [](Session& s) {
      return CallAndPrint(s, "health", {}, [](const nlohmann::json& r, const Output& out) {
        out.Line(fmt::format("{} (up {})", r.value("status", "?"),
                             HumanDuration(r.value("uptime_seconds", 0.0))));
      });
    };
  });
}

}  // namespace hfd::ctl
