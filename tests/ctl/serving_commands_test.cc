// hfctl's serving commands (load, unload, ps, run, chat) against a real hfd that pulls
// the quick start's demo model (tools/hfd-make-demo-model) from the test Hub server:
// what goes to stdout and stderr, JSON lines, stdin prompts, the interactive chat on a
// real pseudo-terminal (Ctrl-C, Ctrl-D, /bye), flags reaching the daemon, exit codes.
#include <algorithm>

#include <fmt/format.h>

#include "proto/json_msgpack.h"
#include "tests/ctl/serving_fixture.h"

namespace hfd::testing {
namespace {

TEST_F(ServingCommands, LoadPullsFirstThenPsListsThenUnloadReleases) {
  CommandResult load = Hfctl({"load", kModel, "--keep-alive", "-1", "--ctx", "512"});
  ASSERT_EQ(load.exit_code, 0) << load.err << daemon_->Log();
  EXPECT_EQ(load.out.rfind(std::string("loaded ") + kModel + " in ", 0), 0u) << load.out;
  EXPECT_NE(load.out.find(" s on cpu: "), std::string::npos) << load.out;
  EXPECT_NE(load.out.find("context 512 tokens"), std::string::npos) << load.out;
  EXPECT_NE(load.out.find("stays loaded until `hfctl unload`"), std::string::npos) << load.out;
  // Not a terminal: progress comes as plain lines on stderr, never on stdout.
  EXPECT_NE(load.err.find("loading "), std::string::npos) << load.err;
  EXPECT_EQ(load.out.find("loading "), std::string::npos) << load.out;

  CommandResult ps = Hfctl({"ps"});
  ASSERT_EQ(ps.exit_code, 0) << ps.err;
  EXPECT_EQ(ps.out.rfind("MODEL", 0), 0u) << ps.out;
  EXPECT_NE(ps.out.find(kModel), std::string::npos) << ps.out;
  EXPECT_NE(ps.out.find("never"), std::string::npos) << ps.out;
  EXPECT_NE(ps.out.find("memory: "), std::string::npos) << ps.out;
  EXPECT_NE(ps.out.find(" EXPERTS "), std::string::npos) << ps.out;
  EXPECT_NE(ps.out.find(" RESIDENT "), std::string::npos) << ps.out;
  const json listed = json::parse(Hfctl({"--json", "ps"}).out);
  ASSERT_EQ(listed["models"].size(), 1u) << listed.dump();
  EXPECT_EQ(listed["models"][0]["ctx"], 512);
  EXPECT_EQ(listed["models"][0]["keep_alive_seconds"], -1);
  EXPECT_EQ(listed["models"][0]["expert_count"], 0);  // a dense model
  EXPECT_TRUE(listed["models"][0]["resident_weights_bytes"].is_number()) << listed.dump();

  CommandResult unload = Hfctl({"unload", kModel});
  ASSERT_EQ(unload.exit_code, 0) << unload.err;
  EXPECT_EQ(unload.out.rfind("unloaded ", 0), 0u) << unload.out;
  EXPECT_EQ(Hfctl({"ps"}).out.rfind("no models loaded", 0), 0u);
  CommandResult again = Hfctl({"unload", kModel});
  EXPECT_EQ(again.exit_code, 1) << again.out;
}

TEST_F(ServingCommands, RunPrintsOnlyTheCompletionAndStatisticsOnStderr) {
  const json expected = GreedyResult("Once upon a time", "12");
  ASSERT_TRUE(expected.is_object());
  const std::string text = expected["text"];
  ASSERT_FALSE(text.empty());
  CommandResult r = Hfctl({"run", kModel, "Once upon a time", "-n", "12", "--temperature", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, text.back() == '\n' ? text : text + "\n");
  EXPECT_NE(r.err.find("tokens/s"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("prompt tokens"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("first token"), std::string::npos) << r.err;
  CommandResult quiet =
      Hfctl({"run", kModel, "Once upon a time", "-n", "12", "--temperature", "0", "--quiet"});
  EXPECT_EQ(quiet.out, r.out);
  EXPECT_EQ(quiet.err, "");
}

// The snapshot's file is a link to blobs/<sha>: its name, not the blob's, makes it a GGUF.
TEST_F(ServingCommands, RunTakesAFileInsideACachedSnapshot) {
  ASSERT_EQ(Hfctl({"pull", kModel}).exit_code, 0);
  const fs::path snapshots =
      cache_.path() / "hub" / "models--demo--tiny-random-llama" / "snapshots";
  ASSERT_TRUE(fs::is_directory(snapshots));
  const fs::path commit = fs::directory_iterator(snapshots)->path();
  const fs::path file = commit / "tiny-random-llama-Q8_0.gguf";
  ASSERT_TRUE(fs::is_symlink(file));
  const json by_id = GreedyResult("Once upon a time", "4");
  CommandResult r =
      Hfctl({"--json", "run", file.string(), "Once upon a time", "-n", "4", "--temperature", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err << daemon_->Log();
  const std::vector<json> results = Results(r.out);
  ASSERT_EQ(results.size(), 1u) << r.out;
  EXPECT_EQ(results[0]["text"], by_id["text"]);
}

TEST_F(ServingCommands, JsonIsOneLinePerNotificationThenTheResult) {
  CommandResult r =
      Hfctl({"--json", "run", kModel, "Once upon a time", "-n", "6", "--temperature", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<json> lines = JsonLines(r.out);
  ASSERT_GE(lines.size(), 2u) << r.out;
  std::string streamed;
  int tokens = 0;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    ASSERT_TRUE(lines[i].is_object() && lines[i].size() == 1) << lines[i].dump();
    const std::string kind = lines[i].begin().key();
    EXPECT_TRUE(kind == "token" || kind == "loading" || kind == "progress" || kind == "queued")
        << kind;
    EXPECT_FALSE(lines[i].begin().value().contains("msgid"));
    if (kind == "token") {
      streamed += lines[i]["token"]["text"].get<std::string>();
      tokens += lines[i]["token"]["tokens"].get<int>();
    }
  }
  const json& result = lines.back()["result"];
  EXPECT_EQ(streamed, result["text"]);
  EXPECT_EQ(tokens, result["usage"]["completion_tokens"]);
  EXPECT_EQ(result["usage"]["completion_tokens"], 6);
  EXPECT_EQ(result["stop_reason"], "length");
}

TEST_F(ServingCommands, APipedPromptIsReadFromStdin) {
  CommandResult direct =
      Hfctl({"run", kModel, "Once upon a time", "-n", "6", "--temperature", "0", "-q"});
  ASSERT_EQ(direct.exit_code, 0) << direct.err;
  CommandResult piped =
      HfctlWithInput("Once upon a time\n", {"run", kModel, "-n", "6", "--temperature", "0", "-q"});
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.out, direct.out);
}

TEST_F(ServingCommands, FlagsReachTheDaemon) {
  const json greedy = GreedyResult("Once upon a time", "16");
  ASSERT_TRUE(greedy.is_object());
  const std::string text = greedy["text"];
  ASSERT_GE(text.size(), 12u);
  // A stop string taken from the middle of the greedy text ends it there.
  const std::string stop = text.substr(text.size() / 2, 3);
  CommandResult stopped = Hfctl({"--json", "run", kModel, "Once upon a time", "-n", "16",
                                 "--temperature", "0", "--stop", "never-there", "--stop", stop});
  ASSERT_EQ(stopped.exit_code, 0) << stopped.err;
  const std::vector<json> results = Results(stopped.out);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0]["stop_reason"], "stop");
  EXPECT_EQ(results[0]["text"], text.substr(0, text.find(stop)));

  // The same seed samples the same tokens.
  const std::vector<std::string> sampled{"run",     kModel,    "Once upon a time",
                                         "-n",      "8",       "--temperature",
                                         "1.5",     "--top-k", "0",
                                         "--top-p", "1",       "--min-p",
                                         "0",       "--seed",  "7",
                                         "-q"};
  CommandResult first = Hfctl(sampled);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(Hfctl(sampled).out, first.out);
}

TEST_F(ServingCommands, PipedChatResendsTheConversationAndReusesTheCache) {
  CommandResult r = HfctlWithInput("Hello there\nAnd then?\n",
                                   {"--json", "chat", kModel, "-n", "5", "--temperature", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err << daemon_->Log();
  const std::vector<json> results = Results(r.out);
  ASSERT_EQ(results.size(), 2u) << r.out;
  const int first_prompt = results[0]["usage"]["prompt_tokens"];
  EXPECT_GT(results[1]["usage"]["prompt_tokens"].get<int>(), first_prompt);
  // The second turn's prompt starts with the first: only the new part is prefilled.
  EXPECT_GE(results[1]["usage"]["cached_tokens"].get<int>(), first_prompt);
  EXPECT_EQ(results[0]["message"]["role"], "assistant");
}

TEST_F(ServingCommands, ChatWithAMessageAnswersOnce) {
  CommandResult r =
      Hfctl({"chat", kModel, "--system", "Be brief.", "Hi", "-n", "4", "--temperature", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err << daemon_->Log();
  EXPECT_NE(r.err.find("tokens/s"), std::string::npos) << r.err;
  // Now that it is cached, the prompt that chat sent can be shown.
  CommandResult shown = Hfctl({"chat", kModel, "--system", "Be brief.", "Hi", "--show-prompt"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(shown.out,
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
            "<|im_start|>assistant\n");
}

TEST_F(ServingCommands, InteractiveRunChatsOnATerminalUntilBye) {
  ASSERT_EQ(Hfctl({"pull", kModel}).exit_code, 0);
  auto tty = PtyProcess::Start(Argv({"run", kModel, "-n", "8", "--temperature", "0"}));
  ASSERT_NE(tty, nullptr);
  auto prompt = tty->WaitFor(">>> ", 0, seconds(120));
  ASSERT_TRUE(prompt) << tty->output() << daemon_->Log();
  ASSERT_TRUE(tty->Write("Hello\n"));
  auto next = tty->WaitFor(">>> ", *prompt + 4, seconds(120));
  ASSERT_TRUE(next) << tty->output();
  EXPECT_NE(tty->output().find("tokens/s", *prompt), std::string::npos) << tty->output();
  ASSERT_TRUE(tty->Write("/bye\n"));
  EXPECT_EQ(tty->WaitExit(seconds(30)), 0) << tty->output();
}

TEST_F(ServingCommands, CtrlCStopsTheAnswerAndStaysInTheChat) {
  ASSERT_EQ(Hfctl({"pull", kModel}).exit_code, 0);
  // No token limit: the answer runs until the context is full, unless interrupted.
  auto tty = PtyProcess::Start(Argv({"run", kModel, "-n", "-1", "--ctx", "2048"}));
  ASSERT_NE(tty, nullptr);
  auto prompt = tty->WaitFor(">>> ", 0, seconds(120));
  ASSERT_TRUE(prompt) << tty->output() << daemon_->Log();
  ASSERT_TRUE(tty->Write("Tell me a long story\n"));
  auto echoed = tty->WaitFor("story\r\n", *prompt, seconds(30));
  ASSERT_TRUE(echoed) << tty->output();
  ASSERT_TRUE(tty->WaitForOutputBeyond(*echoed + 64, seconds(120))) << tty->output();
  ASSERT_TRUE(tty->Write("\x03"));
  auto cancelled = tty->WaitFor("cancel", *echoed, seconds(60));
  ASSERT_TRUE(cancelled) << tty->output();
  ASSERT_TRUE(tty->WaitFor(">>> ", *cancelled, seconds(60))) << tty->output();
  // Ctrl-C at the prompt only says how to quit; Ctrl-D quits.
  const size_t before = tty->output().size();
  ASSERT_TRUE(tty->Write("\x03"));
  ASSERT_TRUE(tty->WaitFor("Use Ctrl + d or /bye to exit.", before, seconds(30))) << tty->output();
  ASSERT_TRUE(tty->WaitFor(">>> ", before, seconds(30)));
  ASSERT_TRUE(tty->Write("\x04"));
  EXPECT_EQ(tty->WaitExit(seconds(30)), 0) << tty->output();
}

// The text table shows a generation's output cut to one short line; --full and --json
// give all of it.
TEST_F(ServingCommands, HistoryTableKeepsEachSpanOnOneLine) {
  const json result = GreedyResult("Once upon a time", "48");
  ASSERT_TRUE(result.is_object());
  const std::string text = result["text"];
  ASSERT_GT(text.size(), 80u);
  const std::string whole = proto::DumpJson(text);  // as the JSON of the attributes shows it
  CommandResult table = Hfctl({"history", "--name", "ai_completion"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(std::count(table.out.begin(), table.out.end(), '\n'), 2) << table.out;  // header, span
  EXPECT_EQ(table.out.find(whole), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("…\""), std::string::npos) << table.out;
  CommandResult full = Hfctl({"history", "--name", "ai_completion", "--full"});
  EXPECT_NE(full.out.find(whole), std::string::npos) << full.out;
  const json spans = json::parse(Hfctl({"--json", "history", "--name", "ai_completion"}).out);
  EXPECT_EQ(spans["spans"][0]["attributes"]["captured_output"], text);
}

// The daemon has just started: --wait-probe shows the backends once probed, with the Hub
// it pulls from and its cache.
TEST_F(ServingCommands, StatusWaitsForTheProbeAndShowsTheHub) {
  CommandResult r = Hfctl({"status", "--wait-probe"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("probing"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(fmt::format("hub:            {} (cache {})", hub_.endpoint(),
                                   (cache_.path() / "hub").string())),
            std::string::npos)
      << r.out;
  const json status = json::parse(Hfctl({"--json", "status"}).out);
  EXPECT_EQ(status["hub"]["endpoint"], hub_.endpoint());
  EXPECT_EQ(status["hub"]["cache_dir"], (cache_.path() / "hub").string());
}

TEST_F(ServingCommands, BadArgumentsAreUsageErrors) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"run", kModel, "x", "--temperature", "-1"},
        {"run", kModel, "x", "--keep-alive", "soon"},
        {"run", kModel, "x", "--backend", "tpu"},
        {"run", kModel, "x", "--ctx", "8"},
        {"load", kModel, "--max-concurrency", "0"},
        {"chat", kModel, "--messages", "/nonexistent.json", "Hi"}}) {
    CommandResult r = Hfctl(args);
    EXPECT_EQ(r.exit_code, 2) << args[2] << " " << args[3] << ": " << r.err;
  }
  // stdin is /dev/null here: neither a terminal nor a prompt.
  CommandResult no_prompt = Hfctl({"run", kModel});
  EXPECT_EQ(no_prompt.exit_code, 2);
  EXPECT_NE(no_prompt.err.find("no prompt"), std::string::npos) << no_prompt.err;
  CommandResult no_message = Hfctl({"chat", kModel});
  EXPECT_EQ(no_message.exit_code, 2);
  EXPECT_NE(no_message.err.find("no message"), std::string::npos) << no_message.err;
}

TEST_F(ServingCommands, DaemonErrorsExitOneAndUnreachableThree) {
  CommandResult unknown = Hfctl({"run", "demo/no-such-model", "x", "-n", "2"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("hfctl: "), std::string::npos) << unknown.err;
  CommandResult json_error = Hfctl({"--json", "run", "demo/no-such-model", "x"});
  EXPECT_EQ(json_error.exit_code, 1);
  const std::vector<json> lines = JsonLines(json_error.out);
  ASSERT_FALSE(lines.empty()) << json_error.out;
  EXPECT_TRUE(lines.back().contains("error")) << json_error.out;
  CommandResult unreachable = RunCommand(
      {BinaryFromEnv("HFCTL_BIN"), "--socket", "/nonexistent/hfd.sock", "run", kModel, "x"});
  EXPECT_EQ(unreachable.exit_code, 3);
}

}  // namespace
}  // namespace hfd::testing
