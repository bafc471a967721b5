// hfctl unload MODEL: releases a resident model. Requests running on it or waiting for it
// end with `cancelled` (docs/protocol.md, `unload`).
#include <memory>

#include <fmt/format.h>

#include "ctl/commands/commands.h"
#include "ctl/commands/model_arg.h"

namespace hfd::ctl {

void AddUnloadCommand(CLI::App& app, CommandRun& selected) {
  auto model = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand("unload", "Unload a resident model and free its memory");
  sub->footer(
      "Requests still running on the model are cancelled. Example:\n"
      "  hfctl unload Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M");
  sub->add_option("model", *model, "the model as `hfctl ps` names it, or its path")->required();
  sub->callback([&selected, model] {
    selected = [model](Session& s) {
      return CallAndPrint(
          s, "unload", {{"model", ModelArgument(*model)}},
          [](const nlohmann::json& r, const Output& out) {
            const int cancelled = r.value("cancelled_requests", 0);
            out.Line(fmt::format(
                "unloaded {}{}", r.value("unloaded", ""),
                cancelled > 0 ? " (" + Count(cancelled, "request", "requests") + " cancelled)"
                              : ""));
          });
    };
  });
}

}  // namespace hfd::ctl
