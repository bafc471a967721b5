// hfctl: talks to the hfd daemon over its Unix socket (docs/daemon.md).
#include <string>

#include <CLI/CLI.hpp>

#include "ctl/commands/commands.h"
#include "ctl/exit_codes.h"
#include "ctl/session.h"

int main(int argc, char** argv) {
  CLI::App app{"hfctl: control the hfd daemon", "hfctl"};
  hfd::ctl::GlobalOptions options;
  app.add_option("--socket", options.socket,
                 "The daemon's socket (default: $HFD_SOCKET, $XDG_RUNTIME_DIR/hfd.sock, "
                 "/run/hfd/hfd.sock)");
  app.add_flag("--json", options.json, "Print stable JSON instead of text");
  app.set_version_flag("--version", std::string("hfctl ") + HFD_VERSION);
  app.require_subcommand(1);
  hfd::ctl::CommandRun selected;
  hfd::ctl::AddAllCommands(app, selected);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? hfd::ctl::kExitOk : hfd::ctl::kExitUsage;
  }
  hfd::ctl::Session session(options);
  return selected(session);
}
