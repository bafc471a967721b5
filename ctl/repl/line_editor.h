// The chat's line editor on a terminal, on libedit (BSD licence; GNU readline is GPL):
// emacs keys (arrows, Home/End, Ctrl-A/E, Ctrl-W, Ctrl-L clears the screen, Ctrl-R
// searches the history backwards, Up/Down walk it), the user's ~/.editrc on top, and a
// history kept in a private file across sessions (history_file.h). Single-threaded.
//
// Signals: libedit's own handlers stay off (EL_SIGNAL 0). They would take SIGINT from the
// session, whose handler cancels a running answer, and libedit reads keys with a plain
// read() that a Ctrl-C arriving just before it cannot end. Instead libedit reads through
// ReadKey(), which waits in WaitForInput(): a Ctrl-C ends el_gets() as an error, and
// Read() reports kInterrupted. SIGWINCH is caught here so the line is redrawn at the new
// width.
#pragma once

#include <histedit.h>
#include <signal.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "ctl/repl/line_reader.h"
#include "hfd/status.h"

namespace hfd::ctl {

class LineEditor : public LineReader {
 public:
  // Takes the terminal on stdin/stdout. `interrupted` tells whether Ctrl-C was pressed.
  // `history`: the file to load the history from and save it to after each line (none:
  // the history lasts this session only).
  static Result<std::unique_ptr<LineEditor>> Open(std::function<bool()> interrupted,
                                                  std::optional<std::filesystem::path> history);
  ~LineEditor() override;
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;

  LineEvent Read(const std::string& prompt, std::string& line) override;
  // Adds `line` to the history and saves the history file; a save that fails is reported
  // once on stderr and not tried again.
  void Remember(const std::string& line) override;

 private:
  LineEditor(std::function<bool()> interrupted, std::optional<std::filesystem::path> history);
  // libedit's read function: one character from stdin, or -1 (errno EINTR) on Ctrl-C.
  static int ReadKey(EditLine* editor, wchar_t* key);
  static char* PromptText(EditLine* editor);

  std::function<bool()> interrupted_;
  std::optional<std::filesystem::path> history_file_;
  std::string prompt_;
  History* history_ = nullptr;
  EditLine* editor_ = nullptr;
  struct sigaction previous_winch_ {};
};

}  // namespace hfd::ctl
