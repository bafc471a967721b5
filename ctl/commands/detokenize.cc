// hfctl detokenize MODEL ID...: the text for token ids (--json gives it exactly).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ctl/commands/commands.h"
#include "ctl/commands/model_arg.h"
#include "ctl/exit_codes.h"

namespace hfd::ctl {
namespace {

struct DetokenizeArgs {
  std::string model;
  std::vector<int64_t> ids;
  bool skip_special = false;
};

}  // namespace

void AddDetokenizeCommand(CLI::App& app, CommandRun& selected) {
  auto args = std::make_shared<DetokenizeArgs>();
  CLI::App* sub = app.add_subcommand("detokenize", "Text for token ids (loads only the tokenizer)");
  sub->add_option("model", args->model, "a .gguf file, a model directory or org/name[@rev]")
      ->required();
  sub->add_option("ids", args->ids, "token ids")->required();
  sub->add_flag("--skip-special", args->skip_special, "leave special tokens out of the text");
  sub->callback([&selected, args] {
    selected = [args](Session& s) {
      Result<std::string> model = OpenModelArgument(s, args->model);
      if (!model.ok()) return kExitModelUnreadable;
      const nlohmann::json params = {
          {"model", *model}, {"ids", args->ids}, {"skip_special", args->skip_special}};
      return CallAndPrint(s, "detokenize", params, [](const nlohmann::json& r, const Output& out) {
        out.Line(r.value("text", ""));
      });
    };
  });
}

}  // namespace hfd::ctl
