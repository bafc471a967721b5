// hfctl ls: the models in the daemon's Hub cache, one row per revision, or per quant of a
// revision holding GGUF models (`org/name:Q4_K_M`), since each quant is a model to run.
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
    const std::string id = m.value("id", "");
    for (const auto& rev : m.value("revisions", nlohmann::json::array())) {
      const auto row = [&](const std::string& name, double size, size_t files) {
        rows.push_back({name, Join(rev.value("refs", nlohmann::json::array())),
                        rev.value("commit", "").substr(0, 12), HumanBytes(size),
                        std::to_string(files), LastUsed(rev.value("last_used", 0))});
      };
      const nlohmann::json quants = rev.value("quants", nlohmann::json::array());
      if (quants.empty()) row(id, rev.value("size", 0.0), rev.value("files", 0));
      for (const auto& q : quants) {
        const nlohmann::json files = q.value("files", nlohmann::json::array());
        const std::string quant = q.value("quant", "");
        const std::string file = files.empty() ? "" : files.front().get<std::string>();
        row(quant.empty() ? fmt::format("{} ({})", id, file) : fmt::format("{}:{}", id, quant),
            q.value("size", 0.0), files.size());
      }
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
