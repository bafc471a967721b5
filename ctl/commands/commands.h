// hfctl subcommands. Each file adds one subcommand to the CLI11 app; when the user picks
// it, its callback stores the function that runs it into `selected`. To add a command,
// write ctl/commands/<name>.cc with Add<Name>Command, declare it here and call it from
// register_all.cc.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

#include "ctl/session.h"

namespace hfd::ctl {

using CommandRun = std::function<int(Session& session)>;

void AddStatusCommand(CLI::App& app, CommandRun& selected);
void AddHealthCommand(CLI::App& app, CommandRun& selected);
void AddMetricsCommand(CLI::App& app, CommandRun& selected);
void AddHistoryCommand(CLI::App& app, CommandRun& selected);
void AddPullCommand(CLI::App& app, CommandRun& selected);  // pull, ls, rm: Hub cache
void AddLsCommand(CLI::App& app, CommandRun& selected);
void AddPullsCommand(CLI::App& app, CommandRun& selected);
void AddRmCommand(CLI::App& app, CommandRun& selected);
void AddTokenizeCommand(CLI::App& app, CommandRun& selected);  // tokenize, detokenize, chat
void AddDetokenizeCommand(CLI::App& app, CommandRun& selected);
void AddEmbedCommand(CLI::App& app, CommandRun& selected);  // embed
void AddChatCommand(CLI::App& app, CommandRun& selected);
void AddLoadCommand(CLI::App& app, CommandRun& selected);  // load, unload, ps, run: serving
void AddUnloadCommand(CLI::App& app, CommandRun& selected);
void AddPsCommand(CLI::App& app, CommandRun& selected);
void AddRunCommand(CLI::App& app, CommandRun& selected);
void AddHelpCommand(CLI::App& app, CommandRun& selected);
void AddLoginCommand(CLI::App& app, CommandRun& selected);  // login, logout: the caller's token
void AddLogoutCommand(CLI::App& app, CommandRun& selected);

void AddAllCommands(CLI::App& app, CommandRun& selected);

}  // namespace hfd::ctl
