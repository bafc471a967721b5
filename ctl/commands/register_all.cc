#include "ctl/commands/commands.h"

namespace hfd::ctl {

void AddAllCommands(CLI::App& app, CommandRun& selected) {
  for (auto* add :
       {AddStatusCommand, AddHealthCommand, AddMetricsCommand, AddHistoryCommand, AddPullCommand,
        AddLsCommand, AddPullsCommand, AddRmCommand, AddTokenizeCommand, AddDetokenizeCommand,
        AddEmbedCommand, AddChatCommand, AddLoadCommand, AddUnloadCommand, AddPsCommand,
        AddRunCommand, AddLoginCommand, AddLogoutCommand}) {
    add(app, selected);
  }
  AddHelpCommand(app, selected);  // listed last by `hfctl help`
}

}  // namespace hfd::ctl
