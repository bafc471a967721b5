// hfctl passes a local model's files, opened with the caller's rights, with every call
// that reads the model; checked against an in-process server whose methods of those names
// report what they received.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "tests/daemon/harness.h"
#include "tests/daemon/in_process_server.h"

namespace hfd::testing {
namespace {

using nlohmann::json;

// Replies with the params and the names and contents of the files passed.
void RegisterReporters(daemon::MethodRegistry& methods) {
  for (const char* name :
       {"tokenize", "detokenize", "render_chat", "load", "generate", "chat", "unload"}) {
    daemon::Method method;
    method.name = name;
    method.handler = daemon::Sync([](daemon::RequestContext& ctx) -> Result<json> {
      json files = json::array();
      for (const daemon::PassedFile& file : ctx.TakePassedFiles()) {
        char buffer[64];
        const ssize_t n = ::pread(file.fd.get(), buffer, sizeof(buffer), 0);
        files.push_back(file.name + "=" + std::string(buffer, n > 0 ? n : 0));
      }
      return json{{"files", files}, {"model", ctx.params().value("model", "")}};
    });
    ASSERT_TRUE(methods.Add(std::move(method)).ok());
  }
}

class HfctlFiles : public ::testing::Test {
 protected:
  HfctlFiles() : server_(RegisterReporters) {}

  void SetUp() override {
    ASSERT_TRUE(server_.started().ok()) << server_.started().ToString();
    ASSERT_FALSE(BinaryFromEnv("HFCTL_BIN").empty()) << "HFCTL_BIN is not set";
    for (const char* name : {"config.json", "tokenizer.json", "model.safetensors", "notes.md"}) {
      std::ofstream(model_.path() / name) << name;
    }
  }

  // hfctl --json ARGS: the result object it printed (for the streaming commands, the
  // "result" line).
  json Hfctl(std::vector<std::string> args) {
    args.insert(args.begin(), {BinaryFromEnv("HFCTL_BIN"), "--socket", server_.socket(), "--json"});
    CommandResult r = RunCommand(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const std::size_t line = r.out.rfind("{\"result\"");
    json printed = json::parse(line == std::string::npos ? r.out : r.out.substr(line), nullptr,
                               /*allow_exceptions=*/false);
    return printed.contains("result") ? printed["result"] : printed;
  }

  InProcessServer server_;
  TempDir model_;
};

TEST_F(HfctlFiles, EveryCommandThatReadsALocalModelPassesItsFiles) {
  const std::string dir = model_.path().string();
  const json expected = {"config.json=config.json", "tokenizer.json=tokenizer.json",
                         "model.safetensors=model.safetensors"};
  const std::vector<std::vector<std::string>> commands = {
      {"tokenize", dir, "hi"},
      {"detokenize", dir, "1"},
      {"chat", dir, "--show-prompt", "--system", "be brief"},
      {"load", dir},
      {"run", dir, "once upon a time"},
      {"chat", dir, "hello"},
  };
  for (const auto& command : commands) {
    const json result = Hfctl(command);
    EXPECT_EQ(result["files"], expected) << command[0] << ": " << result.dump();
    EXPECT_EQ(result["model"], dir) << command[0];
  }
}

TEST_F(HfctlFiles, UnloadAndHubIdsPassNothing) {
  EXPECT_EQ(Hfctl({"unload", model_.path().string()})["files"], json::array());
  EXPECT_EQ(Hfctl({"tokenize", "org/name", "hi"})["files"], json::array());
}

TEST_F(HfctlFiles, AModelTheCallerCannotOpenIsNotSent) {
  CommandResult r = RunCommand({BinaryFromEnv("HFCTL_BIN"), "--socket", server_.socket(),
                                "tokenize", (model_.path() / "missing.gguf").string(), "hi"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("missing.gguf: No such file or directory"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace hfd::testing
