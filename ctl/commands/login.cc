// hfctl login: stores the caller's Hugging Face token where huggingface_hub keeps it
// (HF_TOKEN_PATH, else $HF_HOME/token, else ~/.cache/huggingface/token), readable by the
// caller only, so that hfctl sends it with pull, run, chat and load (hub_access_flags.h).
// The token comes from stdin, or on a terminal from a prompt that does not echo it; it is
// never printed.
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <iostream>
#include <string>

#include "ctl/commands/commands.h"
#include "ctl/commands/token_file.h"
#include "ctl/exit_codes.h"

namespace hfd::ctl {
namespace {

termios g_saved_terminal{};

// Ctrl-C at the prompt: echo back on before the default action ends hfctl.
extern "C" void RestoreEchoAndStop(int signal) {
  ::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_terminal);
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

// One line of stdin; on a terminal after a prompt, with echo off.
std::string ReadTokenLine() {
  std::string line;
  if (::isatty(STDIN_FILENO) == 0 || ::tcgetattr(STDIN_FILENO, &g_saved_terminal) != 0) {
    std::getline(std::cin, line);
    return line;
  }
  std::cerr << "Hugging Face token (from https://huggingface.co/settings/tokens; not shown): "
            << std::flush;
  termios quiet = g_saved_terminal;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  auto* previous = std::signal(SIGINT, RestoreEchoAndStop);
  ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::getline(std::cin, line);
  ::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_terminal);
  std::signal(SIGINT, previous);
  std::cerr << "\n";
  return line;
}

// The token with surrounding blanks removed; an error when it cannot be one.
Result<std::string> CheckToken(std::string line) {
  const size_t begin = line.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return InvalidArgument("no token given: nothing was saved");
  line = line.substr(begin, line.find_last_not_of(" \t\r\n") - begin + 1);
  const bool printable =
      std::all_of(line.begin(), line.end(), [](char c) { return c > ' ' && c < 0x7f; });
  if (!printable || line.size() > 4096) {
    return InvalidArgument(
        "that is not a Hugging Face token (one word of printable characters, such as "
        "hf_...): nothing was saved");
  }
  return line;
}

int RunLogin(Session& session) {
  Result<std::filesystem::path> path = CallerTokenFile();
  if (!path.ok()) {
    session.out().Error(path.status());
    return kExitUsage;
  }
  Result<std::string> token = CheckToken(ReadTokenLine());
  if (!token.ok()) {
    session.out().Error(token.status());
    return kExitUsage;
  }
  if (Status written = WriteTokenFile(*path, *token); !written.ok()) {
    session.out().Error(written);
    return kExitLocalError;
  }
  if (session.out().json()) {
    session.out().Json({{"token_file", path->string()}});
    return kExitOk;
  }
  session.out().Line("saved the token to " + path->string() +
                     " (readable by you only); hfctl sends it with pull, run, chat and load");
  if (const std::string note = HfTokenNote(); !note.empty()) session.out().Line(note);
  return kExitOk;
}

}  // namespace

void AddLoginCommand(CLI::App& app, CommandRun& selected) {
  CLI::App* sub = app.add_subcommand(
      "login", "Save your Hugging Face token for hfctl to send (reads it from stdin)");
  sub->footer(
      "The token is stored where huggingface_hub keeps it ($HF_HOME/token, default\n"
      "~/.cache/huggingface/token; HF_TOKEN_PATH overrides), mode 0600. Examples:\n"
      "  hfctl login                      (asks for it without showing it)\n"
      "  hfctl login < ~/hf-token.txt");
  sub->callback([&selected] { selected = RunLogin; });
}

}  // namespace hfd::ctl
