// hfctl help [COMMAND]: the list of commands, or one command's arguments and flags (the
// same text as --help).
#include <cstdio>
#include <memory>

#include "ctl/command_line.h"
#include "ctl/commands/commands.h"
#include "ctl/exit_codes.h"

namespace hfd::ctl {

void AddHelpCommand(CLI::App& app, CommandRun& selected) {
  auto command = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand("help", "Show the commands, or one command's flags");
  sub->add_option("command", *command, "the command to explain");
  sub->callback([&app, &selected, command] {
    selected = [&app, command](Session&) {
      if (command->empty()) {
        // Not app.help(): that explains the command parsed, which is `help` itself.
        const std::string all =
            app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
        std::fputs(all.c_str(), stdout);
        return kExitOk;
      }
      const CLI::App* sub = nullptr;
      for (const CLI::App* s : app.get_subcommands([](const CLI::App*) { return true; })) {
        if (s->get_name() == *command) sub = s;
      }
      if (sub == nullptr) {
        std::fprintf(stderr, "hfctl: %s\n", UnknownCommand(app, *command).c_str());
        return kExitUsage;
      }
      std::fputs(sub->help(app.get_name()).c_str(), stdout);
      return kExitOk;
    };
  });
}

}  // namespace hfd::ctl
