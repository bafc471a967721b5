#include "ctl/commands/commands.h"

namespace hfd::ctl {

void AddAllCommands(CLI::App& app, CommandRun& selected) {
  for (auto* add :
       {AddStatusCommand, AddHealthCommand, AddMetricsCommand, AddHistoryCommand, AddPullCommand,
        AddLsCommand, AddRmCommand, AddTokenizeCommand, AddDetokenizeCommand, AddChatCommand}) {
    add(app, selected);
  }
}

}  // namespace hfd::ctl
