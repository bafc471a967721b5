// hfctl tokenize MODEL TEXT: the token ids the model's tokenizer gives for TEXT (BOS/EOS
// added as the tokenizer's configuration asks, unless --no-special).
#include <memory>
#include <string>

#include "ctl/commands/commands.h"
#include "ctl/commands/model_arg.h"
#include "ctl/exit_codes.h"
#include "proto/json_msgpack.h"

namespace hfd::ctl {
namespace {

struct TokenizeArgs {
  std::string model;
  std::string text;
  bool no_special = false;
};

std::string JoinIds(const nlohmann::json& ids) {
  std::string line;
  for (const nlohmann::json& id : ids) {
    if (!line.empty()) line += ' ';
    line += proto::DumpJson(id);
  }
  return line;
}

}  // namespace

void AddTokenizeCommand(CLI::App& app, CommandRun& selected) {
  auto args = std::make_shared<TokenizeArgs>();
  CLI::App* sub = app.add_subcommand("tokenize", "Token ids for a text (loads only the tokenizer)");
  sub->add_option("model", args->model, "a .gguf file, a model directory or org/name[@rev]")
      ->required();
  sub->add_option("text", args->text, "the text to tokenize")->required();
  sub->add_flag("--no-special", args->no_special, "don't add the tokenizer's BOS/EOS tokens");
  sub->callback([&selected, args] {
    selected = [args](Session& s) {
      Result<std::string> model = OpenModelArgument(s, args->model);
      if (!model.ok()) return kExitModelUnreadable;
      const nlohmann::json params = {
          {"model", *model}, {"text", args->text}, {"add_special", !args->no_special}};
      return CallAndPrint(s, "tokenize", params, [](const nlohmann::json& r, const Output& out) {
        out.Line(JoinIds(r.value("ids", nlohmann::json::array())));
      });
    };
  });
}

}  // namespace hfd::ctl
