// hfctl logout: removes the token file `hfctl login` wrote, so that hfctl sends no token
// of the caller's (HF_TOKEN, when set, is still sent).
#include <unistd.h>

#include <cerrno>

#include "ctl/commands/commands.h"
#include "ctl/commands/token_file.h"
#include "ctl/exit_codes.h"

namespace hfd::ctl {
namespace {

int RunLogout(Session& session) {
  Result<std::filesystem::path> path = CallerTokenFile();
  if (!path.ok()) {
    session.out().Error(path.status());
    return kExitUsage;
  }
  const bool removed = ::unlink(path->c_str()) == 0;
  if (!removed && errno != ENOENT) {
    session.out().Error(ErrnoError("cannot remove the token file " + path->string(), errno));
    return kExitLocalError;
  }
  if (session.out().json()) {
    session.out().Json({{"token_file", path->string()}, {"removed", removed}});
    return kExitOk;
  }
  session.out().Line((removed ? "removed the token file " : "no token file at ") + path->string());
  if (const std::string note = HfTokenNote(); !note.empty()) session.out().Line(note);
  return kExitOk;
}

}  // namespace

void AddLogoutCommand(CLI::App& app, CommandRun& selected) {
  app.add_subcommand("logout", "Remove the Hugging Face token `hfctl login` saved")
      ->callback([&selected] { selected = RunLogout; });
}

}  // namespace hfd::ctl
