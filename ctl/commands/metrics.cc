// hfctl metrics: the daemon's Prometheus metrics, as text (or {"text": ...} with --json).
#include "ctl/commands/commands.h"

namespace hfd::ctl {

void AddMetricsCommand(CLI::App& app, CommandRun& selected) {
  app.add_subcommand("metrics", "Print the daemon's Prometheus metrics")->callback([&selected] {
    selected = [](Session& s) {
      return CallAndPrint(s, "metrics", {}, [](const nlohmann::json& r, const Output&) {
        std::fputs(r.value("text", "").c_str(), stdout);
      });
    };
  });
}

}  // namespace hfd::ctl
