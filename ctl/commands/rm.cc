// hfctl rm MODEL[@revision]: removes a cached revision (and blobs no other revision uses),
// or the whole model when no revision is given.
#include <memory>

#include "ctl/commands/commands.h"

namespace hfd::ctl {

void AddRmCommand(CLI::App& app, CommandRun& selected) {
  auto model = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand("rm", "Remove a model (or one revision) from the cache");
  sub->add_option("model", *model, "org/name[@revision]")->required();
  sub->callback([&selected, model] {
    selected = [model](Session& s) {
      return CallAndPrint(s, "rm", {{"model", *model}},
                          [](const nlohmann::json& r, const Output& out) {
                            out.Line("removed " + r.value("removed", ""));
                          });
    };
  });
}

}  // namespace hfd::ctl
