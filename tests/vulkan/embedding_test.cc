// Embedding models on the Vulkan backend (lavapipe, under the validation layer): the tiny
// BERT and nomic-bert of tests/embed/testdata and llama.cpp's tiny Qwen2 made a last-token
// embedder give the CPU backend's vectors and llama-embedding's (tests/embed's references),
// and texts embedded in one call give what each gives alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "backends/vulkan/instance.h"
#include "backends/vulkan/vulkan_backend.h"
#include "tests/embed/embed_harness.h"
#include "tests/support/fixtures.h"
#include "tests/vulkan/vk_test_env.h"

namespace hfd::vk {
namespace {

using ::hfd::testing::Cosine;
using ::hfd::testing::LoadedModel;

const std::filesystem::path kData = HFD_EMBED_TESTDATA;

// Both backends compute the same float math on the same weights, in other orders.
constexpr double kSameVectors = 1e-5;
// llama-embedding computes in another order (and F16 where it chooses): the CPU tests' bound.
constexpr double kReferenceVectors = 1e-3;

// The model at `path` on the test device, with validation; null files (and a test
// failure) on error.
LoadedModel LoadOnDevice(const std::filesystem::path& path) {
  LoadedModel m;
  auto files = model::OpenModelFiles(path);
  if (!files.ok()) {
    ADD_FAILURE() << path << ": " << files.status().ToString();
    return m;
  }
  auto gpu =
      CreateVulkanBackend({.device = ::hfd::vk::testing::TestDeviceName(), .validation = true});
  if (!gpu.ok()) {
    ADD_FAILURE() << gpu.status().ToString();
    return m;
  }
  const Status loaded = (*gpu)->LoadWeights(**files);
  if (!loaded.ok()) {
    ADD_FAILURE() << loaded.ToString();
    return m;
  }
  m.files = std::move(files).value();
  m.backend = std::move(gpu).value();
  return m;
}

// The reference texts of `reference` (tests/embed/testdata) embedded by the model at `path`
// on the device and on the CPU: the same vectors, and `pooling`'s reference vectors.
void ExpectDeviceMatchesCpuAndReference(const std::filesystem::path& path,
                                        const std::string& reference, const std::string& pooling) {
  const nlohmann::json ref = ::hfd::testing::ReadReference(kData / reference);
  const auto texts = ref["texts"].get<std::vector<std::string>>();
  const auto ids = ::hfd::testing::Encode(path, texts);
  const auto expected = ref["embeddings"][pooling].get<std::vector<std::vector<float>>>();
  std::vector<std::vector<float>> want;
  {
    // Activations to about 14 bits: the device reads them as floats.
    LoadedModel cpu = ::hfd::testing::LoadOnCpu(path, 0, cpu::ActPrecision::kInt8x2);
    ASSERT_NE(cpu.files, nullptr);
    want = ::hfd::testing::Embed(cpu, ids);
  }
  {
    LoadedModel gpu = LoadOnDevice(path);
    ASSERT_NE(gpu.files, nullptr);
    const auto got = ::hfd::testing::Embed(gpu, ids);
    ASSERT_EQ(got.size(), texts.size());
    ASSERT_EQ(want.size(), texts.size());
    ASSERT_EQ(expected.size(), texts.size());
    double worst_cpu = 1, worst_ref = 1;
    for (size_t i = 0; i < texts.size(); ++i) {
      SCOPED_TRACE(texts[i]);
      const double cpu = Cosine(got[i], want[i]);
      const double llama = Cosine(got[i], expected[i]);
      EXPECT_GT(cpu, 1 - kSameVectors);
      EXPECT_GT(llama, 1 - kReferenceVectors);
      worst_cpu = std::min(worst_cpu, cpu);
      worst_ref = std::min(worst_ref, llama);
    }
    std::printf("%s: 1 - lowest cosine to the CPU backend %.2e, to llama-embedding %.2e\n",
                path.filename().c_str(), 1 - worst_cpu, 1 - worst_ref);
  }
  for (const std::string& m : ProcessValidationMessages()) ADD_FAILURE() << "validation " << m;
}

// A few texts in one call against each alone (lavapipe is slow: not 32).
void ExpectBatchEqualsOneByOneOnDevice(const std::filesystem::path& path) {
  {
    LoadedModel gpu = LoadOnDevice(path);
    ::hfd::testing::ExpectBatchEqualsOneByOne(gpu, path, 6);
  }
  for (const std::string& m : ProcessValidationMessages()) ADD_FAILURE() << "validation " << m;
}

TEST(VulkanEmbeddingTest, BertMatchesCpuBackendAndLlamaEmbedding) {
  ExpectDeviceMatchesCpuAndReference(kData / "tiny-bert.gguf", "llama-embedding.json", "mean");
}

TEST(VulkanEmbeddingTest, NomicBertMatchesCpuBackendAndLlamaEmbedding) {
  ExpectDeviceMatchesCpuAndReference(kData / "tiny-nomic-bert.gguf",
                                     "llama-embedding-nomic-bert.json", "mean");
}

TEST(VulkanEmbeddingTest, BertBatchEqualsOneByOne) {
  ExpectBatchEqualsOneByOneOnDevice(kData / "tiny-bert.gguf");
}

TEST(VulkanEmbeddingTest, NomicBertBatchEqualsOneByOne) {
  ExpectBatchEqualsOneByOneOnDevice(kData / "tiny-nomic-bert.gguf");
}

// llama.cpp's tiny Qwen2 made a last-token embedder (as tests/embed does): the decoder's
// layers with per-text RoPE and per-text causal attention.
TEST(VulkanEmbeddingTest, DecoderEmbedderMatchesCpuBackendAndLlamaEmbedding) {
  HFD_REQUIRE_FIXTURES(fixtures);
  ::hfd::testing::TempDir dir;
  const auto path = dir.path() / "tiny-qwen2-last.gguf";
  const Status copied = ::hfd::testing::CopyGgufWithPooling(fixtures / "gguf/tiny-qwen2-Q8_0.gguf",
                                                            path, model::Pooling::kLast);
  ASSERT_TRUE(copied.ok()) << copied.ToString();
  ExpectDeviceMatchesCpuAndReference(path, "llama-embedding-qwen2-last.json", "last");
  ExpectBatchEqualsOneByOneOnDevice(path);
}

}  // namespace
}  // namespace hfd::vk
