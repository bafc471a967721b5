// hfctl run MODEL [PROMPT]: text completion through the daemon, streamed to stdout as it
// is generated (stdout gets only the completion; progress and statistics go to stderr).
// Without PROMPT: an interactive chat when stdin is a terminal, else the prompt is read
// from stdin. The model is loaded (and pulled) first when it is not resident.
#include <unistd.h>

#include <memory>

#include "ctl/commands/commands.h"
#include "ctl/commands/completion_stream.h"
#include "ctl/commands/hub_access_flags.h"
#include "ctl/commands/interactive_chat.h"
#include "ctl/commands/model_arg.h"
#include "ctl/commands/serving_flags.h"
#include "ctl/commands/stdin_lines.h"
#include "ctl/exit_codes.h"

namespace hfd::ctl {
namespace {

struct RunArgs {
  std::string model;
  std::string prompt;
  LoadFlags load;
  HubAccessFlags hub;
  GenerationFlags generation;
  StreamOptions stream;
};

// A prompt piped in loses the one newline `echo` adds.
std::string PipedPrompt() {
  std::string prompt = ReadAllStdin();
  if (prompt.ends_with('\n')) prompt.pop_back();
  if (prompt.ends_with('\r')) prompt.pop_back();
  return prompt;
}

int RunCompletion(Session& session, const RunArgs& args) {
  Result<std::string> model = OpenModelArgument(session, args.model);
  if (!model.ok()) return kExitModelUnreadable;
  nlohmann::json params{{"model", *model}};
  AddLoadParams(args.load, params);
  if (Status access = AddHubAccessParams(args.hub, params); !access.ok()) {
    session.out().Error(access);
    return kExitUsage;
  }
  if (args.prompt.empty() && ::isatty(STDIN_FILENO)) {
    ChatSetup chat;
    chat.load_params = params;
    AddGenerationParams(args.generation, /*with_raw=*/false, params);
    chat.request_params = params;
    chat.stream = args.stream;
    return RunInteractiveChat(session, chat);
  }
  params["prompt"] = args.prompt.empty() ? PipedPrompt() : args.prompt;
  if (params["prompt"].get_ref<const std::string&>().empty()) {
    session.out().Error(InvalidArgument("no prompt: give PROMPT, or pipe it on stdin"));
    return kExitUsage;
  }
  AddGenerationParams(args.generation, /*with_raw=*/true, params);
  Result<nlohmann::json> result = StreamCompletion(session, "generate", params, args.stream);
  return result.ok() ? kExitOk : session.ExitCode();
}

}  // namespace

void AddRunCommand(CLI::App& app, CommandRun& selected) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* sub = app.add_subcommand("run", "Generate text with a model, or chat with it");
  sub->footer(
      "Examples:\n"
      "  hfctl run Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M \"The capital of France is\"\n"
      "  hfctl run ./model.gguf \"Once upon a time\" -n 64 --temperature 0 --stop \"The End\"\n"
      "  echo \"Once upon a time\" | hfctl run ./model.gguf > story.txt\n"
      "  hfctl run Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M     (interactive chat)\n"
      "  hfctl --json run ./model.gguf \"Hi\"   (one JSON line per token, then the result)\n"
      "A Hub id that is not cached is pulled and loaded first. In the chat: /bye or Ctrl-D\n"
      "quits, Ctrl-C stops the current answer, /clear forgets the conversation.");
  sub->add_option("model", args->model, "a .gguf file, a model directory or org/name[@rev][:QUANT]")
      ->required();
  sub->add_option("prompt", args->prompt,
                  "the text to continue (none: chat on a terminal, else read from stdin)");
  AddLoadFlags(*sub, args->load, /*queue_flags=*/false);
  AddHubAccessFlags(*sub, args->hub);
  AddGenerationFlags(*sub, args->generation, /*raw_flag=*/true);
  sub->add_flag("-q,--quiet", args->stream.quiet, "No progress and no statistics on stderr");
  AddShowThinkingFlag(*sub, args->stream);
  sub->callback(
      [&selected, args] { selected = [args](Session& s) { return RunCompletion(s, *args); }; });
}

}  // namespace hfd::ctl
