// The interactive chat typed into on a real pseudo-terminal, through the line editor:
// what the screen shows, and what the daemon received (the spans of `hfctl history`
// against one-shot chats of the same conversation, greedy so the same input gives the
// same answer).
#include <sys/stat.h>

#include <fstream>

#include "tests/ctl/serving_fixture.h"
#include "tests/support/fixtures.h"

namespace hfd::testing {
namespace {

constexpr const char* kLeft = "\x1b[D";
constexpr const char* kUp = "\x1b[A";

unsigned Mode(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

class InteractiveChat : public ServingCommands {
 protected:
  // Starts hfctl with `args` on a terminal, its history under state_.
  std::unique_ptr<PtyProcess> Terminal(const std::vector<std::string>& args) {
    return PtyProcess::Start(Argv(args),
                             {"XDG_STATE_HOME=" + state_.path().string(), "TERM=xterm"});
  }
  // Types `keys` and waits for `shown` after what was on the screen before.
  void Type(PtyProcess& tty, const std::string& keys, const std::string& shown) {
    const size_t before = tty.output().size();
    ASSERT_TRUE(tty.Write(keys));
    ASSERT_TRUE(tty.WaitFor(shown, before, seconds(60))) << "waiting for " << shown << " in\n"
                                                         << tty.output();
  }
  // Sends a message (the keys, then Enter) and waits for the answer's statistics and the
  // next prompt.
  void Send(PtyProcess& tty, const std::string& keys) {
    const size_t before = tty.output().size();
    ASSERT_TRUE(tty.Write(keys + "\r"));
    auto statistics = tty.WaitFor("tokens/s", before, seconds(60));
    ASSERT_TRUE(statistics) << tty.output();
    ASSERT_TRUE(tty.WaitFor(">>> ", *statistics, seconds(60))) << tty.output();
  }
  // The one-shot greedy answer to `message` after the conversation `before`, as the
  // daemon's result gives it.
  json OneShot(const json& before, const std::string& message) {
    const fs::path file = state_.path() / "conversation.json";
    std::ofstream(file) << before.dump();
    CommandResult r = Hfctl({"--json", "chat", kModel, message, "--messages", file.string(), "-n",
                             "6", "--temperature", "0"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const std::vector<json> results = Results(r.out);
    return results.size() == 1 ? results[0] : json();
  }

  TempDir state_;
};

TEST_F(InteractiveChat, EditingHistoryBlocksAndSettingsReachTheDaemon) {
  ASSERT_EQ(Hfctl({"pull", kModel}).exit_code, 0);
  auto tty = Terminal({"run", kModel, "-n", "6"});
  ASSERT_NE(tty, nullptr);
  ASSERT_TRUE(tty->WaitFor(">>> ", 0, seconds(120))) << tty->output() << daemon_->Log();
  Type(*tty, "/set parameter temperature 0\r", "Set parameter 'temperature' to '0'.");
  Type(*tty, "/set parameter temperature hot\r",
       "temperature: expected a number from 0 to 100, got \"hot\"");
  // "Hllo", three steps left, "e": the message sent is "Hello".
  Send(*tty, std::string("Hllo") + kLeft + kLeft + kLeft + "e");
  // Up brings the last line back; Enter sends it again.
  Type(*tty, kUp, "Hello");
  Send(*tty, "");
  Type(*tty, "\"\"\"\r", "... ");
  Type(*tty, "two\r", "... ");
  Send(*tty, "lines\"\"\"");
  Type(*tty, "/show info\r", "mode:    chat");  // the last row
  EXPECT_NE(tty->output().find("backend: cpu"), std::string::npos) << tty->output();
  EXPECT_NE(tty->output().find("context: "), std::string::npos) << tty->output();
  Type(*tty, "/?\r", "/set parameter NAME VALUE");
  ASSERT_TRUE(tty->Write("/bye\r"));
  EXPECT_EQ(tty->WaitExit(seconds(30)), 0) << tty->output();

  CommandResult history = Hfctl({"--json", "history", "--name", "ai_completion", "-n", "3"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  const json spans = json::parse(history.out)["spans"];  // newest first
  ASSERT_EQ(spans.size(), 3u) << history.out;
  const json first = OneShot(json::array(), "Hello");
  EXPECT_EQ(spans[2]["attributes"]["captured_output"], first["text"]);
  EXPECT_EQ(spans[2]["attributes"]["prompt_tokens"], first["usage"]["prompt_tokens"]);
  const json before = json::array(
      {{{"role", "user"}, {"content", "Hello"}},
       {{"role", "assistant"}, {"content", spans[2]["attributes"]["captured_output"]}},
       {{"role", "user"}, {"content", "Hello"}},
       {{"role", "assistant"}, {"content", spans[1]["attributes"]["captured_output"]}}});
  const json last = OneShot(before, "two\nlines");
  EXPECT_EQ(spans[0]["attributes"]["captured_output"], last["text"]);
  EXPECT_EQ(spans[0]["attributes"]["prompt_tokens"], last["usage"]["prompt_tokens"]);

  // The history is private and outlives the session: Up in a new one shows the last line.
  const fs::path file = state_.path() / "hfd" / "chat_history";
  EXPECT_EQ(Mode(state_.path() / "hfd"), 0700u);
  EXPECT_EQ(Mode(file), 0600u);
  auto again = Terminal({"run", kModel});
  ASSERT_NE(again, nullptr);
  ASSERT_TRUE(again->WaitFor(">>> ", 0, seconds(120))) << again->output();
  Type(*again, kUp, "/bye");
  ASSERT_TRUE(again->Write("\x15\x04"));  // Ctrl-U empties the line, Ctrl-D quits
  EXPECT_EQ(again->WaitExit(seconds(30)), 0) << again->output();
}

TEST_F(InteractiveChat, ABaseModelContinuesTheText) {
  HFD_REQUIRE_FIXTURES(fixtures);
  // A GGUF without tokenizer.chat_template: a base model.
  const std::string model = (fixtures / "gguf" / "tiny-llama2-Q4_K_M.gguf").string();
  auto tty = Terminal({"run", model, "-n", "4", "--temperature", "0"});
  ASSERT_NE(tty, nullptr);
  ASSERT_TRUE(tty->WaitFor(">>> ", 0, seconds(120))) << tty->output() << daemon_->Log();
  EXPECT_NE(tty->output().find("has no chat template: each line continues the text"),
            std::string::npos)
      << tty->output();
  Send(*tty, "Once upon");
  Send(*tty, "a time");
  ASSERT_TRUE(tty->Write("\x04"));
  EXPECT_EQ(tty->WaitExit(seconds(30)), 0) << tty->output();
  // No turn failed, and the second prompt continued the first text.
  CommandResult history = Hfctl({"--json", "history", "--name", "ai_completion", "-n", "2"});
  const json spans = json::parse(history.out)["spans"];
  ASSERT_EQ(spans.size(), 2u) << history.out;
  EXPECT_FALSE(spans[0]["attributes"].contains("error")) << spans.dump();
  CommandResult direct = Hfctl(
      {"--json", "run", model,
       "Once upon" + spans[1]["attributes"]["captured_output"].get<std::string>() + "\na time",
       "-n", "4", "--temperature", "0"});
  const std::vector<json> results = Results(direct.out);
  ASSERT_EQ(results.size(), 1u) << direct.out << direct.err;
  EXPECT_EQ(spans[0]["attributes"]["captured_output"], results[0]["text"]);
}

}  // namespace
}  // namespace hfd::testing
