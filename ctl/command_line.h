// hfctl's command line: the global flags (accepted before or after the command name), the
// commands, and what a mistake prints: the parser's message, a "did you mean" for a
// mistyped command or flag, and where to read more.
#pragma once

#include <optional>

#include <CLI/CLI.hpp>

#include "ctl/commands/commands.h"
#include "ctl/session.h"

namespace hfd::ctl {

// Adds the global flags and every command to `app`; parsing fills `options` and stores
// the chosen command in `selected`.
void BuildCommandLine(CLI::App& app, GlobalOptions& options, CommandRun& selected);

// Parses argv. Returns the exit code when hfctl should stop here (--help, --version, a
// usage error, printed already), nullopt when the selected command should run.
std::optional<int> ParseCommandLine(CLI::App& app, int argc, char** argv);

// The names a person can type for `app`'s flags ("--temperature", "-n"), with the global
// flags when `app` is a command.
std::vector<std::string> FlagNames(const CLI::App& app);

// "unknown command 'stauts'; did you mean 'status'?" and the like for `command`, a name
// that is not one of `app`'s commands.
std::string UnknownCommand(const CLI::App& app, const std::string& command);

}  // namespace hfd::ctl
