// hfctl embed MODEL TEXT...: one vector per TEXT from an embedding model, a line of numbers
// per text (--json: the daemon's whole answer, usage included).
#include <memory>
#include <string>
#include <vector>

#include "ctl/commands/commands.h"
#include "ctl/commands/model_arg.h"
#include "ctl/exit_codes.h"
#include "proto/json_msgpack.h"

namespace hfd::ctl {
namespace {

struct EmbedArgs {
  std::string model;
  std::vector<std::string> texts;
  bool no_truncate = false;
};

std::string JoinNumbers(const nlohmann::json& vector) {
  std::string line;
  for (const nlohmann::json& v : vector) {
    if (!line.empty()) line += ' ';
    line += proto::DumpJson(v);
  }
  return line;
}

}  // namespace

void AddEmbedCommand(CLI::App& app, CommandRun& selected) {
  auto args = std::make_shared<EmbedArgs>();
  CLI::App* sub =
      app.add_subcommand("embed", "Embedding vectors of texts (an embedding model, e.g. BERT)");
  sub->add_option("model", args->model, "a .gguf file, a model directory or org/name[@rev]")
      ->required();
  sub->add_option("text", args->texts, "the texts, computed together in one batch")->required();
  sub->add_flag("--no-truncate", args->no_truncate,
                "refuse a text longer than the model's context instead of cutting it");
  sub->callback([&selected, args] {
    selected = [args](Session& s) {
      Result<std::string> model = OpenModelArgument(s, args->model);
      if (!model.ok()) return kExitModelUnreadable;
      const nlohmann::json params = {
          {"model", *model}, {"input", args->texts}, {"truncate", !args->no_truncate}};
      return CallAndPrint(s, "embed", params, [](const nlohmann::json& r, const Output& out) {
        for (const nlohmann::json& v : r.value("embeddings", nlohmann::json::array())) {
          out.Line(JoinNumbers(v));
        }
      });
    };
  });
}

}  // namespace hfd::ctl
