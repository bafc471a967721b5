// hfctl pull MODEL [--include G]... [--exclude G]... [--force] [--token-file F] [--offline]
// [--detach]: downloads a Hub model into the daemon's cache, showing progress, with the
// caller's token (hub_access_flags.h). A pull of a model being pulled joins it; Ctrl-C
// detaches this client (the pull stops when it was the last; the partial download is kept
// and the next pull resumes it). With --detach the daemon pulls in the background and
// `hfctl pulls` shows how it goes.
#include <memory>

#include <fmt/format.h>

#include "ctl/commands/commands.h"
#include "ctl/commands/hub_access_flags.h"
#include "ctl/commands/pull_progress.h"
#include "ctl/commands/serving_progress.h"
#include "ctl/exit_codes.h"
#include "hub/gguf_files.h"
#include "proto/json_msgpack.h"

namespace hfd::ctl {
namespace {

struct PullArgs {
  std::string model;
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  bool force = false;
  HubAccessFlags hub;
  bool detach = false;
};

void PrintPulled(const nlohmann::json& r, const Output& out) {
  for (const auto& w : r.value("warnings", nlohmann::json::array())) {
    out.Line("warning: " + w.get<std::string>());
  }
  const std::string quant = r.value("quant", "");
  const auto files = static_cast<long long>(r.value("files", nlohmann::json::array()).size());
  out.Line(fmt::format("{} {}@{}{} ({}, {}{})", r.value("from_cache", false) ? "cached" : "pulled",
                       r.value("model", ""), r.value("commit", ""),
                       quant.empty() ? "" : ":" + quant, Count(files, "file", "files"),
                       HumanBytes(r.value("total_bytes", 0.0)),
                       r.value("downloaded_bytes", 0) > 0
                           ? ", " + HumanBytes(r.value("downloaded_bytes", 0.0)) + " downloaded"
                           : ""));
  out.Line(r.value("snapshot_dir", ""));
  if (r.value("quant_picked", false)) {
    out.Line(
        fmt::format("{} holds several GGUF quants; this is {}, the default ({}); pull "
                    "another with {}:QUANT (`hfctl ls` lists those cached)",
                    r.value("model", ""), quant, hub::kDefaultQuantRule, r.value("model", "")));
  }
}

int RunPull(Session& session, const PullArgs& args) {
  nlohmann::json params{{"model", args.model}, {"force", args.force}};
  if (args.detach) params["detach"] = true;
  if (!args.include.empty()) params["include"] = args.include;
  if (!args.exclude.empty()) params["exclude"] = args.exclude;
  if (Status access = AddHubAccessParams(args.hub, params); !access.ok()) {
    session.out().Error(access);
    return kExitUsage;
  }
  ServingProgress progress(session.out().json(), /*quiet=*/false);
  Result<nlohmann::json> result = CallShowingProgress(session, "pull", params, progress);
  if (!result.ok()) return session.ExitCode();
  if (session.out().json()) {
    std::printf("%s\n", proto::DumpJson(nlohmann::json{{"result", *result}}).c_str());
  } else if (args.detach) {
    session.out().Line(fmt::format("{} {} in the background (pull {}); see hfctl pulls",
                                   result->value("joined", false) ? "already pulling" : "pulling",
                                   result->value("model", ""), result->value("pull_id", 0)));
  } else {
    PrintPulled(*result, session.out());
  }
  return kExitOk;
}

}  // namespace

void AddPullCommand(CLI::App& app, CommandRun& selected) {
  auto args = std::make_shared<PullArgs>();
  CLI::App* sub = app.add_subcommand("pull", "Download a model from the Hugging Face Hub");
  sub->add_option("model", args->model, "org/name[@revision][:QUANT]")->required();
  sub->add_option("--include", args->include, "Only files matching this glob (repeatable)");
  sub->add_option("--exclude", args->exclude, "Skip files matching this glob (repeatable)");
  sub->add_flag("--force", args->force,
                "Download even if the model looks unsupported or the disk too full");
  sub->add_flag("--detach", args->detach,
                "Start the pull in the daemon and return; follow it with hfctl pulls");
  AddHubAccessFlags(*sub, args->hub);
  sub->callback([&selected, args] { selected = [args](Session& s) { return RunPull(s, *args); }; });
}

}  // namespace hfd::ctl
