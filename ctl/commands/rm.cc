// hfctl rm MODEL[@revision][:QUANT] [--force]: removes a cached revision, one quant of a
// GGUF repo, or the whole model when neither is given, with the blobs nothing else uses.
// Files of a resident model are removed only with --force, which unloads it first.
#include <memory>

#include <fmt/format.h>

#include "ctl/commands/commands.h"
#include "ctl/commands/pull_progress.h"

namespace hfd::ctl {
namespace {

struct RmArgs {
  std::string model;
  bool force = false;
};

void PrintRemoved(const nlohmann::json& r, const Output& out) {
  for (const auto& name : r.value("unloaded", nlohmann::json::array())) {
    out.Line("unloaded " + name.get<std::string>() + " (it used these files)");
  }
  const auto files = r.value("files", 0);
  out.Line(fmt::format("removed {} ({} file{}, {} freed)", r.value("removed", ""), files,
                       files == 1 ? "" : "s", HumanBytes(r.value("freed_bytes", 0.0))));
}

}  // namespace

void AddRmCommand(CLI::App& app, CommandRun& selected) {
  auto args = std::make_shared<RmArgs>();
  CLI::App* sub =
      app.add_subcommand("rm", "Remove a model, a revision or one quant from the cache");
  sub->add_option("model", args->model, "org/name[@revision][:QUANT]")->required();
  sub->add_flag("--force", args->force,
                "Also when a resident model uses the files: the daemon unloads it first");
  sub->callback([&selected, args] {
    selected = [args](Session& s) {
      nlohmann::json params{{"model", args->model}};
      if (args->force) params["force"] = true;
      return CallAndPrint(s, "rm", params, PrintRemoved);
    };
  });
}

}  // namespace hfd::ctl
