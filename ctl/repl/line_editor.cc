#include "ctl/repl/line_editor.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <clocale>
#include <cstdio>
#include <cwchar>

#include "ctl/repl/history_file.h"
#include "ctl/repl/input_wait.h"

namespace hfd::ctl {
namespace {

std::atomic<bool> g_resized{false};

extern "C" void OnResize(int) { g_resized.store(true); }

LineEditor* EditorOf(EditLine* editor) {
  void* data = nullptr;
  el_get(editor, EL_CLIENTDATA, &data);
  return static_cast<LineEditor*>(data);
}

// Keys that terminals send in several ways and libedit's defaults miss some of.
void BindKeys(EditLine* editor) {
  for (const char* home : {"\033[H", "\033OH", "\033[1~", "\033[7~"}) {
    el_set(editor, EL_BIND, home, "ed-move-to-beg", nullptr);
  }
  for (const char* end : {"\033[F", "\033OF", "\033[4~", "\033[8~"}) {
    el_set(editor, EL_BIND, end, "ed-move-to-end", nullptr);
  }
  el_set(editor, EL_BIND, "\033[3~", "ed-delete-next-char", nullptr);
  el_set(editor, EL_BIND, "^W", "ed-delete-prev-word", nullptr);  // emacs mode: kill region
  el_set(editor, EL_BIND, "\033[1;5D", "ed-prev-word", nullptr);
  el_set(editor, EL_BIND, "\033[1;5C", "em-next-word", nullptr);
  // Some libedit versions leave ^R on redisplay; bash and readline users expect search.
  el_set(editor, EL_BIND, "^R", "em-inc-search-prev", nullptr);
}

}  // namespace

LineEditor::LineEditor(std::function<bool()> interrupted,
                       std::optional<std::filesystem::path> history)
    : interrupted_(std::move(interrupted)), history_file_(std::move(history)) {}

Result<std::unique_ptr<LineEditor>> LineEditor::Open(std::function<bool()> interrupted,
                                                     std::optional<std::filesystem::path> history) {
  // libedit decodes keys and measures the prompt in the terminal's character set.
  std::setlocale(LC_CTYPE, "");
  std::unique_ptr<LineEditor> self(new LineEditor(std::move(interrupted), std::move(history)));
  self->history_ = ::history_init();
  self->editor_ = el_init("hfctl", stdin, stdout, stderr);
  if (self->history_ == nullptr || self->editor_ == nullptr) {
    return Unavailable("the line editor could not take the terminal (libedit el_init failed)");
  }
  HistEvent event;
  ::history(self->history_, &event, H_SETSIZE, kHistoryLines);
  ::history(self->history_, &event, H_SETUNIQUE, 1);
  if (self->history_file_) {
    // A missing file is a first session, not an error.
    ::history(self->history_, &event, H_LOAD, self->history_file_->c_str());
  }
  EditLine* editor = self->editor_;
  el_set(editor, EL_CLIENTDATA, self.get());
  el_set(editor, EL_SIGNAL, 0);
  el_set(editor, EL_EDITOR, "emacs");
  el_set(editor, EL_HIST, ::history, self->history_);
  el_set(editor, EL_PROMPT, &LineEditor::PromptText);
  el_set(editor, EL_GETCFN, &LineEditor::ReadKey);
  BindKeys(editor);
  el_source(editor, nullptr);  // ~/.editrc ($EDITRC) may rebind keys
  struct sigaction resize {};
  resize.sa_handler = OnResize;
  resize.sa_flags = SA_RESTART;
  sigemptyset(&resize.sa_mask);
  ::sigaction(SIGWINCH, &resize, &self->previous_winch_);
  return self;
}

LineEditor::~LineEditor() {
  ::sigaction(SIGWINCH, &previous_winch_, nullptr);
  if (editor_ != nullptr) el_end(editor_);
  if (history_ != nullptr) ::history_end(history_);
}

char* LineEditor::PromptText(EditLine* editor) {
  return const_cast<char*>(EditorOf(editor)->prompt_.c_str());
}

int LineEditor::ReadKey(EditLine* editor, wchar_t* key) {
  LineEditor* self = EditorOf(editor);
  char bytes[MB_LEN_MAX];
  size_t count = 0;
  for (;;) {
    switch (WaitForInput(STDIN_FILENO, self->interrupted_)) {
      case InputWait::kInterrupted:
        errno = EINTR;
        return -1;
      case InputWait::kSignal:
        if (g_resized.exchange(false)) {
          el_resize(editor);
          el_set(editor, EL_REFRESH);
        }
        continue;
      case InputWait::kError:
        return -1;
      case InputWait::kReady:
        break;
    }
    const ssize_t n = ::read(STDIN_FILENO, &bytes[count], 1);
    if (n == 0) return 0;
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return -1;
    }
    ++count;
    std::mbstate_t state{};
    const size_t used = std::mbrtowc(key, bytes, count, &state);
    if (used == static_cast<size_t>(-2) && count < sizeof(bytes)) continue;  // more bytes
    if (used == static_cast<size_t>(-1) || used == static_cast<size_t>(-2)) {
      count = 0;  // not a character in this locale: dropped
      continue;
    }
    return 1;
  }
}

LineEvent LineEditor::Read(const std::string& prompt, std::string& line) {
  prompt_ = prompt;
  // The terminal goes into editing mode before the prompt is drawn: el_gets() would
  // switch only at its first read, and a key typed in between would be taken by the
  // terminal's line discipline (a Ctrl-D there becomes a stray NUL byte, not an end).
  el_set(editor_, EL_PREP_TERM, 1);
  int count = 0;
  const char* text = el_gets(editor_, &count);
  if (text == nullptr) return interrupted_() ? LineEvent::kInterrupted : LineEvent::kEnd;
  line.assign(text, static_cast<size_t>(count));
  if (line.ends_with('\n')) line.pop_back();
  return LineEvent::kLine;
}

void LineEditor::Remember(const std::string& line) {
  if (line.empty()) return;
  HistEvent event;
  ::history(history_, &event, H_ENTER, line.c_str());
  if (!history_file_) return;
  Result<UniqueFile> file = OpenPrivateForWriting(*history_file_);
  if (file.ok() && ::history(history_, &event, H_SAVE_FP, file->get()) >= 0) return;
  std::fprintf(stderr, "hfctl: the chat history is not saved: %s\n",
               file.ok() ? ("writing " + history_file_->string() + " failed").c_str()
                         : file.status().message().c_str());
  history_file_.reset();
}

}  // namespace hfd::ctl
