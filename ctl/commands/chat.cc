// hfctl chat MODEL --show-prompt --messages FILE.json [--no-generation-prompt]: prints
// exactly the prompt a chat would send (the model's chat template rendered by the daemon)
// and exits. Interactive chat (generation) is not available yet.
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "ctl/commands/commands.h"
#include "ctl/commands/model_arg.h"
#include "ctl/exit_codes.h"

namespace hfd::ctl {
namespace {

struct ChatArgs {
  std::string model;
  std::string messages_file;
  bool show_prompt = false;
  bool no_generation_prompt = false;
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

int ShowPrompt(Session& s, const ChatArgs& args) {
  Result<nlohmann::json> messages = ReadMessages(args.messages_file);
  if (!messages.ok()) {
    s.out().Error(messages.status());
    return kExitUsage;
  }
  const nlohmann::json params = {{"model", ModelArgument(args.model)},
                                 {"messages", *messages},
                                 {"add_generation_prompt", !args.no_generation_prompt}};
  return CallAndPrint(s, "render_chat", params, [](const nlohmann::json& r, const Output&) {
    std::cout << r.value("prompt", "") << std::flush;
  });
}

}  // namespace

void AddChatCommand(CLI::App& app, CommandRun& selected) {
  auto args = std::make_shared<ChatArgs>();
  CLI::App* sub = app.add_subcommand("chat", "Chat with a model (for now: --show-prompt only)");
  sub->add_option("model", args->model, "a .gguf file, a model directory or org/name[@rev]")
      ->required();
  sub->add_flag("--show-prompt", args->show_prompt,
                "print the rendered chat template for --messages and exit");
  sub->add_option("--messages", args->messages_file, "JSON file with the conversation");
  sub->add_flag("--no-generation-prompt", args->no_generation_prompt,
                "don't end the prompt with the assistant's turn header");
  sub->callback([&selected, args] {
    selected = [args](Session& s) {
      if (!args->show_prompt) {
        s.out().Error(Unsupported(
            "interactive chat is not available yet; use --show-prompt --messages FILE.json "
            "to see the prompt a chat would send"));
        return kExitUsage;
      }
      if (args->messages_file.empty()) {
        s.out().Error(InvalidArgument("--show-prompt needs --messages FILE.json"));
        return kExitUsage;
      }
      return ShowPrompt(s, *args);
    };
  });
}

}  // namespace hfd::ctl
