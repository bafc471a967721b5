// hfctl ls: the models in the daemon's Hub cache.
#include <ctime>

#include <fmt/format.h>

#include "ctl/commands/commands.h"
#include "ctl/commands/pull_progress.h"

namespace hfd::ctl {
namespace {

std::string LastUsed(int64_t unix_seconds) {
  if (unix_seconds <= 0) return "-";
  return HumanDuration(static_cast<double>(std::time(nullptr) - unix_seconds)) + " ago";
}

std::string Join(const nlohmann::json& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i.get<std::string>();
  return out.empty() ? "-" : out;
}

void PrintList(const nlohmann::json& r, const Output& out) {
  std::vector<std::vector<std::string>> rows{
      {"MODEL", "REVISION", "COMMIT", "SIZE", "FILES", "LAST USED"}};
  for (const auto& m : r.value("models", nlohmann::json::array())) {
    for (const auto& rev : m.value("revisions", nlohmann::json::array())) {
      rows.push_back({m.value("id", ""), Join(rev.value("refs", nlohmann::json::array())),
                      rev.value("commit", "").substr(0, 12), HumanBytes(rev.value("size", 0.0)),
                      std::to_string(rev.value("files", 0)), LastUsed(rev.value("last_used", 0))});
    }
  }
  if (rows.size() == 1) {
    out.Line("no models in " + r.value("cache_dir", std::string("the cache")));
    return;
  }
  out.Columns(rows);
}

}  // namespace

void AddLsCommand(CLI::App& app, CommandRun& selected) {
  app.add_subcommand("ls", "List the models in the daemon's Hub cache")->callback([&selected] {
    selected = [](Session& s) { return CallAndPrint(s, "list", {}, PrintList); };
  });
}

}  // namespace hfd::ctl
