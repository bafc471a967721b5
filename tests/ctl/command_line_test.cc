// hfctl's command line, without a daemon: global flags after the command, "did you mean"
// for mistyped commands and flags, help, --version, and messages for bad numbers.
#include <gtest/gtest.h>

#include "tests/daemon/harness.h"

namespace hfd::testing {
namespace {

CommandResult Hfctl(std::vector<std::string> args) {
  args.insert(args.begin(), BinaryFromEnv("HFCTL_BIN"));
  return RunCommand(args);
}

TEST(CommandLine, GlobalFlagsWorkAfterTheCommand) {
  // The socket given after the command is the one tried, and the error comes as JSON.
  CommandResult r = Hfctl({"status", "--socket", "/nonexistent/hfd.sock", "--json"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("/nonexistent/hfd.sock"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.rfind("{\"error\":", 0), 0u) << r.out;
  CommandResult tokenize =
      Hfctl({"tokenize", "org/name", "Hello world", "--json", "--socket", "/nonexistent/s"});
  EXPECT_EQ(tokenize.exit_code, 3) << tokenize.err;
  EXPECT_EQ(tokenize.out.rfind("{\"error\":", 0), 0u) << tokenize.out;
  CommandResult help = Hfctl({"tokenize", "org/name", "Hello world", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Usage: hfctl tokenize"), std::string::npos) << help.out;
}

TEST(CommandLine, MistypedCommandsAndFlagsGetASuggestion) {
  CommandResult command = Hfctl({"stauts"});
  EXPECT_EQ(command.exit_code, 2);
  EXPECT_NE(command.err.find("unknown command 'stauts'; did you mean 'status'?"), std::string::npos)
      << command.err;
  CommandResult flag = Hfctl({"run", "org/name", "Hi", "--temprature", "0"});
  EXPECT_EQ(flag.exit_code, 2);
  EXPECT_NE(flag.err.find("unknown flag --temprature for 'run'; did you mean --temperature?"),
            std::string::npos)
      << flag.err;
  EXPECT_NE(flag.err.find("hfctl help run"), std::string::npos) << flag.err;
}

TEST(CommandLine, HelpListsCommandsOrExplainsOne) {
  CommandResult all = Hfctl({"help"});
  EXPECT_EQ(all.exit_code, 0);
  for (const char* command : {"status", "pull", "run", "chat", "history", "help"}) {
    EXPECT_NE(all.out.find(command), std::string::npos) << command << "\n" << all.out;
  }
  CommandResult run = Hfctl({"help", "run"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("--temperature"), std::string::npos) << run.out;
  CommandResult unknown = Hfctl({"help", "rnu"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("did you mean 'run'?"), std::string::npos) << unknown.err;
}

TEST(CommandLine, VersionWithEitherFlag) {
  for (const char* flag : {"--version", "-v"}) {
    CommandResult r = Hfctl({flag});
    EXPECT_EQ(r.exit_code, 0) << flag;
    EXPECT_EQ(r.out.rfind("hfctl ", 0), 0u) << flag << ": " << r.out;
  }
}

TEST(CommandLine, BadNumbersNameTheFlagAndWhatItExpects) {
  CommandResult ctx = Hfctl({"run", "org/name", "Hi", "--ctx", "4k"});
  EXPECT_EQ(ctx.exit_code, 2);
  EXPECT_NE(ctx.err.find("--ctx: expected a whole number of tokens ≥ 16, got \"4k\""),
            std::string::npos)
      << ctx.err;
  CommandResult temperature = Hfctl({"chat", "org/name", "Hi", "--temperature", "hot"});
  EXPECT_EQ(temperature.exit_code, 2);
  EXPECT_NE(temperature.err.find("--temperature: expected a number from 0 to 100, got \"hot\""),
            std::string::npos)
      << temperature.err;
}

}  // namespace
}  // namespace hfd::testing
