#include "tests/embed/embed_harness.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include <cstring>

#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/tokenizer/tokenizer.h"

namespace hfd::testing {

double Cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    dot += double{a[i]} * b[i];
    na += double{a[i]} * a[i];
    nb += double{b[i]} * b[i];
  }
  return a.size() == b.size() ? dot / std::sqrt(na * nb) : 0;
}

nlohmann::json ReadReference(const std::filesystem::path& path) {
  std::ifstream in(path);
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  EXPECT_FALSE(doc.is_discarded()) << "cannot read " << path;
  return doc;
}

std::vector<std::vector<int32_t>> Encode(const std::filesystem::path& model,
                                         const std::vector<std::string>& texts) {
  auto tokenizer = tok::Tokenizer::FromPath(model);
  EXPECT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  std::vector<std::vector<int32_t>> ids;
  if (!tokenizer.ok()) return ids;
  for (const std::string& t : texts) ids.push_back((*tokenizer)->Encode(t, true));
  return ids;
}

std::vector<std::vector<float>> Embed(LoadedModel& m,
                                      const std::vector<std::vector<int32_t>>& ids) {
  auto session = m.NewSession(128, 16, runtime::KvType::kF32);
  auto vectors = session->Embed(ids, true);
  EXPECT_TRUE(vectors.ok()) << vectors.status().ToString();
  return vectors.ok() ? *vectors : std::vector<std::vector<float>>{};
}

Status CopyGgufWithPooling(const std::filesystem::path& src, const std::filesystem::path& dst,
                           model::Pooling pooling) {
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<gguf::GgufFile> file, gguf::GgufFile::Open(src));
  HFD_ASSIGN_OR_RETURN(const std::string arch, file->GetString("general.architecture"));
  const std::string key = arch + ".pooling_type";
  gguf::GgufWriter w;
  w.SetVersion(file->version());
  w.SetAlignment(static_cast<uint32_t>(file->alignment()));
  for (const gguf::MetadataEntry& e : file->metadata()) {
    // The writer adds general.alignment itself.
    if (e.key != key && e.key != "general.alignment") w.AddCopy(e);
  }
  w.AddU32(key, static_cast<uint32_t>(pooling));
  for (const gguf::TensorInfo& t : file->tensors()) {
    w.AddTensor(t.name, t.type, t.shape, [&t](uint8_t* out, uint64_t n) {
      std::memcpy(out, t.data, n);
      return Status::Ok();
    });
  }
  return w.Write(dst);
}

void ExpectBatchEqualsOneByOne(LoadedModel& m, const std::filesystem::path& path, size_t n) {
  ASSERT_NE(m.files, nullptr);
  std::vector<std::string> texts = ThirtyTwoTexts();
  texts.resize(std::min(n, texts.size()));
  const auto ids = Encode(path, texts);
  const auto together = Embed(m, ids);
  ASSERT_EQ(together.size(), texts.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    const auto alone = Embed(m, {ids[i]});
    ASSERT_EQ(alone.size(), 1u);
    ASSERT_EQ(alone[0].size(), together[i].size());
    for (size_t j = 0; j < alone[0].size(); ++j) EXPECT_NEAR(alone[0][j], together[i][j], 1e-5);
  }
}

void ExpectBatchOf32EqualsOneByOne(const std::filesystem::path& path) {
  LoadedModel m = LoadOnCpu(path);
  ExpectBatchEqualsOneByOne(m, path, 32);
}

std::vector<std::string> ThirtyTwoTexts() {
  std::vector<std::string> texts;
  texts.reserve(32);
  for (int i = 0; i < 32; ++i) {
    texts.push_back("text number " + std::to_string(i) + std::string(i % 5, '!') + " about " +
                    std::to_string(i * 7919));
  }
  return texts;
}

}  // namespace hfd::testing
