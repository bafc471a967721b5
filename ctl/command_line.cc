#include "ctl/command_line.h"

#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "ctl/did_you_mean.h"
#include "ctl/exit_codes.h"

namespace hfd::ctl {
namespace {

std::vector<std::string> CommandNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  return names;
}

// What to say about the first argument the parser could not place, if anything.
std::optional<std::string> Hint(const CLI::App& app) {
  const std::vector<CLI::App*> chosen = app.get_subcommands();
  const CLI::App& command = chosen.empty() ? app : *chosen.front();
  for (const std::string& arg : app.remaining(/*recurse=*/true)) {
    if (arg.starts_with('-')) {
      const std::string flag = arg.substr(0, arg.find('='));
      std::optional<std::string> near = Nearest(flag, FlagNames(command));
      std::string where = chosen.empty() ? "" : fmt::format(" for '{}'", command.get_name());
      return fmt::format("unknown flag {}{}{}", flag, where,
                         near ? fmt::format("; did you mean {}?", *near) : "");
    }
    if (chosen.empty()) return UnknownCommand(app, arg);
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> FlagNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* level = &app; level != nullptr; level = level->get_parent()) {
    for (const CLI::Option* option : level->get_options()) {
      for (const std::string& l : option->get_lnames()) names.push_back("--" + l);
      for (const std::string& s : option->get_snames()) names.push_back("-" + s);
    }
  }
  return names;
}

std::string UnknownCommand(const CLI::App& app, const std::string& command) {
  std::optional<std::string> near = Nearest(command, CommandNames(app));
  return fmt::format("unknown command '{}'{}", command,
                     near ? fmt::format("; did you mean '{}'?", *near) : "");
}

void BuildCommandLine(CLI::App& app, GlobalOptions& options, CommandRun& selected) {
  // Inherited by the commands added below: a flag a command does not know is offered to
  // this level, so `hfctl tokenize m "Hi" --json` works as `hfctl --json tokenize m "Hi"`.
  app.fallthrough();
  app.add_option("--socket", options.socket,
                 "The daemon's socket (default: $HFD_SOCKET, $XDG_RUNTIME_DIR/hfd.sock, "
                 "/run/hfd/hfd.sock)");
  app.add_flag("--json", options.json, "Print stable JSON instead of text");
  app.set_version_flag("-v,--version", std::string("hfctl ") + HFD_VERSION);
  app.require_subcommand(1);
  app.footer("Global flags go before or after the command. hfctl help COMMAND shows its flags.");
  AddAllCommands(app, selected);
}

std::optional<int> ParseCommandLine(CLI::App& app, int argc, char** argv) {
  if (argc <= 1) {  // no command: the list of them, as a usage error
    std::fputs(app.help().c_str(), stderr);
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      app.exit(e);  // --help, --version
      return kExitOk;
    }
    const std::optional<std::string> hint = Hint(app);
    const std::vector<CLI::App*> chosen = app.get_subcommands();
    std::fprintf(stderr, "hfctl: %s\n", hint ? hint->c_str() : e.what());
    std::fprintf(stderr, "Run 'hfctl help%s' for usage.\n",
                 chosen.empty() ? "" : (" " + chosen.front()->get_name()).c_str());
    return kExitUsage;
  }
}

}  // namespace hfd::ctl
