#include "ctl/commands/interactive_chat.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include <fmt/format.h>

#include "ctl/commands/serving_progress.h"
#include "ctl/commands/stdin_lines.h"
#include "ctl/did_you_mean.h"
#include "ctl/exit_codes.h"
#include "ctl/repl/chat_settings.h"
#include "ctl/repl/history_file.h"
#include "ctl/repl/line_editor.h"
#include "ctl/repl/message_block.h"

namespace hfd::ctl {
namespace {

constexpr const char* kHelp =
    "Available commands:\n"
    "  /set parameter NAME VALUE  change a generation option (alone: the names)\n"
    "  /show info                 the model, its backend and context\n"
    "  /show parameters           the generation options set\n"
    "  /clear                     forget the conversation so far\n"
    "  /bye, /exit                quit (or Ctrl-D)\n"
    "  /?, /help                  this help\n"
    "Begin and end a multi-line message with \"\"\".\n"
    "Keys: arrows and Home/End edit; Up/Down and Ctrl-R search the history;\n"
    "Ctrl-L clears the screen; Ctrl-C stops the answer being generated.\n";

const std::vector<std::string> kCommands{"/set", "/show", "/clear", "/bye", "/exit", "/?", "/help"};

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// Loads the model before the first prompt, so a wrong name or a long pull shows at once.
// Returns the model's ps entry, or null when a policy forbids `load` (not fatal: the first
// turn loads the model anyway); nullopt when loading failed (the error is printed).
std::optional<nlohmann::json> LoadUpFront(Session& session, const nlohmann::json& load_params) {
  ServingProgress progress(/*json=*/false, /*quiet=*/false);
  const client::NotificationHandler on_notification = [&progress](const std::string& method,
                                                                  const nlohmann::json& p) {
    progress.Handle(method, p);
  };
  session.SetBeforeError([&progress] { progress.Clear(); });
  Result<nlohmann::json> loaded = session.Call("load", load_params, &on_notification);
  session.SetBeforeError(nullptr);
  progress.Clear();
  if (loaded.ok()) return *loaded;
  if (loaded.status().code() == ErrorCode::kPermissionDenied) return nlohmann::json();
  return std::nullopt;
}

// Whether the model has no chat template (a base model): render_chat says so before a
// turn fails on it.
bool LacksChatTemplate(Session& session, const nlohmann::json& model) {
  const nlohmann::json params{{"model", model},
                              {"messages", {{{"role", "user"}, {"content", "Hi"}}}}};
  Result<nlohmann::json> rendered = session.Ask("render_chat", params);
  if (rendered.ok() || rendered.status().code() != ErrorCode::kNotFound) return false;
  const std::string& why = rendered.status().message();
  return why.find("chat template") != std::string::npos ||
         why.find("chat_template") != std::string::npos;
}

// The saved history's file, its folders created; none (with a warning) when that fails.
std::optional<std::filesystem::path> HistoryFile() {
  Result<std::filesystem::path> path =
      ChatHistoryPath(std::getenv("XDG_STATE_HOME"), std::getenv("HOME"));
  Status ready = path.ok() ? MakePrivateFolders(*path) : path.status();
  if (ready.ok()) return *path;
  std::fprintf(stderr, "hfctl: the chat history is not saved: %s\n", ready.message().c_str());
  return std::nullopt;
}

class ChatLoop {
 public:
  ChatLoop(Session& session, const ChatSetup& setup)
      : session_(session),
        setup_(setup),
        messages_(setup.messages),
        params_(setup.request_params),
        terminal_(::isatty(STDIN_FILENO) != 0) {}

  int Run();

 private:
  // Sets up the terminal session: load, chat or completion, the line editor. False when
  // the model could not be loaded.
  bool Start();
  // Handles a /command; returns false for /bye and /exit.
  bool Command(const std::string& line);
  void Show(const std::string& what);
  void ShowInfo();
  void Turn(const std::string& text);

  Session& session_;
  const ChatSetup& setup_;
  nlohmann::json messages_;
  nlohmann::json params_;  // each turn's params: the setup's, changed by /set
  bool terminal_;
  bool completion_ = false;    // no chat template: each line continues text_ with generate
  std::string text_;           // the completion mode's text so far
  std::string resident_name_;  // the model's name in `ps`
  std::unique_ptr<LineReader> reader_;
  int exit_code_ = kExitOk;
};

bool ChatLoop::Start() {
  session_.KeepRunningOnInterrupt();
  const std::optional<nlohmann::json> loaded = LoadUpFront(session_, setup_.load_params);
  if (!loaded) return false;
  resident_name_ = loaded->is_object() ? loaded->value("model", "") : "";
  if (resident_name_.empty()) resident_name_ = params_.value("model", "");
  completion_ = LacksChatTemplate(session_, params_["model"]);
  auto interrupted = [this] { return session_.interrupted(); };
  Result<std::unique_ptr<LineEditor>> editor = LineEditor::Open(interrupted, HistoryFile());
  if (editor.ok()) {
    reader_ = std::move(editor).value();
  } else {
    std::fprintf(stderr, "hfctl: %s; reading plain lines\n", editor.status().message().c_str());
    reader_ = std::make_unique<StdinLines>(interrupted, /*show_prompt=*/true);
  }
  if (completion_) {
    std::fprintf(stderr,
                 "%s has no chat template: each line continues the text (plain completion); "
                 "/clear starts over.\n",
                 resident_name_.c_str());
  }
  std::fputs("Type a message; /? for help, /bye or Ctrl-D to quit.\n", stderr);
  return true;
}

void ChatLoop::ShowInfo() {
  Result<nlohmann::json> ps = session_.Call("ps", nlohmann::json::object());
  if (!ps.ok()) return;
  const std::string mode =
      completion_ ? "completion (no chat template)" : "chat (the model's template)";
  for (const nlohmann::json& entry : ps->value("models", nlohmann::json::array())) {
    if (entry.value("model", "") != resident_name_) continue;
    session_.out().Table(
        {{"model", resident_name_},
         {"backend", entry.value("backend", "") + " (" + entry.value("device", "") + ")"},
         {"context", fmt::format("{} tokens", entry.value("ctx", 0))},
         {"mode", mode}});
    return;
  }
  session_.out().Table(
      {{"model", resident_name_ + " (not loaded now: the next message loads it)"}, {"mode", mode}});
}

void ChatLoop::Show(const std::string& what) {
  if (what == "info") {
    ShowInfo();
  } else if (what == "parameters") {
    std::fputs(ShowParameters(params_).c_str(), stdout);
  } else {
    std::fputs("Usage: /show info | /show parameters\n", stdout);
  }
}

bool ChatLoop::Command(const std::string& line) {
  const size_t space = line.find(' ');
  const std::string command = line.substr(0, space);
  const std::string rest = space == std::string::npos ? "" : Trim(line.substr(space + 1));
  if (command == "/bye" || command == "/exit") return false;
  if (command == "/clear") {
    messages_ = setup_.messages;
    text_.clear();
    std::fputs("Cleared the conversation.\n", stdout);
  } else if (command == "/?" || command == "/help") {
    std::fputs(kHelp, stdout);
  } else if (command == "/set" && rest.starts_with("parameter")) {
    Result<std::string> set =
        SetParameter(rest.substr(std::string_view("parameter").size()), params_);
    std::fprintf(stdout, "%s\n", set.ok() ? set->c_str() : set.status().message().c_str());
  } else if (command == "/set") {
    std::fputs("Usage: /set parameter NAME VALUE\n", stdout);
  } else if (command == "/show") {
    Show(rest);
  } else {
    const std::optional<std::string> near = Nearest(command, kCommands);
    std::fprintf(stdout, "Unknown command '%s'.%s Type /? for help.\n", command.c_str(),
                 near ? fmt::format(" Did you mean '{}'?", *near).c_str() : "");
  }
  return true;
}

void ChatLoop::Turn(const std::string& text) {
  nlohmann::json params = params_;
  std::string prompt;
  if (completion_) {
    prompt = text_.empty() ? text : text_ + "\n" + text;
    params["prompt"] = prompt;
  } else {
    messages_.push_back({{"role", "user"}, {"content", text}});
    params["messages"] = messages_;
  }
  session_.ClearInterrupt();
  Result<nlohmann::json> result =
      StreamCompletion(session_, completion_ ? "generate" : "chat", params, setup_.stream);
  // A Ctrl-C during the answer has done its job (cancelled it); left set, it would read
  // as a Ctrl-C at the next prompt.
  session_.ClearInterrupt();
  if (result.ok()) {
    const nlohmann::json message = result->value("message", nlohmann::json::object());
    const std::string answer = message.value("content", result->value("text", ""));
    if (completion_) {
      text_ = prompt + answer;
    } else {
      messages_.push_back({{"role", "assistant"}, {"content", answer}});
    }
  } else {
    // A cancelled or failed turn leaves no trace: the next one resends the conversation
    // as it was.
    if (!completion_) messages_.erase(messages_.size() - 1);
    if (!terminal_ || session_.ExitCode() == kExitUnreachable) exit_code_ = session_.ExitCode();
  }
  if (terminal_) std::fputc('\n', stdout);
}

int ChatLoop::Run() {
  if (terminal_) {
    if (!Start()) return session_.ExitCode();
  } else {
    reader_ = std::make_unique<StdinLines>([this] { return session_.interrupted(); });
  }
  MessageBlock block;
  bool any_message = false;
  for (;;) {
    std::string line;
    const LineEvent event = reader_->Read(block.open() ? "... " : ">>> ", line);
    if (event == LineEvent::kEnd) break;
    if (event == LineEvent::kInterrupted) {
      block.Drop();
      std::fputs("\nUse Ctrl + d or /bye to exit.\n", stdout);
      session_.ClearInterrupt();
      continue;
    }
    reader_->Remember(line);
    std::optional<MessageBlock::Message> message = block.Add(line);
    if (!message) continue;
    std::string text = message->from_block ? message->text : Trim(message->text);
    if (text.empty()) continue;
    if (!message->from_block && text.front() == '/') {
      if (!Command(text)) return exit_code_;
      continue;
    }
    any_message = true;
    Turn(text);
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
