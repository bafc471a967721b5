// Model sources: names come from the name the caller used, Hub snapshots are read beneath
// their repo folder, and passed files are keyed by what they are, so the same files share
// one resident model (issue 13).
#include "serve/model_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>

#include "engine/io/passed_file_set.h"
#include "engine/model/model_files.h"
#include "serve/model_locator.h"
#include "serve/model_manager.h"
#include "serve/model_text.h"
#include "tests/cpu/gptoss_twin.h"
#include "tests/serve/serve_test_env.h"
#include "tests/support/fixtures.h"

namespace hfd::serve::testing {
namespace {

namespace fs = std::filesystem;

// A Hub repo folder whose snapshot "c1" links `names` to one blob: the test model.
fs::path MakeRepo(const fs::path& root, const std::vector<std::string>& names) {
  const fs::path repo = root / "models--org--tiny";
  fs::create_directories(repo / "blobs");
  fs::create_directories(repo / "snapshots" / "c1");
  fs::copy_file(TestModelPath(), repo / "blobs" / "0a1b2c");
  for (const std::string& name : names) {
    fs::create_symlink("../../blobs/0a1b2c", repo / "snapshots" / "c1" / name);
  }
  return repo;
}

std::shared_ptr<const io::ModelFileSet> Passed(const fs::path& path, const std::string& name) {
  std::vector<io::NamedFd> fds;
  fds.push_back({name, UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC))});
  auto files = io::MakePassedFileSet(std::move(fds), "passed by the test");
  EXPECT_TRUE(files.ok()) << files.status().ToString();
  return files.ok() ? std::move(files).value() : nullptr;
}

// `hfctl run <snapshot>/x.gguf`: the link's name decides the format, not the blob's.
TEST(ModelSource, ALocalLinkToABlobKeepsItsName) {
  hfd::testing::TempDir tmp;
  const fs::path repo = MakeRepo(tmp.path(), {"x.gguf"});
  const fs::path named = repo / "snapshots" / "c1" / "x.gguf";
  auto source = LocalModelSource(named);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ(source->gguf, "x.gguf");
  EXPECT_EQ(source->display, named.string());
  EXPECT_EQ(source->key, fs::canonical(repo / "blobs" / "0a1b2c").string());
  EXPECT_TRUE(LoadModelText(*source).ok());
  EXPECT_TRUE(model::OpenModelFiles(*source->files, source->gguf).ok());
  EXPECT_EQ(LocalModelSource(tmp.path() / "absent.gguf").status().code(), ErrorCode::kNotFound);
}

TEST(ModelSource, AHubSnapshotPicksItsGgufByQuant) {
  hfd::testing::TempDir tmp;
  const fs::path repo = MakeRepo(tmp.path(), {"tiny-Q4_K_M.gguf", "tiny-Q8_0.gguf"});
  auto first = HubSnapshotSource(repo, "c1", "");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->gguf, "tiny-Q4_K_M.gguf");
  auto q8 = HubSnapshotSource(repo, "c1", "q8_0");
  ASSERT_TRUE(q8.ok()) << q8.status().ToString();
  EXPECT_EQ(q8->gguf, "tiny-Q8_0.gguf");
  EXPECT_EQ(q8->key, (repo / "snapshots" / "c1" / "tiny-Q8_0.gguf").string());
  EXPECT_NE(q8->key, first->key);
  EXPECT_TRUE(LoadModelText(*q8).ok());
  // Weights repacked at load are kept in the repo folder, beside what huggingface_hub reads.
  ASSERT_NE(q8->derived, nullptr);
  EXPECT_EQ(q8->derived->dir(), repo / ".hfd-derived");
  EXPECT_EQ(HubSnapshotSource(repo, "c1", "Q5_K").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(HubSnapshotSource(repo, "c2", "").status().code(), ErrorCode::kNotFound);
}

// Finding 1: a checkpoint snapshot whose text files lead out of the repo folder.
TEST(ModelSource, AHubSnapshotLinkOutOfTheRepoIsRefused) {
  hfd::testing::TempDir tmp;
  const fs::path repo = MakeRepo(tmp.path(), {});
  std::ofstream(tmp.path() / "secret") << R"({"model": {"type": "BPE"}})";
  fs::create_symlink(tmp.path() / "secret", repo / "snapshots" / "c1" / "tokenizer.json");
  auto source = HubSnapshotSource(repo, "c1", "");
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_TRUE(source->gguf.empty());
  auto text = LoadModelText(*source);
  EXPECT_EQ(text.status().code(), ErrorCode::kPermissionDenied) << text.status().ToString();
  EXPECT_NE(text.status().message().find("tokenizer.json leads outside"), std::string::npos)
      << text.status().ToString();
}

// The tiny gpt-oss checkpoint in OpenAI's layout, written to `dir` with a tokenizer.json.
void WriteGptOssCheckpoint(const fs::path& dir) {
  const Status written = hfd::testing::WriteTinyGptOssTwin(HFD_MOE_TESTDATA, dir);
  ASSERT_TRUE(written.ok()) << written.ToString();
  std::ofstream(dir / "tokenizer.json") << "{}";
}

// A gpt-oss checkpoint in the Hub cache: its repacked experts are written once into the repo
// folder's .hfd-derived (beside what huggingface_hub reads) and mapped by the next load.
TEST(ModelSource, AHubGptOssCheckpointKeepsItsRepackedExpertsInTheRepoFolder) {
  hfd::testing::TempDir tmp;
  const fs::path repo = tmp.path() / "models--org--tiny-gptoss";
  const fs::path snapshot = repo / "snapshots" / "c1";
  ASSERT_NO_FATAL_FAILURE(WriteGptOssCheckpoint(snapshot));
  auto source = HubSnapshotSource(repo, "c1", "");
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  ASSERT_TRUE(source->gguf.empty());
  std::vector<fs::file_time_type> written_at;
  for (int load = 0; load < 2; ++load) {
    auto files = model::OpenModelFiles(*source->files, source->gguf, source->derived.get());
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    std::vector<fs::path> derived;
    for (const auto& e : fs::directory_iterator(repo / ".hfd-derived")) derived.push_back(e.path());
    ASSERT_EQ(derived.size(), 1u);
    EXPECT_EQ(derived[0].filename().string().rfind("gpt-oss-experts-", 0), 0u) << derived[0];
    written_at.push_back(fs::last_write_time(derived[0]));
  }
  EXPECT_EQ(written_at[0], written_at[1]);
}

// The files of `dir`, sorted.
std::vector<fs::path> FilesIn(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// Opens the model `located` names, as a load does.
void Open(const Result<LocatedModel>& located) {
  ASSERT_TRUE(located.ok()) << located.status().ToString();
  const ModelSource& source = located->source;
  auto files = model::OpenModelFiles(*source.files, source.gguf, source.derived.get());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
}

// A gpt-oss checkpoint named by its local path: the repacked experts go to the daemon's
// folder once and are mapped after; a changed source rebuilds them and the old file goes;
// nothing is written beside the model.
TEST(ModelSource, ALocalGptOssCheckpointKeepsItsRepackedExpertsInTheDaemonFolder) {
  hfd::testing::TempDir tmp;
  const fs::path model_dir = tmp.path() / "models" / "gptoss";
  ASSERT_NO_FATAL_FAILURE(WriteGptOssCheckpoint(model_dir));
  const fs::path derived = tmp.path() / "cache" / "hfd" / "derived";
  const ModelLocator locator({}, derived);
  Result<LocatedModel> located = locator.LocateCached(model_dir.string());
  ASSERT_TRUE(located.ok()) << located.status().ToString();
  ASSERT_NE(located->source.derived, nullptr);
  EXPECT_EQ(located->source.derived->dir(), derived);
  EXPECT_EQ(located->source.derived->origin(), model_dir.string());

  std::vector<fs::path> first;
  fs::file_time_type written_at;
  for (int load = 0; load < 2; ++load) {
    ASSERT_NO_FATAL_FAILURE(Open(locator.LocateCached(model_dir.string())));
    const std::vector<fs::path> files = FilesIn(derived);
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files[0].filename().string().rfind("gpt-oss-experts-", 0), 0u) << files[0];
    if (load == 0) {
      first = files;
      written_at = fs::last_write_time(files[0]);
    } else {
      EXPECT_EQ(files, first);
      EXPECT_EQ(fs::last_write_time(files[0]), written_at);  // mapped, not rebuilt
    }
  }
  EXPECT_EQ(FilesIn(model_dir).size(), 3u);  // config.json, model.safetensors, tokenizer.json

  // The source changes (as a copy over it would): another file, and the old one goes.
  fs::last_write_time(model_dir / "model.safetensors",
                      fs::last_write_time(model_dir / "model.safetensors") - std::chrono::hours(1));
  ASSERT_NO_FATAL_FAILURE(Open(locator.LocateCached(model_dir.string())));
  const std::vector<fs::path> rebuilt = FilesIn(derived);
  ASSERT_EQ(rebuilt.size(), 1u);
  EXPECT_NE(rebuilt, first);

  // The model folder goes: the daemon's next start (PruneDaemonDerived) removes its file.
  fs::remove_all(model_dir);
  auto pruned = PruneDaemonDerived(derived);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(pruned->files, 1u);
  EXPECT_TRUE(FilesIn(derived).empty());
}

// Files a client passed keep their derived weights in the daemon's folder too.
TEST(ModelSource, PassedGptOssFilesUseTheDaemonFolder) {
  hfd::testing::TempDir tmp;
  const fs::path model_dir = tmp.path() / "gptoss";
  ASSERT_NO_FATAL_FAILURE(WriteGptOssCheckpoint(model_dir));
  std::vector<io::NamedFd> fds;
  for (const char* name : {"config.json", "model.safetensors", "tokenizer.json"}) {
    fds.push_back({name, UniqueFd(::open((model_dir / name).c_str(), O_RDONLY | O_CLOEXEC))});
  }
  auto files = io::MakePassedFileSet(std::move(fds), "passed by the test");
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  const fs::path derived = tmp.path() / "derived";
  const ModelLocator locator({}, derived);
  Result<LocatedModel> located = locator.LocatePassed(model_dir.string(), std::move(files).value());
  ASSERT_NO_FATAL_FAILURE(Open(located));
  EXPECT_EQ(located->source.derived->origin(), "files a client passed as " + model_dir.string());
  EXPECT_EQ(FilesIn(derived).size(), 1u);
}

// A daemon folder it cannot use fails the load with what to do, as the Hub cache's does:
// a file where the folder should be, and (not as root, who writes anywhere) a folder the
// daemon may not write.
TEST(ModelSource, AnUnusableDaemonFolderSaysWhatToDo) {
  hfd::testing::TempDir tmp;
  const fs::path model_dir = tmp.path() / "gptoss";
  ASSERT_NO_FATAL_FAILURE(WriteGptOssCheckpoint(model_dir));
  const auto open_with = [&model_dir](const fs::path& derived_dir) {
    Result<LocatedModel> located = ModelLocator({}, derived_dir).LocateCached(model_dir.string());
    EXPECT_TRUE(located.ok()) << located.status().ToString();
    return model::OpenModelFiles(*located->source.files, "", located->source.derived.get())
        .status();
  };
  std::ofstream(tmp.path() / "derived") << "not a folder";
  const Status not_a_folder = open_with(tmp.path() / "derived");
  EXPECT_EQ(not_a_folder.code(), ErrorCode::kPermissionDenied) << not_a_folder.ToString();
  EXPECT_NE(not_a_folder.message().find((tmp.path() / "derived").string() +
                                        " is a symlink or not a folder; remove it"),
            std::string::npos)
      << not_a_folder.ToString();

  if (::geteuid() == 0) GTEST_SKIP() << "root writes into read-only folders";
  const fs::path cache = tmp.path() / "cache";
  fs::create_directories(cache);
  fs::permissions(cache, fs::perms::owner_read | fs::perms::owner_exec);
  const Status unwritable = open_with(cache / "derived");
  fs::permissions(cache, fs::perms::owner_all);
  EXPECT_EQ(unwritable.code(), ErrorCode::kPermissionDenied) << unwritable.ToString();
  EXPECT_NE(unwritable.message().find((cache / "derived").string()), std::string::npos)
      << unwritable.ToString();
  EXPECT_NE(unwritable.message().find("writable by the daemon's user"), std::string::npos)
      << unwritable.ToString();
}

// Without a daemon folder (models.derived_dir = "off") a local checkpoint repacks in memory.
TEST(ModelSource, NoDaemonFolderMeansNoStore) {
  EXPECT_EQ(DaemonDerivedStore({}, "/m"), nullptr);
  const auto store = DaemonDerivedStore("/var/cache/hfd/derived/", "/a\nb");
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->dir(), "/var/cache/hfd/derived");
  EXPECT_EQ(store->origin(), "a path with a line break");
  EXPECT_EQ(DaemonDerivedStore("/d", "/models/m/")->origin(), "/models/m");
}

// Two users passing the same file share one resident model; another file is another one.
TEST(ModelSource, PassedFilesAreKeyedByWhatTheyAre) {
  auto a = PassedModelSource("/home/a/m.gguf", Passed(TestModelPath(), "m.gguf"));
  auto b = PassedModelSource("/home/b/copy.gguf", Passed(TestModelPath(), "m.gguf"));
  auto other = PassedModelSource("/home/a/o.gguf", Passed(OtherTestModelPath(), "m.gguf"));
  ASSERT_TRUE(a.ok() && b.ok() && other.ok()) << a.status().ToString();
  EXPECT_EQ(a->gguf, "m.gguf");
  EXPECT_EQ(a->display, "/home/a/m.gguf");
  EXPECT_EQ(a->key, b->key);
  EXPECT_NE(a->key, other->key);
  EXPECT_EQ(a->derived, nullptr);  // no daemon folder given: repacks stay in memory

  ModelManager manager(TestManagerOptions(), nullptr);
  LoadRequest first;
  first.name = "a";
  first.source = *a;
  LoadRequest second = first;
  second.name = "b";
  second.source = *b;
  bool loaded_first = false, loaded_second = false;
  auto m1 = manager.Acquire(first, &loaded_first);
  auto m2 = manager.Acquire(second, &loaded_second);
  ASSERT_TRUE(m1.ok() && m2.ok()) << m1.status().ToString() << m2.status().ToString();
  EXPECT_TRUE(loaded_first);
  EXPECT_FALSE(loaded_second);
  EXPECT_EQ(*m1, *m2);
  ASSERT_EQ(manager.Ps().size(), 1u);
  EXPECT_EQ(manager.Ps().front().path, "/home/a/m.gguf");
}

}  // namespace
}  // namespace hfd::serve::testing
