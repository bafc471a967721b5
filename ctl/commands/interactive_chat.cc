#include "ctl/commands/interactive_chat.h"

#include <unistd.h>

#include <cstdio>

#include "ctl/commands/serving_progress.h"
#include "ctl/commands/stdin_lines.h"
#include "ctl/exit_codes.h"

namespace hfd::ctl {
namespace {

constexpr const char* kHelp =
    "Available commands:\n"
    "  /clear   forget the conversation (keeps --system and --messages)\n"
    "  /bye     quit (or Ctrl-D)\n"
    "  /?       this help\n"
    "Ctrl-C stops the answer being generated.\n";

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// Loads the model before the first prompt, so a wrong name or a long pull shows at once.
// A policy that forbids `load` is not fatal: the first `chat` loads the model anyway.
bool LoadUpFront(Session& session, const nlohmann::json& load_params) {
  ServingProgress progress(/*json=*/false, /*quiet=*/false);
  const client::NotificationHandler on_notification = [&progress](const std::string& method,
                                                                  const nlohmann::json& p) {
    progress.Handle(method, p);
  };
  session.SetBeforeError([&progress] { progress.Clear(); });
  Result<nlohmann::json> loaded = session.Call("load", load_params, &on_notification);
  session.SetBeforeError(nullptr);
  progress.Clear();
  return loaded.ok() || loaded.status().code() == ErrorCode::kPermissionDenied;
}

class ChatLoop {
 public:
  ChatLoop(Session& session, const ChatSetup& setup)
      : session_(session),
        setup_(setup),
        messages_(setup.messages),
        terminal_(::isatty(STDIN_FILENO) != 0) {}

  int Run();

 private:
  // Handles a /command; returns false for /bye.
  bool Command(const std::string& command);
  void Turn(const std::string& text);
  void Prompt() const;

  Session& session_;
  const ChatSetup& setup_;
  nlohmann::json messages_;
  bool terminal_;
  int exit_code_ = kExitOk;
};

void ChatLoop::Prompt() const {
  if (!terminal_) return;
  std::fputs(">>> ", stdout);
  std::fflush(stdout);
}

bool ChatLoop::Command(const std::string& command) {
  if (command == "/bye") return false;
  if (command == "/clear") {
    messages_ = setup_.messages;
    std::fputs("Cleared the conversation.\n", stdout);
  } else if (command == "/?" || command == "/help") {
    std::fputs(kHelp, stdout);
  } else {
    std::fprintf(stdout, "Unknown command '%s'. Type /? for help.\n", command.c_str());
  }
  return true;
}

void ChatLoop::Turn(const std::string& text) {
  messages_.push_back({{"role", "user"}, {"content", text}});
  nlohmann::json params = setup_.request_params;
  params["messages"] = messages_;
  session_.ClearInterrupt();
  Result<nlohmann::json> result = StreamCompletion(session_, "chat", params, setup_.stream);
  // A Ctrl-C during the answer has done its job (cancelled it); left set, it would read
  // as a Ctrl-C at the next prompt.
  session_.ClearInterrupt();
  if (result.ok()) {
    const nlohmann::json message = result->value("message", nlohmann::json::object());
    messages_.push_back(
        {{"role", "assistant"}, {"content", message.value("content", result->value("text", ""))}});
  } else {
    // A cancelled or failed turn leaves no trace: the next one resends the conversation
    // as it was.
    messages_.erase(messages_.size() - 1);
    if (!terminal_ || session_.ExitCode() == kExitUnreachable) exit_code_ = session_.ExitCode();
  }
  if (terminal_) std::fputc('\n', stdout);
}

int ChatLoop::Run() {
  if (terminal_) {
    session_.KeepRunningOnInterrupt();
    if (!LoadUpFront(session_, setup_.load_params)) return session_.ExitCode();
    std::fputs("Type a message; /? for help, /bye or Ctrl-D to quit.\n", stderr);
  }
  StdinLines lines;
  bool any_message = false;
  for (;;) {
    Prompt();
    std::string line;
    const StdinLines::Event event = lines.Next(line, [this] { return session_.interrupted(); });
    if (event == StdinLines::Event::kEnd) break;
    if (event == StdinLines::Event::kInterrupted) {
      std::fputs("\nUse Ctrl + d or /bye to exit.\n", stdout);
      session_.ClearInterrupt();
      continue;
    }
    line = Trim(line);
    if (line.empty()) continue;
    if (line.front() == '/') {
      if (!Command(line)) return exit_code_;
      continue;
    }
    any_message = true;
    Turn(line);
    if (exit_code_ == kExitUnreachable) break;
  }
  if (terminal_) std::fputc('\n', stdout);
  if (!terminal_ && !any_message) {
    session_.out().Error(InvalidArgument(
        "no message to send: stdin is not a terminal and had no lines; give MESSAGE, pipe "
        "one message per line, or run this in a terminal"));
    return kExitUsage;
  }
  return exit_code_;
}

}  // namespace

int RunInteractiveChat(Session& session, const ChatSetup& setup) {
  return ChatLoop(session, setup).Run();
}

}  // namespace hfd::ctl
