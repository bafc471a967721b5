// hfctl chat MODEL [MESSAGE]: chat through the model's chat template. With MESSAGE, one
// answer is streamed to stdout; without, an interactive conversation (see
// interactive_chat.h). --system and --messages FILE.json start the conversation;
// --show-prompt prints the rendered template instead of generating.
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "ctl/commands/commands.h"
#include "ctl/commands/completion_stream.h"
#include "ctl/commands/hub_access_flags.h"
#include "ctl/commands/interactive_chat.h"
#include "ctl/commands/model_arg.h"
#include "ctl/commands/serving_flags.h"
#include "ctl/exit_codes.h"

namespace hfd::ctl {
namespace {

struct ChatArgs {
  std::string model;
  std::string message;
  std::string system;
  std::string messages_file;
  bool show_prompt = false;
  bool no_generation_prompt = false;
  LoadFlags load;
  HubAccessFlags hub;
  GenerationFlags generation;
  StreamOptions stream;
};

// FILE.json holds a list of {role, content} messages, or an object with "messages".
Result<nlohmann::json> ReadMessages(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read messages file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return InvalidArgument(path + " is not valid JSON");
  if (doc.is_object() && doc.contains("messages")) doc = doc["messages"];
  if (!doc.is_array()) {
    return InvalidArgument(path + " must hold a list of {\"role\", \"content\"} messages");
  }
  return doc;
}

// The conversation given on the command line: --system, then --messages.
Result<nlohmann::json> StartingMessages(const ChatArgs& args) {
  nlohmann::json messages = nlohmann::json::array();
  if (!args.system.empty()) messages.push_back({{"role", "system"}, {"content", args.system}});
  if (args.messages_file.empty()) return messages;
  HFD_ASSIGN_OR_RETURN(nlohmann::json from_file, ReadMessages(args.messages_file));
  for (auto& m : from_file) messages.push_back(std::move(m));
  return messages;
}

int ShowPrompt(Session& s, const ChatArgs& args, const nlohmann::json& messages) {
  Result<std::string> model = OpenModelArgument(s, args.model);
  if (!model.ok()) return kExitModelUnreadable;
  const nlohmann::json params = {{"model", *model},
                                 {"messages", messages},
                                 {"add_generation_prompt", !args.no_generation_prompt}};
  return CallAndPrint(s, "render_chat", params, [](const nlohmann::json& r, const Output&) {
    std::cout << r.value("prompt", "") << std::flush;
  });
}

int RunChat(Session& s, const ChatArgs& args) {
  Result<nlohmann::json> messages = StartingMessages(args);
  if (!messages.ok()) {
    s.out().Error(messages.status());
    return kExitUsage;
  }
  if (!args.message.empty()) messages->push_back({{"role", "user"}, {"content", args.message}});
  if (args.show_prompt) {
    if (messages->empty()) {
      s.out().Error(
          InvalidArgument("--show-prompt needs --messages FILE.json, --system or MESSAGE"));
      return kExitUsage;
    }
    return ShowPrompt(s, args, *messages);
  }
  Result<std::string> model = OpenModelArgument(s, args.model);
  if (!model.ok()) return kExitModelUnreadable;
  nlohmann::json params{{"model", *model}};
  AddLoadParams(args.load, params);
  if (Status access = AddHubAccessParams(args.hub, params); !access.ok()) {
    s.out().Error(access);
    return kExitUsage;
  }
  if (args.message.empty()) {
    ChatSetup chat;
    chat.load_params = params;
    AddGenerationParams(args.generation, /*with_raw=*/false, params);
    chat.request_params = params;
    chat.messages = *messages;
    chat.stream = args.stream;
    return RunInteractiveChat(s, chat);
  }
  AddGenerationParams(args.generation, /*with_raw=*/false, params);
  params["messages"] = *messages;
  Result<nlohmann::json> result = StreamCompletion(s, "chat", params, args.stream);
  return result.ok() ? kExitOk : s.ExitCode();
}

}  // namespace

void AddChatCommand(CLI::App& app, CommandRun& selected) {
  auto args = std::make_shared<ChatArgs>();
  CLI::App* sub = app.add_subcommand("chat", "Chat with a model through its chat template");
  sub->footer(
      "Examples:\n"
      "  hfctl chat Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M             (interactive)\n"
      "  hfctl chat Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M \"Why is the sky blue?\"\n"
      "  hfctl chat ./model.gguf --system \"Answer in French.\" \"Hello\"\n"
      "  printf 'Hi\\nAnd then?\\n' | hfctl chat ./model.gguf   (one message per line)\n"
      "  hfctl chat ./model.gguf --show-prompt --messages conversation.json\n"
      "Interactive: /bye or Ctrl-D quits, Ctrl-C stops the current answer, /clear forgets.");
  sub->add_option("model", args->model, "a .gguf file, a model directory or org/name[@rev][:QUANT]")
      ->required();
  sub->add_option("message", args->message, "one message to answer (none: interactive)");
  sub->add_option("--system", args->system, "a system message starting the conversation");
  sub->add_option("--messages", args->messages_file,
                  "JSON file with the conversation so far: [{\"role\", \"content\"}, ...]");
  sub->add_flag("--show-prompt", args->show_prompt,
                "print the prompt the chat template renders, and exit");
  sub->add_flag("--no-generation-prompt", args->no_generation_prompt,
                "with --show-prompt: don't end with the assistant's turn header");
  AddLoadFlags(*sub, args->load, /*queue_flags=*/false);
  AddHubAccessFlags(*sub, args->hub);
  AddGenerationFlags(*sub, args->generation, /*raw_flag=*/false);
  sub->add_flag("-q,--quiet", args->stream.quiet, "No progress and no statistics on stderr");
  AddShowThinkingFlag(*sub, args->stream);
  sub->callback([&selected, args] { selected = [args](Session& s) { return RunChat(s, *args); }; });
}

}  // namespace hfd::ctl
