// The model readers over each kind of file set: a fixture model opens from a Hub-style
// snapshot and from passed descriptors; hostile files (links out of the snapshot, FIFOs,
// /dev/zero, oversized files) are refused with an error naming the file (issue 13).
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "engine/chat/template_source.h"
#include "engine/io/beneath_root_file_set.h"
#include "engine/io/local_file_set.h"
#include "engine/io/passed_file_set.h"
#include "engine/model/model_files.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/io/io_test_util.h"
#include "tests/support/fixtures.h"

namespace hfd::io {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHfFiles[] = {"config.json", "generation_config.json", "model.safetensors",
                                    "tokenizer.json", "tokenizer_config.json"};

// Copies a fixture model into a repo folder laid out as huggingface_hub does: blobs named
// by content, and snapshot links to them.
fs::path MakeHubRepo(const fs::path& model, const fs::path& repo) {
  fs::create_directories(repo / "blobs");
  fs::create_directories(repo / "snapshots" / "c1");
  int n = 0;
  for (const char* name : kHfFiles) {
    const std::string blob = "blob" + std::to_string(n++);
    fs::copy_file(model / name, repo / "blobs" / blob);
    fs::create_symlink("../../blobs/" + blob, repo / "snapshots" / "c1" / name);
  }
  return repo / "snapshots" / "c1";
}

std::unique_ptr<ModelFileSet> OpenSnapshot(const fs::path& repo) {
  auto files = OpenBeneathRoot(repo, "snapshots/c1");
  EXPECT_TRUE(files.ok()) << files.status().ToString();
  return files.ok() ? std::move(files).value() : nullptr;
}

void ExpectError(const Status& status, ErrorCode code, std::string_view words) {
  EXPECT_EQ(status.code(), code) << status.ToString();
  EXPECT_NE(status.message().find(words), std::string::npos) << status.ToString();
}

TEST(ReadersTest, AFixtureModelOpensFromAHubSnapshot) {
  HFD_REQUIRE_FIXTURES(fixtures);
  hfd::testing::TempDir tmp;
  const fs::path repo = tmp.path() / "models--org--tiny-llama3";
  MakeHubRepo(fixtures / "models" / "tiny-llama3", repo);
  auto files = OpenSnapshot(repo);
  ASSERT_NE(files, nullptr);
  auto model = model::OpenModelFiles(*files, "");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ((*model)->desc().n_vocab, 128256);
  auto tokenizer = tok::Tokenizer::FromHfFiles(*files);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  EXPECT_EQ((*tokenizer)->vocab_size(), 128256);
  EXPECT_TRUE(chat::FindChatTemplate(*files).ok());
}

TEST(ReadersTest, AFixtureModelOpensFromPassedDescriptors) {
  HFD_REQUIRE_FIXTURES(fixtures);
  std::vector<NamedFd> fds;
  for (const char* name : kHfFiles) {
    const fs::path path = fixtures / "models" / "tiny-llama3" / name;
    fds.push_back({name, UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC))});
  }
  const fs::path gguf = fixtures / "gguf" / "tiny-llama3-Q8_0.gguf";
  fds.push_back({"tiny.gguf", UniqueFd(::open(gguf.c_str(), O_RDONLY | O_CLOEXEC))});
  auto files = MakePassedFileSet(std::move(fds), "passed by the client");
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  auto hf = model::OpenModelFiles(**files, "");
  ASSERT_TRUE(hf.ok()) << hf.status().ToString();
  auto from_gguf = model::OpenModelFiles(**files, "tiny.gguf");
  ASSERT_TRUE(from_gguf.ok()) << from_gguf.status().ToString();
  EXPECT_EQ((*from_gguf)->desc().n_vocab, (*hf)->desc().n_vocab);
  // The same descriptors serve a second load.
  auto tokenizer = tok::Tokenizer::FromHfFiles(**files);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  auto again = tok::Tokenizer::FromHfFiles(**files);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->Encode("Hello world", true), (*tokenizer)->Encode("Hello world", true));
}

// Finding 1: a file linked to something only the daemon may read is never read.
TEST(ReadersTest, LinksOutOfTheSnapshotAreRefusedByEveryReader) {
  hfd::testing::TempDir tmp;
  const fs::path secret = tmp.path() / "secret";
  testing::WriteFile(secret, R"({"chat_template": "hf_token = abc"})");
  fs::permissions(secret, fs::perms::owner_read);
  const fs::path repo = tmp.path() / "models--org--evil";
  const fs::path snapshot = repo / "snapshots" / "c1";
  fs::create_directories(snapshot);
  for (const char* name : {"chat_template.jinja", "tokenizer_config.json", "tokenizer.json",
                           "config.json", "model.gguf"}) {
    fs::create_symlink(secret, snapshot / name);
  }
  auto files = OpenSnapshot(repo);
  ASSERT_NE(files, nullptr);
  ExpectError(chat::FindChatTemplate(*files).status(), ErrorCode::kPermissionDenied,
              "chat_template.jinja leads outside");
  ExpectError(tok::Tokenizer::FromHfFiles(*files).status(), ErrorCode::kPermissionDenied,
              "tokenizer.json leads outside");
  ExpectError(model::OpenModelFiles(*files, "").status(), ErrorCode::kPermissionDenied,
              "config.json leads outside");
  ExpectError(model::OpenModelFiles(*files, "model.gguf").status(), ErrorCode::kPermissionDenied,
              "model.gguf leads outside");
  fs::remove(snapshot / "chat_template.jinja");
  ExpectError(chat::FindChatTemplate(*files).status(), ErrorCode::kPermissionDenied,
              "tokenizer_config.json leads outside");
}

// Finding 3: a FIFO or a device as a model file fails at once, in bounded memory.
TEST(ReadersTest, BlockingAndEndlessFilesAreRefused) {
  hfd::testing::TempDir tmp;
  const fs::path fifo_dir = tmp.path() / "fifo";
  fs::create_directories(fifo_dir);
  testing::MakeFifo(fifo_dir / "tokenizer.json");
  testing::MakeFifo(fifo_dir / "chat_template.jinja");
  testing::MakeFifo(fifo_dir / "config.json");
  auto fifos = OpenLocalDirectory(fifo_dir);
  ASSERT_TRUE(fifos.ok()) << fifos.status().ToString();
  auto tokenizer = testing::WithinBoundedTime(fifo_dir / "tokenizer.json",
                                              [&] { return tok::Tokenizer::FromHfFiles(**fifos); });
  ExpectError(tokenizer.status(), ErrorCode::kInvalidArgument, "tokenizer.json is a FIFO");
  auto chat = testing::WithinBoundedTime(fifo_dir / "chat_template.jinja",
                                         [&] { return chat::FindChatTemplate(**fifos); });
  ExpectError(chat.status(), ErrorCode::kInvalidArgument, "chat_template.jinja is a FIFO");
  auto model = testing::WithinBoundedTime(fifo_dir / "config.json",
                                          [&] { return model::OpenModelFiles(**fifos, ""); });
  ExpectError(model.status(), ErrorCode::kInvalidArgument, "config.json is a FIFO");

  const fs::path zero_dir = tmp.path() / "zero";
  fs::create_directories(zero_dir);
  fs::create_symlink("/dev/zero", zero_dir / "tokenizer.json");
  fs::create_symlink("/dev/zero", zero_dir / "model.gguf");
  auto zeros = OpenLocalDirectory(zero_dir);
  ASSERT_TRUE(zeros.ok()) << zeros.status().ToString();
  ExpectError(tok::Tokenizer::FromHfFiles(**zeros).status(), ErrorCode::kInvalidArgument,
              "tokenizer.json is a character device");
  ExpectError(model::OpenModelFiles(**zeros, "model.gguf").status(), ErrorCode::kInvalidArgument,
              "model.gguf is a character device");
}

// Sparse files over the caps: refused by their size, before anything is read.
TEST(ReadersTest, OversizedTextFilesAreTooLarge) {
  hfd::testing::TempDir tmp;
  const auto sparse = [&](const char* name, off_t size) {
    const fs::path path = tmp.path() / name;
    const UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
    ASSERT_EQ(::ftruncate(fd.get(), size), 0);
  };
  sparse("tokenizer.json", (off_t{64} << 20) + 1);
  sparse("config.json", (off_t{16} << 20) + 1);
  sparse("chat_template.jinja", (off_t{16} << 20) + 1);
  auto files = OpenLocalDirectory(tmp.path());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ExpectError(tok::Tokenizer::FromHfFiles(**files).status(), ErrorCode::kTooLarge,
              "larger than 64.0 MiB");
  ExpectError(model::OpenModelFiles(**files, "").status(), ErrorCode::kTooLarge,
              "config.json is larger than 16.0 MiB");
  ExpectError(chat::FindChatTemplate(**files).status(), ErrorCode::kTooLarge,
              "chat_template.jinja is larger than 16.0 MiB");
}

}  // namespace
}  // namespace hfd::io
