// hfctl history [--limit N] [--name NAME]: recent spans, newest first.
#include <memory>

#include <fmt/format.h>

#include "ctl/commands/commands.h"
#include "proto/json_msgpack.h"

namespace hfd::ctl {
namespace {

struct HistoryOptions {
  std::uint64_t limit = 20;
  std::string name;
};

void PrintHistory(const nlohmann::json& r, const Output& out) {
  std::vector<std::vector<std::string>> rows{{"START", "DURATION", "NAME", "ATTRIBUTES"}};
  for (const auto& span : r.value("spans", nlohmann::json::array())) {
    rows.push_back({span.value("start", ""),
                    fmt::format("{:.3f} ms", span.value("duration_ms", 0.0)),
                    span.value("name", ""),
                    proto::DumpJson(span.value("attributes", nlohmann::json::object()))});
  }
  if (rows.size() == 1) {
    out.Line("no spans recorded yet");
    return;
  }
  out.Columns(rows);
}

}  // namespace

void AddHistoryCommand(CLI::App& app, CommandRun& selected) {
  auto options = std::make_shared<HistoryOptions>();
  CLI::App* sub = app.add_subcommand("history", "Show recent spans (health probes, generations)");
  sub->add_option("--limit,-n", options->limit, "How many spans to show")->capture_default_str();
  sub->add_option("--name", options->name, "Only spans with this name (e.g. health)");
  sub->callback([&selected, options] {
    selected = [options](Session& s) {
      nlohmann::json params{{"limit", options->limit}};
      if (!options->name.empty()) params["name"] = options->name;
      return CallAndPrint(s, "history", params, PrintHistory);
    };
  });
}

}  // namespace hfd::ctl
