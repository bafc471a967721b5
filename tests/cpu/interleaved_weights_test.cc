// The CPU backend's interleaved copy of Q8_0, Q4_0, Q4_1 and Q4_K weights
// (backends/cpu/kernels/rows16_layout.h): whole models give the bits they give from GGUF's
// layout, batched prefill the bits of one token at a time, and the copy is a derived file,
// built at the first load, mapped at the next, rebuilt when its layout changes.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/kernels/rows16_layout.h"
#include "engine/model/model_files.h"
#include "engine/model/synthetic_gguf.h"
#include "engine/runtime/session.h"
#include "tests/cpu/model_harness.h"
#include "tests/support/fixtures.h"

namespace hfd::testing {
namespace {

namespace fs = std::filesystem;

// A small Llama whose matrices are all `type`: 333 output rows end in a partial group of 16,
// which stays in GGUF's layout. Its head is interleaved too, `tied` or not (when tied, the
// embedding lookup reads GGUF's layout and the head's product the copy). Rows of 256
// (Q4_K's super-block) and 512 for Q4_K, 128 and 352 else.
fs::path WriteSmallModel(const fs::path& dir, TensorType type, bool tied = false) {
  const bool k_quant = type == TensorType::kQ4_K;
  model::ModelDesc d;
  d.arch = model::Architecture::kLlama;
  d.rope_layout = model::RopeLayout::kInterleaved;
  d.n_vocab = 333, d.n_embd = k_quant ? 256 : 128, d.n_layer = 2, d.n_head = 4, d.n_head_kv = 2;
  d.head_dim = d.n_embd / d.n_head, d.n_ff = k_quant ? 512 : 352, d.n_ctx_train = 256;
  d.bos_id = 1, d.eos_ids = {2};
  d.tied_embeddings = tied;
  model::SyntheticOptions options;
  options.distinct_rows = 0;  // repeated rows would tie the logits
  const fs::path path = dir / ("small-" + TypeName(type) + (tied ? "-tied" : "") + ".gguf");
  EXPECT_TRUE(model::WriteSyntheticGguf(d, type, path, options).ok());
  return path;
}

// The logits of `prompt` (prefilled 16 tokens a call) and of `steps` greedy tokens after it.
std::vector<std::vector<float>> Generate(const model::ModelFiles& files, bool interleave,
                                         const std::vector<int32_t>& prompt, int steps) {
  auto backend = cpu::CreateCpuBackend({2, cpu::ActPrecision::kInt8, std::nullopt, interleave});
  EXPECT_TRUE(backend->LoadWeights(files).ok());
  auto session = runtime::Session::Create(*backend, files, {128, 16, runtime::KvType::kF16});
  EXPECT_TRUE(session.ok()) << session.status().ToString();
  std::vector<std::vector<float>> out;
  if (!session.ok()) return out;
  auto logits = (*session)->Feed(prompt);
  for (int step = 0; logits.ok(); ++step) {
    out.emplace_back(logits->begin(), logits->end());
    if (step == steps) break;
    const int32_t next = ArgmaxOf(*logits);
    logits = (*session)->Feed(std::vector<int32_t>{next});
  }
  EXPECT_TRUE(logits.ok()) << logits.status().ToString();
  return out;
}

// Each token of `prompt` fed alone: the logits after the last.
std::vector<float> OneAtATime(const model::ModelFiles& files, const std::vector<int32_t>& prompt) {
  auto backend = cpu::CreateCpuBackend({2});
  EXPECT_TRUE(backend->LoadWeights(files).ok());
  auto session = runtime::Session::Create(*backend, files, {128, 16, runtime::KvType::kF16});
  EXPECT_TRUE(session.ok()) << session.status().ToString();
  std::vector<float> last;
  for (const int32_t id : prompt) {
    auto logits = (*session)->Feed(std::vector<int32_t>{id});
    EXPECT_TRUE(logits.ok()) << logits.status().ToString();
    if (!logits.ok()) break;
    last.assign(logits->begin(), logits->end());
  }
  return last;
}

bool PathReadsInterleaved() { return cpu::ReadsRows16(cpu::ActiveIsa(), TensorType::kQ4_1); }

// 21 prompt tokens: a 16-token prefill call (AMX tiles where present) and a 5-token one
// (the few-token tiles), then one-token decode.
const std::vector<int32_t> kPrompt = model::RandomTokens(21, 333, 5);

TEST(InterleavedWeights, WholeModelsGiveTheBitsOfGgufLayout) {
  if (!PathReadsInterleaved()) GTEST_SKIP() << "this path reads only GGUF's layout";
  TempDir dir;
  std::vector<fs::path> paths;
  for (TensorType type :
       {TensorType::kQ8_0, TensorType::kQ4_0, TensorType::kQ4_1, TensorType::kQ4_K}) {
    paths.push_back(WriteSmallModel(dir.path(), type));
  }
  for (TensorType type : {TensorType::kQ8_0, TensorType::kQ4_K}) {
    paths.push_back(WriteSmallModel(dir.path(), type, true));
  }
  const fs::path fixtures = FixturesDir();
  for (const char* name : {"gguf/tiny-llama3-Q8_0.gguf", "gguf/tiny-qwen2-Q8_0.gguf",
                           "gguf/tiny-llama2-Q4_K_M.gguf"}) {
    if (!fixtures.empty() && fs::exists(fixtures / name)) paths.push_back(fixtures / name);
  }
  for (const fs::path& path : paths) {
    SCOPED_TRACE(path.string());
    auto files = model::OpenModelFiles(path);
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    const int64_t vocab = (*files)->desc().n_vocab;
    const std::vector<int32_t> prompt = model::RandomTokens(21, vocab, 5);
    const auto interleaved = Generate(**files, true, prompt, 12);
    const auto gguf = Generate(**files, false, prompt, 12);
    ASSERT_EQ(interleaved.size(), 13u);
    EXPECT_EQ(interleaved, gguf);
    // Batched prefill equals decode, one token at a time, on the interleaved weights.
    EXPECT_EQ(OneAtATime(**files, prompt), interleaved.front());
  }
}

// The derived folder's files of the interleaved copy.
std::vector<fs::path> CopiesIn(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().starts_with("cpu-rows16-")) out.push_back(e.path());
  }
  return out;
}

// The first 4 KiB of a derived file: its header, with the table of its tensors.
std::string HeaderOf(const fs::path& path) {
  std::string header(4096, '\0');
  std::ifstream in(path, std::ios::binary);
  in.read(header.data(), static_cast<std::streamsize>(header.size()));
  return header;
}

TEST(InterleavedWeights, ATiedEmbeddingIsCopiedForTheHeadAndLookedUpInPlace) {
  if (!PathReadsInterleaved()) GTEST_SKIP() << "this path reads only GGUF's layout";
  TempDir dir;
  const fs::path path = WriteSmallModel(dir.path(), TensorType::kQ8_0, true);
  const model::DerivedStore store(dir.path(), "derived");
  auto files = model::OpenModelFiles(path, &store);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  const auto logits = Generate(**files, true, kPrompt, 2);
  const std::vector<fs::path> built = CopiesIn(store.dir());
  ASSERT_EQ(built.size(), 1u);
  const std::string header = HeaderOf(built[0]);
  EXPECT_NE(header.find("tensor token_embd.weight "), std::string::npos) << header.c_str();
  EXPECT_EQ(header.find("tensor output.weight "), std::string::npos) << header.c_str();
  EXPECT_EQ(logits, Generate(**files, false, kPrompt, 2));
}

ino_t InodeOf(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_ino;
}

TEST(InterleavedWeights, CopyIsBuiltOnceMappedAfterAndRebuiltForAnotherLayout) {
  if (!PathReadsInterleaved()) GTEST_SKIP() << "this path reads only GGUF's layout";
  TempDir dir;
  const fs::path path = WriteSmallModel(dir.path(), TensorType::kQ4_1);
  const model::DerivedStore store(dir.path(), "derived");
  auto load = [&] {
    auto files = model::OpenModelFiles(path, &store);
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    return Generate(**files, true, kPrompt, 2);
  };
  const auto first = load();
  const std::vector<fs::path> built = CopiesIn(store.dir());
  ASSERT_EQ(built.size(), 1u);
  const ino_t inode = InodeOf(built[0]);
  const std::string header = HeaderOf(built[0]);
  const std::string layout = "layout " + std::to_string(cpu::kRows16LayoutVersion) + "\n";
  ASSERT_NE(header.find("kind cpu-rows16\n" + layout), std::string::npos);

  EXPECT_EQ(load(), first);
  EXPECT_EQ(InodeOf(built[0]), inode) << "the second load rebuilt the copy";

  // A copy of another layout version (its header says so) is rebuilt, not read.
  {
    std::fstream f(built[0], std::ios::in | std::ios::out | std::ios::binary);
    const std::string older = "layout " + std::to_string(cpu::kRows16LayoutVersion + 1) + "\n";
    ASSERT_EQ(older.size(), layout.size());
    f.seekp(static_cast<std::streamoff>(header.find(layout)));
    f.write(older.data(), static_cast<std::streamsize>(older.size()));
  }
  EXPECT_EQ(load(), first);
  ASSERT_EQ(CopiesIn(store.dir()).size(), 1u);
  EXPECT_NE(InodeOf(built[0]), inode) << "a copy of another layout was read";
}

}  // namespace
}  // namespace hfd::testing
