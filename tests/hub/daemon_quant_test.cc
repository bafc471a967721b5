// Quants of a GGUF repo, and the ways people name a model, through hfctl and a real daemon:
// `org/name` picks one default by one rule (and says which), `ls` and `ps` show quants,
// `rm org/name:QUANT` removes only that quant, refusing a resident model's files without
// --force; pasted Hub URLs, Ollama's hf.co references and a bare model.gguf work, and a
// name close to a cached one gets "did you mean".
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/hub/daemon_hub_fixture.h"

namespace hfd::hub::testing {
namespace {

namespace fs = std::filesystem;
using ::hfd::testing::CommandResult;
using nlohmann::json;

constexpr const char* kRepo = "test/tiny-llama-GGUF";

// Two quants of one repo; the test Hub reads them through links to the fixtures.
class DaemonQuantTest : public DaemonHubTest {
 protected:
  void SetUp() override {
    HFD_REQUIRE_FIXTURES(fixtures);
    ServeFixture(kRepo, fixtures / "gguf/tiny-llama3-Q8_0.gguf", "tiny-llama.Q8_0.gguf");
    ServeFixture(kRepo, fixtures / "gguf/tiny-llama2-Q4_K_M.gguf", "tiny-llama.Q4_K_M.gguf");
    DaemonHubTest::SetUp();
  }

  fs::path Snapshot() const {
    for (const auto& entry :
         fs::directory_iterator(cache_.path() / "hub/models--test--tiny-llama-GGUF/snapshots")) {
      return entry.path();
    }
    return {};
  }

  // The `ls` rows' first words.
  std::vector<std::string> ListedNames() const {
    CommandResult ls = Hfctl({"ls"});
    EXPECT_EQ(ls.exit_code, 0) << ls.err;
    std::vector<std::string> names;
    std::istringstream in(ls.out);
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) names.push_back(line.substr(0, line.find(' ')));
    return names;
  }
};

TEST_F(DaemonQuantTest, PullOfTheRepoPicksQ4KMAndLsListsEachQuant) {
  CommandResult pulled = Hfctl({"--json", "pull", kRepo});
  ASSERT_EQ(pulled.exit_code, 0) << pulled.err << daemon_->Log();
  const json result = JsonLines(pulled.out).back()["result"];
  EXPECT_EQ(result["quant"], "Q4_K_M");
  EXPECT_TRUE(result["quant_picked"].get<bool>());
  EXPECT_EQ(result["files"], json::array({"tiny-llama.Q4_K_M.gguf"}));

  CommandResult again = Hfctl({"pull", kRepo});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("this is Q4_K_M, the default"), std::string::npos) << again.out;
  ASSERT_EQ(Hfctl({"pull", std::string(kRepo) + ":q8_0"}).exit_code, 0);

  EXPECT_EQ(ListedNames(), (std::vector<std::string>{std::string(kRepo) + ":Q4_K_M",
                                                     std::string(kRepo) + ":Q8_0"}));
  const json listed = json::parse(Hfctl({"--json", "ls"}).out);
  const json quants = listed["models"][0]["revisions"][0]["quants"];
  ASSERT_EQ(quants.size(), 2u) << listed.dump();
  EXPECT_EQ(quants[1]["size"], fs::file_size(Snapshot() / "tiny-llama.Q8_0.gguf"));
}

TEST_F(DaemonQuantTest, LoadOfTheRepoServesTheDefaultAndPsShowsIt) {
  CommandResult loaded = Hfctl({"--json", "load", kRepo, "--ctx", "64"});
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err << daemon_->Log();
  bool told = false;
  for (const json& line : JsonLines(loaded.out)) {
    if (line.contains("notice")) {
      told |=
          line["notice"]["message"].get<std::string>().find("serving Q4_K_M") != std::string::npos;
    }
  }
  EXPECT_TRUE(told) << loaded.out;
  EXPECT_EQ(JsonLines(loaded.out).back()["result"]["quant"], "Q4_K_M");

  CommandResult ps = Hfctl({"ps"});
  ASSERT_EQ(ps.exit_code, 0) << ps.err;
  EXPECT_NE(ps.out.find("QUANT"), std::string::npos) << ps.out;
  EXPECT_NE(ps.out.find(" Q4_K_M "), std::string::npos) << ps.out;
  EXPECT_NE(ps.out.find("tiny-llama.Q4_K_M.gguf"), std::string::npos) << ps.out;
}

TEST_F(DaemonQuantTest, RmOfOneQuantLeavesTheOtherLoadable) {
  const std::string q8 = std::string(kRepo) + ":Q8_0";
  const std::string q4 = std::string(kRepo) + ":Q4_K_M";
  ASSERT_EQ(Hfctl({"pull", q8}).exit_code, 0);
  ASSERT_EQ(Hfctl({"pull", q4}).exit_code, 0);
  CommandResult loaded = Hfctl({"load", q8, "--ctx", "64"});
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err << daemon_->Log();

  CommandResult refused = Hfctl({"rm", q8});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("resident model " + q8), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("hfctl rm --force " + q8), std::string::npos) << refused.err;
  EXPECT_TRUE(fs::exists(Snapshot() / "tiny-llama.Q8_0.gguf"));

  CommandResult unknown = Hfctl({"rm", std::string(kRepo) + ":Q5_K_M"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("cached quants: Q4_K_M, Q8_0"), std::string::npos) << unknown.err;

  CommandResult removed = Hfctl({"rm", "--force", q8});
  ASSERT_EQ(removed.exit_code, 0) << removed.err << daemon_->Log();
  EXPECT_NE(removed.out.find("unloaded " + q8), std::string::npos) << removed.out;
  EXPECT_NE(removed.out.find("removed " + q8 + " (1 file, "), std::string::npos) << removed.out;
  EXPECT_EQ(json::parse(Hfctl({"--json", "ps"}).out)["models"].size(), 0u);
  EXPECT_FALSE(fs::exists(Snapshot() / "tiny-llama.Q8_0.gguf"));
  EXPECT_EQ(ListedNames(), std::vector<std::string>{q4});
  EXPECT_EQ(Hfctl({"rm", q8}).exit_code, 1);

  CommandResult run = Hfctl({"run", q4, "Once upon a time", "-n", "2", "--ctx", "64"});
  EXPECT_EQ(run.exit_code, 0) << run.err << daemon_->Log();
  // The log names the models it pulled, loaded, unloaded and removed.
  const std::string log = daemon_->Log();
  for (const std::string& line :
       {"pulled " + q8 + " (pull ", "loaded " + q8 + " on cpu", "unloaded " + q8 + " (0 request",
        "removed " + q8 + " from the Hub cache: 1 file(s)"}) {
    EXPECT_NE(log.find(line), std::string::npos) << line << "\n" << log;
  }
}

TEST_F(DaemonQuantTest, PastedUrlsAndOllamaReferencesName) {
  // Nothing cached: the page's model is pulled with the default quant.
  CommandResult page = Hfctl({"run", "https://huggingface.co/test/tiny-llama-GGUF/tree/main",
                              "Once upon a time", "-n", "2", "--ctx", "64"});
  EXPECT_EQ(page.exit_code, 0) << page.err << daemon_->Log();
  EXPECT_NE(page.err.find("serving Q4_K_M"), std::string::npos) << page.err;

  CommandResult file = Hfctl({"--json", "pull",
                              "https://huggingface.co/test/tiny-llama-GGUF/blob/main/"
                              "tiny-llama.Q8_0.gguf?download=true"});
  ASSERT_EQ(file.exit_code, 0) << file.err << daemon_->Log();
  const json pulled = JsonLines(file.out).back()["result"];
  EXPECT_EQ(pulled["model"], kRepo);
  EXPECT_EQ(pulled["files"], json::array({"tiny-llama.Q8_0.gguf"}));

  CommandResult ollama =
      Hfctl({"--json", "load", "hf.co/test/tiny-llama-GGUF:q8_0", "--ctx", "64"});
  ASSERT_EQ(ollama.exit_code, 0) << ollama.err << daemon_->Log();
  const json loaded = JsonLines(ollama.out).back()["result"];
  EXPECT_EQ(loaded["model"], std::string(kRepo) + ":q8_0");
  EXPECT_EQ(loaded["quant"], "Q8_0");
}

TEST_F(DaemonQuantTest, ABareModelFileHereIsALocalModel) {
  HFD_REQUIRE_FIXTURES(fixtures);
  const fs::path here = cache_.path() / "work";
  fs::create_directories(here);
  fs::create_symlink(fixtures / "gguf/tiny-llama3-Q8_0.gguf", here / "model.gguf");
  std::vector<std::string> argv{"/bin/sh", "-c", "cd \"$1\" && shift && exec \"$@\"", "sh",
                                here.string()};
  for (std::string& a :
       HfctlArgv({"--json", "run", "model.gguf", "Hi", "-n", "1", "--ctx", "64"})) {
    argv.push_back(std::move(a));
  }
  CommandResult run = ::hfd::testing::RunCommand(argv);
  ASSERT_EQ(run.exit_code, 0) << run.err << daemon_->Log();
  EXPECT_EQ(JsonLines(run.out).back()["result"]["model"], (here / "model.gguf").string());
}

TEST_F(DaemonQuantTest, ANameCloseToACachedOneGetsDidYouMean) {
  ASSERT_EQ(Hfctl({"pull", std::string(kRepo) + ":Q8_0"}).exit_code, 0);
  ASSERT_EQ(Hfctl({"pull", std::string(kRepo) + ":Q4_K_M"}).exit_code, 0);
  CommandResult typo = Hfctl({"run", "test/tiny-lama-GGUF:Q8_0", "Hi"});
  EXPECT_EQ(typo.exit_code, 1);
  EXPECT_NE(typo.err.find("did you mean test/tiny-llama-GGUF:Q8_0 (cached)?"), std::string::npos)
      << typo.err;
  CommandResult quant = Hfctl({"tokenize", std::string(kRepo) + ":Q5_K_M", "Hi"});
  EXPECT_EQ(quant.exit_code, 1);
  EXPECT_NE(quant.err.find("did you mean test/tiny-llama-GGUF:Q4_K_M"), std::string::npos)
      << quant.err;
  CommandResult far = Hfctl({"tokenize", "other/model", "Hi"});
  EXPECT_EQ(far.exit_code, 1);
  EXPECT_EQ(far.err.find("did you mean"), std::string::npos) << far.err;
}

}  // namespace
}  // namespace hfd::hub::testing
