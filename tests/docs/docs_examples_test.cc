// Every example command of README.md and docs/hfctl.md runs against a real daemon and the
// test Hub, so the docs cannot drift from what hfctl does. The documents are read when the
// test runs: whoever edits an example edits what is tested.
//
// Which lines (tests/docs/doc_examples.h): in ```sh blocks those starting with `hfctl` or
// piping into it, in ```console blocks the `$ hfctl` ones. They run in document order,
// each in its own `bash -c` from a folder holding what the examples name (model.gguf,
// my-model-dir, conversation.json, ~/.hf-token), with hfctl on PATH, HFD_SOCKET set and no
// input, and must exit 0. A line ending in `# not run in tests: WHY` (an interactive chat)
// is only parsed: it runs with "Hello" as input against a socket where no daemon listens,
// and must get as far as connecting (exit 3), so its command, flags and arguments are
// checked. The docs name real Hub models; the test Hub serves tiny fixture models under
// those names (kStandIns), so the commands run as written.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/daemon/harness.h"
#include "tests/docs/doc_examples.h"
#include "tests/hub/test_hub_server.h"
#include "tests/support/fixtures.h"

namespace hfd::testing {
namespace {

namespace fs = std::filesystem;

// A file of a Hub repo the docs name, and the fixture (under the fixtures folder) the test
// Hub serves as it; a folder fixture stands for all its files.
struct StandIn {
  const char* repo;
  const char* file;  // "" with a folder fixture
  const char* fixture;
};
constexpr StandIn kStandIns[] = {
    {"Qwen/Qwen2.5-0.5B-Instruct-GGUF", "qwen2.5-0.5b-instruct-q4_k_m.gguf",
     "gguf/tiny-qwen2-Q8_0.gguf"},
    {"Qwen/Qwen2.5-0.5B-Instruct-GGUF", "qwen2.5-0.5b-instruct-q8_0.gguf",
     "gguf/tiny-qwen2-Q8_0.gguf"},
    {"Qwen/Qwen2.5-0.5B-Instruct", "", "models/tiny-qwen2"},
    {"meta-llama/Llama-3.2-1B", "", "models/tiny-llama3"},
    {"demo/tiny-random-llama", "tiny-random-llama-Q8_0.gguf", "gguf/tiny-llama3-Q8_0.gguf"},
    // An absolute fixture path: the tiny BERT committed with its tests.
    {"CompendiumLabs/bge-small-en-v1.5-gguf", "bge-small-en-v1.5-f16.gguf",
     HFD_SOURCE_DIR "/tests/embed/testdata/tiny-bert.gguf"},
};

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A shell word for `text`.
std::string Quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

TEST(DocExamplesTest, ExtractsHfctlLinesOfShellAndConsoleBlocksWithTheirMarker) {
  const std::string markdown =
      "hfctl outside a block\n"
      "```sh\n"
      "hfctl status                # says \"#\" here\n"
      "echo 'a # b' | hfctl run m  # not run in tests: interactive\n"
      "systemctl --user start hfd.socket\n"
      "                            # hfctl in a comment\n"
      "```\n"
      "```\n"
      "hfctl load MODEL [--ctx N]\n"
      "```\n"
      "  ```console\n"
      "  $ hfctl ps\n"
      "  MODEL  hfctl in output\n"
      "  ```\n";
  const std::vector<DocExample> examples = DocExamples(markdown);
  ASSERT_EQ(examples.size(), 3u);
  EXPECT_EQ(examples[0].command, "hfctl status");
  EXPECT_EQ(examples[0].line, 3);
  EXPECT_FALSE(examples[0].parse_only);
  EXPECT_EQ(examples[1].command, "echo 'a # b' | hfctl run m");
  EXPECT_TRUE(examples[1].parse_only);
  EXPECT_EQ(examples[1].why, "interactive");
  EXPECT_EQ(examples[2].command, "hfctl ps");
}

class DocsExamples : public ::testing::Test {
 protected:
  void SetUp() override {
    HFD_REQUIRE_FIXTURES(fixtures);
    for (const StandIn& s : kStandIns) {
      const fs::path revision = hub_.root() / s.repo / "revisions/main";
      fs::create_directories(revision);
      if (*s.file != '\0') {
        fs::create_symlink(fixtures / s.fixture, revision / s.file);
        continue;
      }
      for (const auto& entry : fs::directory_iterator(fixtures / s.fixture)) {
        fs::create_symlink(entry.path(), revision / entry.path().filename());
      }
    }
    ASSERT_TRUE(hub_.Start());
    const fs::path work = dir_.path() / "work";
    const fs::path home = dir_.path() / "home";
    fs::create_directories(work);
    fs::create_directories(home);
    fs::create_directories(dir_.path() / "bin");
    fs::create_symlink(BinaryFromEnv("HFCTL_BIN"), dir_.path() / "bin/hfctl");
    fs::create_symlink(fixtures / "gguf/tiny-llama3-Q8_0.gguf", work / "model.gguf");
    fs::create_symlink(fixtures / "models/tiny-llama3", work / "my-model-dir");
    std::ofstream(work / "conversation.json") << R"([{"role": "user", "content": "Hello"}])";
    std::ofstream(home / ".hf-token") << "hf_docs_example\n";
    // The daemon's Hub settings, inherited from here; the caller's home is its own.
    ::setenv("HF_ENDPOINT", hub_.endpoint().c_str(), 1);
    ::setenv("HF_HUB_CACHE", (dir_.path() / "daemon-cache/hub").c_str(), 1);
    ::setenv("HF_HOME", (dir_.path() / "daemon-cache").c_str(), 1);
    ::unsetenv("HF_TOKEN");
    ::unsetenv("HF_HUB_OFFLINE");
    daemon_ = std::make_unique<DaemonFixture>(std::vector<std::string>{"--backend", "cpu"});
    ASSERT_TRUE(daemon_->started()) << daemon_->Log();
  }

  // Runs `example` of `document` as the file's header says; fails the test when it does
  // not end as it should.
  void Check(const std::string& document, const DocExample& example) {
    const fs::path home = dir_.path() / "home";
    const std::string socket =
        example.parse_only ? (dir_.path() / "no-daemon.sock").string() : daemon_->socket();
    const std::string input = example.parse_only ? "printf 'Hello\\n'" : "true";
    const std::string script = "cd " + Quoted((dir_.path() / "work").string()) + " && " + input +
                               " | { " + example.command + "; }";
    const CommandResult r = RunCommand(
        {"/bin/bash", "-c", script},
        {"PATH=" + (dir_.path() / "bin").string() + ":/usr/bin:/bin", "HFD_SOCKET=" + socket,
         "HOME=" + home.string(), "HF_HOME=" + (home / ".cache/huggingface").string()});
    const int expected = example.parse_only ? 3 : 0;
    EXPECT_EQ(r.exit_code, expected)
        << document << ":" << example.line << ": " << example.command
        << (example.parse_only ? " (parse only: " + example.why + ")" : "") << "\nstdout:\n"
        << r.out << "\nstderr:\n"
        << r.err;
    if (r.exit_code != expected) std::cerr << "--- hfd log ---\n" << daemon_->Log();
  }

  // Runs every example of `document` (relative to the source tree); returns how many ran.
  int RunDocument(const std::string& document) {
    const std::string markdown = ReadText(fs::path(HFD_SOURCE_DIR) / document);
    EXPECT_FALSE(markdown.empty()) << document;
    int ran = 0;
    for (const DocExample& example : DocExamples(markdown)) {
      Check(document, example);
      ran += example.parse_only ? 0 : 1;
    }
    return ran;
  }

  TempDir dir_;
  hub::testing::TestHubServer hub_;
  std::unique_ptr<DaemonFixture> daemon_;
};

// One test for both documents, in the order a reader meets them: the README's commands
// pull what docs/hfctl.md's use, as a user following the docs would have.
TEST_F(DocsExamples, EveryExampleOfTheReadmeAndHfctlDocRuns) {
  EXPECT_GE(RunDocument("README.md"), 15);
  EXPECT_GE(RunDocument("docs/hfctl.md"), 5);
}

}  // namespace
}  // namespace hfd::testing
