// hfctl: talks to the hfd daemon over its Unix socket (docs/daemon.md).
#include <CLI/CLI.hpp>

#include "ctl/command_line.h"
#include "ctl/session.h"

int main(int argc, char** argv) {
  CLI::App app{"hfctl: control the hfd daemon", "hfctl"};
  hfd::ctl::GlobalOptions options;
  hfd::ctl::CommandRun selected;
  hfd::ctl::BuildCommandLine(app, options, selected);
  if (std::optional<int> exit_code = hfd::ctl::ParseCommandLine(app, argc, argv)) {
    return *exit_code;
  }
  hfd::ctl::Session session(options);
  return selected(session);
}
