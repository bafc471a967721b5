// StdinLines on a pipe standing in for the terminal: lines, end of input, and Ctrl-C
// (SIGINT) both before and during the wait.
#include "ctl/commands/stdin_lines.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "tests/ctl/sigint_flag.h"

namespace hfd::ctl {
namespace {

std::atomic<bool>& g_sigint = testing::ScopedSigintFlag::flag();

// Replaces stdin with the read end of a pipe for the test's lifetime.
class StdinLinesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::pipe(pipe_), 0);
    saved_stdin_ = ::dup(STDIN_FILENO);
    ASSERT_EQ(::dup2(pipe_[0], STDIN_FILENO), STDIN_FILENO);
    sigint_ = std::make_unique<testing::ScopedSigintFlag>();
  }
  void TearDown() override {
    sigint_.reset();
    ::dup2(saved_stdin_, STDIN_FILENO);
    ::close(saved_stdin_);
    ::close(pipe_[0]);
    if (pipe_[1] >= 0) ::close(pipe_[1]);
  }
  void Write(const std::string& s) {
    ASSERT_EQ(::write(pipe_[1], s.data(), s.size()), ssize_t(s.size()));
  }
  void CloseWriter() {
    ::close(pipe_[1]);
    pipe_[1] = -1;
  }
  // Runs `f` on a thread that never takes SIGINT itself, so the signal reaches the
  // thread waiting in Next().
  static std::thread Helper(std::function<void()> f) {
    sigset_t block;
    sigset_t old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    ::pthread_sigmask(SIG_BLOCK, &block, &old);
    std::thread t(std::move(f));
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return t;
  }

  int pipe_[2] = {-1, -1};
  int saved_stdin_ = -1;
  std::unique_ptr<testing::ScopedSigintFlag> sigint_;
};

const auto kInterrupted = [] { return g_sigint.load(); };

TEST_F(StdinLinesTest, LinesThenALastLineWithoutNewlineThenEnd) {
  Write("first\nsecond\nlast");
  CloseWriter();
  StdinLines lines(kInterrupted);
  std::string line;
  ASSERT_EQ(lines.Next(line), StdinLines::Event::kLine);
  EXPECT_EQ(line, "first");
  ASSERT_EQ(lines.Next(line), StdinLines::Event::kLine);
  EXPECT_EQ(line, "second");
  ASSERT_EQ(lines.Next(line), StdinLines::Event::kLine);
  EXPECT_EQ(line, "last");
  EXPECT_EQ(lines.Next(line), StdinLines::Event::kEnd);
}

// The race behind a flaky Ctrl-C at the `>>>` prompt: the signal lands after the prompt is
// printed but before the wait starts. The wait must still end at once.
TEST_F(StdinLinesTest, CtrlCJustBeforeTheWaitIsNotLost) {
  ASSERT_EQ(::raise(SIGINT), 0);
  ASSERT_TRUE(g_sigint.load());
  // If Next() missed it, it would wait for input: this line arrives after 5 s instead.
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  std::thread rescue = Helper([&] {
    std::unique_lock lock(mutex);
    if (!done_cv.wait_for(lock, std::chrono::seconds(5), [&] { return done; })) {
      Write("typed later\n");
    }
  });
  StdinLines lines(kInterrupted);
  std::string line;
  EXPECT_EQ(lines.Next(line), StdinLines::Event::kInterrupted);
  {
    std::lock_guard lock(mutex);
    done = true;
  }
  done_cv.notify_one();
  rescue.join();
}

TEST_F(StdinLinesTest, CtrlCDuringTheWaitDropsThePartLineAndIsReported) {
  Write("half a li");
  std::thread ctrl_c = Helper([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ::kill(::getpid(), SIGINT);
  });
  StdinLines lines(kInterrupted);
  std::string line;
  EXPECT_EQ(lines.Next(line), StdinLines::Event::kInterrupted);
  ctrl_c.join();
  g_sigint.store(false);
  Write("new line\n");
  ASSERT_EQ(lines.Next(line), StdinLines::Event::kLine);
  EXPECT_EQ(line, "new line");
}

}  // namespace
}  // namespace hfd::ctl
