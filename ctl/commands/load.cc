// hfctl load MODEL [--backend B] [--device D] [--ctx N] [--keep-alive S]
//                  [--max-concurrency N] [--max-queue N]
// Makes a model resident in the daemon (pulling it first when it is a Hub id not yet
// cached), showing progress on stderr, and prints where and how it was loaded.
#include <memory>

#include "ctl/commands/commands.h"
#include "ctl/commands/hub_access_flags.h"
#include "ctl/commands/model_arg.h"
#include "ctl/commands/resident_format.h"
#include "ctl/commands/serving_flags.h"
#include "ctl/commands/serving_progress.h"
#include "ctl/exit_codes.h"

namespace hfd::ctl {
namespace {

struct LoadArgs {
  std::string model;
  LoadFlags load;
  HubAccessFlags hub;
};

int RunLoad(Session& session, const LoadArgs& args) {
  Result<std::string> model = OpenModelArgument(session, args.model);
  if (!model.ok()) return kExitModelUnreadable;
  nlohmann::json params{{"model", *model}};
  AddLoadParams(args.load, params);
  if (Status access = AddHubAccessParams(args.hub, params); !access.ok()) {
    session.out().Error(access);
    return kExitUsage;
  }
  ServingProgress progress(session.out().json(), /*quiet=*/false);
  Result<nlohmann::json> result = CallShowingProgress(session, "load", params, progress);
  if (!result.ok()) return session.ExitCode();
  if (session.out().json()) {
    PrintJsonLine({{"result", *result}});
  } else {
    for (const std::string& line : LoadedSummary(*result)) session.out().Line(line);
  }
  return kExitOk;
}

}  // namespace

void AddLoadCommand(CLI::App& app, CommandRun& selected) {
  auto args = std::make_shared<LoadArgs>();
  CLI::App* sub = app.add_subcommand("load", "Load a model into the daemon and keep it resident");
  sub->footer(
      "A Hub id that is not cached yet is pulled first. Examples:\n"
      "  hfctl load Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M\n"
      "  hfctl load ./model.gguf --backend cpu --ctx 4096 --keep-alive -1\n"
      "  hfctl load org/name --max-concurrency 2 --keep-alive 30m");
  sub->add_option("model", args->model, "a .gguf file, a model directory or org/name[@rev][:QUANT]")
      ->required();
  AddLoadFlags(*sub, args->load, /*queue_flags=*/true);
  AddHubAccessFlags(*sub, args->hub);
  sub->callback([&selected, args] { selected = [args](Session& s) { return RunLoad(s, *args); }; });
}

}  // namespace hfd::ctl
