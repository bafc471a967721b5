// LineEditor on a pseudo-terminal standing in for the user's: keys edit the line, Up
// recalls it, the history file is written, and a Ctrl-C that lands just before the read
// is not lost (the race of commit 4e7406b, now on libedit's side).
#include "ctl/repl/line_editor.h"

#include <gtest/gtest.h>
#include <pty.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

#include "tests/support/fixtures.h"

#include "tests/ctl/sigint_flag.h"

namespace hfd::ctl {
namespace {

std::atomic<bool>& g_sigint = testing::ScopedSigintFlag::flag();

// Puts stdin and stdout on the terminal side of a pty for the test's lifetime.
class LineEditorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::openpty(&master_, &terminal_, nullptr, nullptr, nullptr), 0);
    std::fflush(stdout);
    saved_in_ = ::dup(STDIN_FILENO);
    saved_out_ = ::dup(STDOUT_FILENO);
    ::dup2(terminal_, STDIN_FILENO);
    ::dup2(terminal_, STDOUT_FILENO);
    sigint_ = std::make_unique<testing::ScopedSigintFlag>();
    // What the editor draws goes to the master: kept, so keys are typed only once the
    // prompt shows (then the terminal is in editing mode, as when a person types).
    drain_ = std::thread([this] {
      char buffer[4096];
      for (ssize_t n; (n = ::read(master_, buffer, sizeof(buffer))) > 0;) {
        std::lock_guard lock(mutex_);
        screen_.append(buffer, static_cast<size_t>(n));
        shown_.notify_all();
      }
    });
  }
  void TearDown() override {
    std::fflush(stdout);
    ::dup2(saved_in_, STDIN_FILENO);
    ::dup2(saved_out_, STDOUT_FILENO);
    ::close(saved_in_);
    ::close(saved_out_);
    sigint_.reset();
    ::close(terminal_);
    ::close(master_);  // ends the drain thread's read
    drain_.join();
  }
  // Waits (at most 10 s) until the terminal is out of canonical mode: a read is running.
  void WaitForEditingMode() const {
    for (int i = 0; i < 10000; ++i) {
      termios mode{};
      if (::tcgetattr(terminal_, &mode) == 0 && (mode.c_lflag & ICANON) == 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  void Type(const std::string& keys) {
    ASSERT_EQ(::write(master_, keys.data(), keys.size()), ssize_t(keys.size()));
  }
  // Reads a line from `editor`, typing `keys` once its prompt is on the screen.
  LineEvent ReadTyping(LineEditor& editor, const std::string& keys, std::string& line) {
    size_t prompts = 0;
    {
      std::lock_guard lock(mutex_);
      for (size_t at = 0; (at = screen_.find(">>> ", at)) != std::string::npos; at += 4) ++prompts;
    }
    std::thread typist([this, keys, prompts] {
      std::unique_lock lock(mutex_);
      shown_.wait_for(lock, std::chrono::seconds(10), [&] {
        size_t now = 0;
        for (size_t at = 0; (at = screen_.find(">>> ", at)) != std::string::npos; at += 4) ++now;
        return now > prompts;
      });
      lock.unlock();
      // The drain thread may still be copying the previous read's redraw, which holds a
      // prompt too: keys typed before this read puts the terminal in editing mode are
      // discarded by that switch (TCSAFLUSH), and the read would wait for them forever.
      WaitForEditingMode();
      Type(keys);
    });
    const LineEvent event = editor.Read(">>> ", line);
    typist.join();
    return event;
  }
  std::unique_ptr<LineEditor> Open(std::optional<std::filesystem::path> history = {}) {
    Result<std::unique_ptr<LineEditor>> editor =
        LineEditor::Open([] { return g_sigint.load(); }, std::move(history));
    EXPECT_TRUE(editor.ok()) << editor.status().message();
    return editor.ok() ? std::move(editor).value() : nullptr;
  }

  std::mutex mutex_;
  std::condition_variable shown_;
  std::string screen_;  // guarded by mutex_
  int master_ = -1;
  int terminal_ = -1;
  int saved_in_ = -1;
  int saved_out_ = -1;
  std::unique_ptr<testing::ScopedSigintFlag> sigint_;
  std::thread drain_;
};

TEST_F(LineEditorTest, KeysEditTheLineAndUpRecallsIt) {
  testing::TempDir dir;
  const std::filesystem::path file = dir.path() / "chat_history";
  auto editor = Open(file);
  ASSERT_NE(editor, nullptr);
  std::string line;
  ASSERT_EQ(ReadTyping(*editor, "Hllo\x1b[D\x1b[D\x1b[De\r", line), LineEvent::kLine);
  EXPECT_EQ(line, "Hello");
  editor->Remember(line);
  // Up, Home, ">".
  ASSERT_EQ(ReadTyping(*editor, "\x1b[A\x1b[H>\r", line), LineEvent::kLine);
  EXPECT_EQ(line, ">Hello");
  EXPECT_EQ(ReadTyping(*editor, "\x04", line), LineEvent::kEnd);
  std::ifstream saved(file);
  std::string text((std::istreambuf_iterator<char>(saved)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("Hello"), std::string::npos) << text;
}

TEST_F(LineEditorTest, CtrlCJustBeforeTheReadIsNotLost) {
  auto editor = Open();
  ASSERT_NE(editor, nullptr);
  ASSERT_EQ(::raise(SIGINT), 0);
  // If Read() missed it, it would wait for a key: this line arrives after 5 s instead.
  std::atomic<bool> done{false};
  std::thread rescue([&] {
    for (int i = 0; i < 50 && !done.load(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!done.load()) Type("typed later\r");
  });
  std::string line;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(editor->Read(">>> ", line), LineEvent::kInterrupted);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
  done.store(true);
  rescue.join();
}

}  // namespace
}  // namespace hfd::ctl
