// hfctl history [--limit N] [--name NAME] [--full]: recent spans, newest first. The text
// table keeps each span on one line: long text attributes (a generation's captured
// output) are cut to their first line and kShortText characters, unless --full; --json
// always gives everything.
#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include "ctl/commands/commands.h"
#include "proto/json_msgpack.h"

namespace hfd::ctl {
namespace {

constexpr std::size_t kShortText = 60;

struct HistoryOptions {
  std::uint64_t limit = 20;
  std::string name;
  bool full = false;
};

// `text` up to its first line break and kShortText bytes (never inside a UTF-8
// character), with "…" when anything was left out.
std::string ShortText(const std::string& text) {
  std::size_t end = std::min({text.find_first_of("\r\n"), text.size(), kShortText});
  while (end < text.size() && end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    --end;  // back to the start of the character that would be cut
  }
  return end == text.size() ? text : text.substr(0, end) + "…";
}

nlohmann::json ShortAttributes(nlohmann::json attributes) {
  for (nlohmann::json& value : attributes) {
    if (value.is_string()) value = ShortText(value.get<std::string>());
  }
  return attributes;
}

void PrintHistory(const nlohmann::json& r, const Output& out, bool full) {
  std::vector<std::vector<std::string>> rows{{"START", "DURATION", "NAME", "ATTRIBUTES"}};
  for (const auto& span : r.value("spans", nlohmann::json::array())) {
    const nlohmann::json attributes = span.value("attributes", nlohmann::json::object());
    rows.push_back(
        {span.value("start", ""), fmt::format("{:.3f} ms", span.value("duration_ms", 0.0)),
         span.value("name", ""), proto::DumpJson(full ? attributes : ShortAttributes(attributes))});
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
  sub->add_flag("--full", options->full, "Show long attributes whole (a generation's output)");
  sub->callback([&selected, options] {
    selected = [options](Session& s) {
      nlohmann::json params{{"limit", options->limit}};
      if (!options->name.empty()) params["name"] = options->name;
      return CallAndPrint(s, "history", params,
                          [options](const nlohmann::json& r, const Output& out) {
                            PrintHistory(r, out, options->full);
                          });
    };
  });
}

}  // namespace hfd::ctl
