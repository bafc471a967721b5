// Shared by the embedding tests: cosine similarity, tokenizing texts with a model's own
// tokenizer, embedding them in one Session::Embed call, and llama-embedding's recorded
// vectors (testdata/make_tiny_bert.sh).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/model/model_desc.h"
#include "hfd/status.h"
#include "tests/cpu/model_harness.h"

namespace hfd::testing {

// The cosine of the angle between a and b; 0 when their sizes differ.
double Cosine(const std::vector<float>& a, const std::vector<float>& b);

// The reference file's JSON; fails the test when it cannot be read.
nlohmann::json ReadReference(const std::filesystem::path& path);

// Each text's ids with the special tokens the model's tokenizer adds.
std::vector<std::vector<int32_t>> Encode(const std::filesystem::path& model,
                                         const std::vector<std::string>& texts);

// The texts' vectors from one Session::Embed (context 128, F32 KV cache), L2-normalized;
// empty with a test failure on error.
std::vector<std::vector<float>> Embed(LoadedModel& m, const std::vector<std::vector<int32_t>>& ids);

// A copy of GGUF file `src` at `dst` whose <arch>.pooling_type says `pooling` (llama.cpp's
// enum), every other key and every tensor as they are: makes an embedder of a decoder
// file, or switches an encoder's pooling.
Status CopyGgufWithPooling(const std::filesystem::path& src, const std::filesystem::path& dst,
                           model::Pooling pooling);

// 32 different short texts.
std::vector<std::string> ThirtyTwoTexts();

// The first `n` of ThirtyTwoTexts (tokenized with `model`'s tokenizer) embedded by `m` in
// one call give what each gives alone, within 1e-5.
void ExpectBatchEqualsOneByOne(LoadedModel& m, const std::filesystem::path& model, size_t n);

// ThirtyTwoTexts embedded in one call give what each gives alone, within 1e-5, on the CPU.
void ExpectBatchOf32EqualsOneByOne(const std::filesystem::path& model);

}  // namespace hfd::testing
