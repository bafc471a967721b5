// The GGUF fixtures against llama.cpp (fixtures/reference/llama.cpp.txt): the same 16
// greedy tokens, departing only where our top-two logits nearly tie; and each Q8_0 file
// against its own safetensors checkpoint, teacher-forced over 64 tokens.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "engine/model/tensor_names.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/cpu/gptoss_twin.h"
#include "tests/cpu/model_harness.h"
#include "tests/support/fixtures.h"
#include "tests/support/gguf_copy.h"
#include "tests/support/llamacpp_reference.h"
#include "tests/support/safetensors_writer.h"

namespace hfd::testing {
namespace {

// What llama-simple prints for `ids`: special tokens as their text, others as raw pieces.
std::string Render(const tok::Tokenizer& tokenizer, const std::vector<int32_t>& ids) {
  std::string bytes;
  for (int32_t id : ids) {
    bytes += tokenizer.IsSpecial(id) ? tokenizer.TokenText(id) : tokenizer.TokenToPiece(id);
  }
  return bytes;
}

// Our top-two gap must be below this for a departure from llama.cpp to be accepted: the
// logit differences that rounding makes between two correct implementations of the same
// quantized model. Storing the KV cache in F16 instead of F32 alone moves these models'
// logits by up to 0.05 (llama.cpp also rounds Q and the softmax weights to F16), and int8
// activations make the logits jump with any rounding upstream: our scalar and AVX-512
// paths, which differ only in float summation order (every matrix product within 2e-6),
// give tiny-qwen2 Q8_0 logits 0.13 to 0.21 apart from the fifth token on, because one
// activation rounds to the other int8 neighbour.
constexpr double kNearTie = 0.25;

// A top-1 disagreement between BF16 and Q8_0 weights is acceptable only below this
// top-two gap: the Q8_0 files' logits differ from transformers' by up to 0.39 (measured).
constexpr double kQ8NearTie = 0.25;

// Each case's file in `dir` generates llama.cpp's 16 greedy tokens on the CPU backend, or
// departs from them only where our top-two logits nearly tie.
void ExpectGreedyTextMatchesLlamaSimple(const std::vector<LlamaCppCase>& cases,
                                        const std::filesystem::path& dir) {
  for (const LlamaCppCase& c : cases) {
    SCOPED_TRACE(c.file + " | " + c.prompt);
    const auto path = dir / c.file;
    auto tokenizer = tok::Tokenizer::FromPath(path);
    ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
    LoadedModel m = LoadOnCpu(path);
    ASSERT_NE(m.files, nullptr);
    auto session = m.NewSession(128, 8);
    ASSERT_NE(session, nullptr);

    std::vector<int32_t> ids = c.ids;
    auto logits = session->Feed(ids);
    ASSERT_TRUE(logits.ok()) << logits.status().ToString();
    // A token that ends inside a UTF-8 sequence cannot be compared until the sequence
    // completes: a departure shows a step late, and may come from any unconfirmed step.
    double unconfirmed_gap = INFINITY;
    for (int step = 0; step < 16; ++step) {
      const int32_t next = ArgmaxOf(*logits);
      unconfirmed_gap = std::min(unconfirmed_gap, TopTwoGap(*logits));
      ids.push_back(next);
      const std::string ours = Utf8Lossy(Render(**tokenizer, ids), /*drop_incomplete_tail=*/true);
      if (c.text.compare(0, ours.size(), ours) != 0) {
        std::cout << c.file << " | " << c.prompt << ": departs from llama.cpp by generated token "
                  << step << " (our smallest top-two gap since the text last matched "
                  << unconfirmed_gap << ")\n";
        EXPECT_LT(unconfirmed_gap, kNearTie)
            << "departure by step " << step << "\n ours: " << ours << "\n llama.cpp: " << c.text;
        break;
      }
      if (ours == Utf8Lossy(Render(**tokenizer, ids))) unconfirmed_gap = INFINITY;
      if (step == 15) {
        EXPECT_EQ(Utf8Lossy(Render(**tokenizer, ids)), c.text);
        break;
      }
      logits = session->Feed(std::span<const int32_t>(&ids.back(), 1));
      ASSERT_TRUE(logits.ok()) << logits.status().ToString();
    }
  }
}

TEST(LlamaCppConformance, GgufGreedyTextMatchesLlamaSimple) {
  HFD_REQUIRE_FIXTURES(fixtures);
  const auto cases = ParseLlamaCpp(ReadFileOrFail(fixtures / "reference/llama.cpp.txt"));
  ASSERT_GE(cases.size(), 6u);
  ExpectGreedyTextMatchesLlamaSimple(cases, fixtures / "gguf");
}

// The architectures of fixtures/arch/ that hfd runs, by file stem: all of them.
const std::vector<std::string> kArchStems = {"tiny-gemma2", "tiny-phi3", "tiny-mixtral",
                                             "tiny-qwen2moe"};

bool IsRunArch(const std::string& file) {
  return std::any_of(kArchStems.begin(), kArchStems.end(),
                     [&](const std::string& stem) { return file.starts_with(stem + "-"); });
}

TEST(LlamaCppConformance, ArchF32GreedyTextMatchesLlamaSimple) {
  HFD_REQUIRE_FIXTURES(fixtures);
  std::vector<LlamaCppCase> cases;
  for (LlamaCppCase& c : ParseLlamaCpp(ReadFileOrFail(fixtures / "arch/llama.cpp.txt"))) {
    if (IsRunArch(c.file) && c.file.ends_with("-F32.gguf")) cases.push_back(std::move(c));
  }
  ASSERT_EQ(cases.size(), 2 * kArchStems.size());
  ExpectGreedyTextMatchesLlamaSimple(cases, fixtures / "arch");
}

// llama.cpp's logits (`reference`, the format of llama.cpp-logits.json) on `model` at the
// last prompt position and along its greedy continuation, computed here teacher-forced on
// the same tokens with a KV cache of `kv`. Calls `check` with each step's llama.cpp entry
// and our logits for that position.
void ForEachLlamaCppStep(
    const std::filesystem::path& reference, const std::filesystem::path& model, runtime::KvType kv,
    const std::function<void(const nlohmann::json& step, std::span<const float> ours)>& check,
    cpu::ActPrecision activations = cpu::ActPrecision::kInt8) {
  const auto all = nlohmann::json::parse(ReadFileOrFail(reference), nullptr,
                                         /*allow_exceptions=*/false);
  const std::string file = model.filename().string();
  SCOPED_TRACE(file);
  ASSERT_TRUE(all.contains(file));
  LoadedModel m = LoadOnCpu(model, 0, activations);
  ASSERT_NE(m.files, nullptr);
  const int64_t vocab = m.files->desc().n_vocab;
  for (const auto& [prompt, c] : all[file].items()) {
    SCOPED_TRACE(prompt);
    std::vector<int32_t> ids = c["prompt_ids"].get<std::vector<int32_t>>();
    const size_t n_prompt = ids.size();
    const auto greedy = c["greedy_ids"].get<std::vector<int32_t>>();
    const auto& steps = c["steps"];
    ASSERT_EQ(steps.size(), greedy.size());
    // Step i is the distribution llama.cpp drew greedy token i from.
    ids.insert(ids.end(), greedy.begin(), greedy.end() - 1);
    auto logits = m.NewSession(128, 32, kv)->FeedAll(ids);
    ASSERT_TRUE(logits.ok()) << logits.status().ToString();
    for (size_t i = 0; i < steps.size(); ++i) {
      SCOPED_TRACE("step " + std::to_string(i));
      check(steps[i], {logits->data() + (n_prompt - 1 + i) * vocab, static_cast<size_t>(vocab)});
    }
  }
}

double LogSumExp(std::span<const float> logits) {
  const double max = *std::max_element(logits.begin(), logits.end());
  double sum = 0;
  for (float x : logits) sum += std::exp(x - max);
  return max + std::log(sum);
}

// The largest difference of our logits from a reference step's top-5.
double Top5Difference(const nlohmann::json& step, std::span<const float> ours) {
  const auto ids = step["top5_ids"].get<std::vector<int32_t>>();
  const auto want = step["top5_logits"].get<std::vector<double>>();
  double worst = 0;
  for (size_t k = 0; k < ids.size(); ++k) worst = std::max(worst, std::abs(ours[ids[k]] - want[k]));
  return worst;
}

// F32 weights against llama.cpp's logits on the same tokens, both with an F32 KV cache
// (`reference`, recorded by testdata/arch17/llamacpp_logits.py: with llama.cpp's default
// F16 cache the keys and values, and with them the queries and softmax weights, are
// rounded to F16, which alone moved these logits by up to 2.8e-3): each of llama.cpp's
// top-5 logits and the logsumexp within `tolerance`. Prints and returns the largest top-5
// difference. `activations`: how the products of quantized weights (MXFP4 experts) round
// their inputs.
double ExpectF32LogitsMatch(const std::filesystem::path& reference,
                            const std::filesystem::path& model, double tolerance,
                            cpu::ActPrecision activations = cpu::ActPrecision::kInt8) {
  double worst = 0;
  ForEachLlamaCppStep(
      reference, model, runtime::KvType::kF32,
      [&](const nlohmann::json& step, auto ours) {
        const double diff = Top5Difference(step, ours);
        EXPECT_LE(diff, tolerance);
        worst = std::max(worst, diff);
        EXPECT_NEAR(LogSumExp(ours), step["logsumexp"].get<double>(), tolerance);
      },
      activations);
  std::cout << model.filename().string() << ": largest top-5 logit difference from the reference "
            << worst << "\n";
  return worst;
}

// The bound for F32 weights. Measured with F32 caches: tiny-phi3, tiny-granite,
// tiny-olmo2 and tiny-nemo 2e-6 (1.1e-3 to 1.9e-3 against llama.cpp's F16 cache).
constexpr double kF32LogitTolerance = 1e-3;

// tiny-gemma2 (26 layers), F32 caches: 1.5e-3 from llama.cpp (2.8e-3 with its F16 cache),
// and that is llama.cpp's rounding, not ours: an independent float64 numpy pass
// (scripts/gemma_reference.py) is 1.5e-3 from llama.cpp too and 1.8e-6 from hfd. Half of
// it is llama.cpp's GELU, a lookup table indexed by the input rounded to F16 and holding
// F16 outputs (GGML_GELU_FP16): with that table the numpy pass comes to 7.1e-4 of
// llama.cpp; the rest is float rounding elsewhere in llama.cpp's 26 layers (not its
// float32 RoPE angles, which change nothing here). Rounding hfd's GELU the same way would
// make it less exact, so the bound is 2e-3.
constexpr double kGemma2F32LogitTolerance = 2e-3;

// tiny-gemma2, tiny-phi3, tiny-mixtral and tiny-qwen2moe against our own F32-cache
// recording of llama.cpp on them (testdata/arch17/llama.cpp-logits-arch.json; the fixtures' own was
// made with an F16 cache). A wrong query scale (n_embd / n_head instead of head_dim) moves the
// logits by 1.3, and dropping soft-capping or the window by 0.03 and more (fixtures/README.md).
TEST(LlamaCppConformance, ArchF32LogitsMatchLlamaCpp) {
  HFD_REQUIRE_FIXTURES(fixtures);
  const std::filesystem::path reference =
      std::filesystem::path(HFD_ARCH17_TESTDATA) / "llama.cpp-logits-arch.json";
  ExpectF32LogitsMatch(reference, fixtures / "arch/tiny-gemma2-F32.gguf", kGemma2F32LogitTolerance);
  ExpectF32LogitsMatch(reference, fixtures / "arch/tiny-phi3-F32.gguf", kF32LogitTolerance);
  ExpectF32LogitsMatch(reference, fixtures / "arch/tiny-mixtral-F32.gguf", kF32LogitTolerance);
  ExpectF32LogitsMatch(reference, fixtures / "arch/tiny-qwen2moe-F32.gguf", kF32LogitTolerance);
}

// Quantized weights, teacher-forced on llama.cpp's greedy tokens: the same top-1 except
// where llama.cpp's own top two are closer than kQuantNearTie. llama.cpp rounds the
// activations to its Q8 blocks and hfd to its own int8 rows: on tiny-gemma2 the top-5
// logits differ by up to 0.11 (Q8_0 and Q4_K_M), so two logits may swap within 0.22.
constexpr double kQuantNearTie = 0.25;

// Teacher-forced on the greedy tokens of `reference` (llama.cpp's, F16 KV cache on both
// sides, or another reference in its format): our top-1 is the reference's except where its own top
// two are closer than kQuantNearTie, at no fewer than `min_agreement` of the steps.
void ExpectQuantizedTop1(const std::filesystem::path& reference, const std::filesystem::path& model,
                         double min_agreement) {
  const std::string file = model.filename().string();
  int agree = 0, total = 0;
  double worst = 0;
  ForEachLlamaCppStep(
      reference, model, runtime::KvType::kF16, [&](const nlohmann::json& step, auto ours) {
        worst = std::max(worst, Top5Difference(step, ours));
        const auto want = step["top5_logits"].get<std::vector<double>>();
        ++total;
        if (ArgmaxOf(ours) == step["top5_ids"][0].get<int32_t>()) {
          ++agree;
        } else {
          std::cout << file << ": top-1 differs where the reference's top-two gap is "
                    << want[0] - want[1] << "\n";
          EXPECT_LT(want[0] - want[1], kQuantNearTie);
        }
      });
  EXPECT_GE(agree, total * min_agreement);
  std::cout << file << ": top-1 agreement with the reference " << agree << "/" << total
            << ", largest top-5 logit difference " << worst << "\n";
}

TEST(LlamaCppConformance, ArchQuantizedTop1MatchesLlamaCppTeacherForced) {
  HFD_REQUIRE_FIXTURES(fixtures);
  for (const std::string& stem : kArchStems) {
    for (const char* quant : {"-Q8_0.gguf", "-Q4_K_M.gguf"}) {
      // measured 29/32 (Q4_K_M) and 30/32 (Q8_0)
      ExpectQuantizedTop1(fixtures / "arch/llama.cpp-logits.json",
                          fixtures / "arch" / (stem + quant), 0.85);
    }
  }
}

// config.json keys every Hugging Face twin of a fixtures/arch file shares.
nlohmann::json TwinConfig(const model::ModelDesc& d) {
  return {
      {"vocab_size", d.n_vocab},
      {"hidden_size", d.n_embd},
      {"intermediate_size", d.n_ff},
      {"num_hidden_layers", d.n_layer},
      {"num_attention_heads", d.n_head},
      {"num_key_value_heads", d.n_head_kv},
      {"max_position_embeddings", d.n_ctx_train},
      {"rms_norm_eps", d.rms_eps},
      {"rope_theta", d.rope_theta},
      {"sliding_window", d.sliding_window},
      {"bos_token_id", d.bos_id},
      {"eos_token_id", d.eos_ids},
  };
}

// An F32 GGUF tensor as safetensors stores it: the same bytes, the shape reversed.
F32Tensor TwinTensor(const std::vector<int64_t>& ggml_shape, const uint8_t* data, uint64_t nbytes) {
  F32Tensor t{{ggml_shape.rbegin(), ggml_shape.rend()}, std::vector<float>(nbytes / 4)};
  std::memcpy(t.data.data(), data, nbytes);
  return t;
}

// Every logit of a prompt through both models on the CPU; the largest difference.
double LargestLogitDifference(LoadedModel& a, LoadedModel& b) {
  const std::vector<int32_t> ids = {1, 450, 2117, 2410, 310, 1352, 346, 338, 1551, 346, 2501, 263};
  auto x = a.NewSession(128, 16)->FeedAll(ids);
  auto y = b.NewSession(128, 16)->FeedAll(ids);
  EXPECT_TRUE(x.ok() && y.ok());
  if (!x.ok() || !y.ok() || x->size() != y->size()) return 1e9;
  double worst = 0;
  for (size_t i = 0; i < x->size(); ++i) {
    worst = std::max(worst, double(std::abs((*x)[i] - (*y)[i])));
  }
  return worst;
}

// A Gemma GGUF's tensors as its Hugging Face checkpoint holds them, made back by undoing
// llama.cpp's conversion as its converter documents it: HF names (Gemma's own for its four
// norms), every norm weight (Gemma 3's q/k norms included) stored as w - 1, rows [out, in],
// Q/K rows unpermuted (the Gemma converters keep HF's).
std::map<std::string, F32Tensor> GemmaTwinTensors(const model::ModelFiles& gguf) {
  std::map<std::string, F32Tensor> tensors;
  for (const std::string& name : gguf.WeightNames()) {
    auto w = gguf.Weight(name);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    if (!w.ok()) return {};
    EXPECT_EQ(w->type, TensorType::kF32) << name;
    const auto hf = model::HfFromCanonical(name, gguf.desc().arch);
    EXPECT_TRUE(hf.has_value()) << name;
    if (!hf.has_value()) return {};
    F32Tensor t = TwinTensor(w->shape, w->data, w->nbytes);
    if (name.ends_with("norm.weight")) {
      for (float& v : t.data) v -= 1.0f;
    }
    tensors[*hf] = std::move(t);
  }
  return tensors;
}

// The Hugging Face checkpoint tiny-gemma2-F32.gguf was converted from: its tensors
// (GemmaTwinTensors), tied embeddings, Gemma2Config's keys.
void WriteGemma2Twin(const model::ModelFiles& gguf, const std::filesystem::path& dir) {
  const model::ModelDesc& d = gguf.desc();
  nlohmann::json layer_types = nlohmann::json::array();
  for (int64_t i = 0; i < d.n_layer; ++i) {
    layer_types.push_back(i % 2 == 0 ? "sliding_attention" : "full_attention");
  }
  nlohmann::json config = TwinConfig(d);
  config.update({
      {"architectures", {"Gemma2ForCausalLM"}},
      {"model_type", "gemma2"},
      {"head_dim", d.head_dim},
      {"query_pre_attn_scalar", d.head_dim},
      {"layer_types", layer_types},
      {"attn_logit_softcapping", d.attn_softcap},
      {"final_logit_softcapping", d.final_softcap},
      {"hidden_activation", "gelu_pytorch_tanh"},
      {"tie_word_embeddings", true},
  });
  std::ofstream(dir / "config.json") << config.dump(2);
  WriteF32Safetensors(dir / "model.safetensors", GemmaTwinTensors(gguf));
}

// A GGUF and the safetensors twin `write` makes of it: the largest difference of their
// logits on the CPU.
double TwinLogitDifference(
    const std::filesystem::path& gguf_file,
    const std::function<void(const model::ModelFiles&, const std::filesystem::path&)>& write) {
  LoadedModel gguf = LoadOnCpu(gguf_file);
  if (gguf.files == nullptr) return 1e9;
  TempDir dir;
  write(*gguf.files, dir.path());
  LoadedModel hf = LoadOnCpu(dir.path());
  if (hf.files == nullptr) return 1e9;
  EXPECT_EQ(hf.files->format(), model::ModelFormat::kSafetensors);
  EXPECT_EQ(hf.files->desc().arch, gguf.files->desc().arch);
  return LargestLogitDifference(gguf, hf);
}

// The twin and the GGUF give the same logits: the GGUF tests hold the arithmetic, this the
// Hugging Face side (names, the norms' 1, the config keys).
TEST(LlamaCppConformance, Gemma2SafetensorsTwinMatchesGguf) {
  HFD_REQUIRE_FIXTURES(fixtures);
  // (w - 1) + 1 == w exactly for the norm weights near 1, so the two are the same numbers.
  EXPECT_LT(TwinLogitDifference(fixtures / "arch/tiny-gemma2-F32.gguf", WriteGemma2Twin), 1e-5);
}

// The Hugging Face checkpoint tiny-phi3-F32.gguf was converted from: llama.cpp's phi3
// converter keeps the fused qkv_proj and gate_up_proj as they are (rows q, k, v and gate,
// up) and the rows unpermuted (NeoX RoPE), so undoing it renames the stored tensors.
void WritePhi3Twin(const model::ModelFiles& gguf, const std::filesystem::path& dir) {
  const model::ModelDesc& d = gguf.desc();
  nlohmann::json config = TwinConfig(d);
  config.update({
      {"architectures", {"Phi3ForCausalLM"}},
      {"model_type", "phi3"},
      {"original_max_position_embeddings", d.n_ctx_train},
      {"hidden_act", "silu"},
      {"tie_word_embeddings", false},
  });
  std::ofstream(dir / "config.json") << config.dump(2);
  std::map<std::string, F32Tensor> tensors;
  ASSERT_NE(gguf.gguf(), nullptr);
  for (const gguf::TensorInfo& w : gguf.gguf()->tensors()) {
    ASSERT_EQ(w.type, TensorType::kF32) << w.name;
    const auto hf = model::HfFromCanonical(w.name, model::Architecture::kPhi3);
    ASSERT_TRUE(hf.has_value()) << w.name;
    tensors[*hf] = TwinTensor(w.shape, w.data, w.nbytes);
  }
  WriteF32Safetensors(dir / "model.safetensors", tensors);
}

// The twin (fused tensors under their HF names, Phi3Config's keys) and the GGUF read the
// same weights, so they give the same numbers.
TEST(LlamaCppConformance, Phi3SafetensorsTwinMatchesGguf) {
  HFD_REQUIRE_FIXTURES(fixtures);
  EXPECT_LT(TwinLogitDifference(fixtures / "arch/tiny-phi3-F32.gguf", WritePhi3Twin), 1e-6);
}

// tests/cpu/testdata/arch17 (its README): tiny granite, olmo2 and Nemo-shaped llama models
// written by hfd's own GGUF writer, with what llama.cpp computed on them.
const std::vector<std::string> kArch17Stems = {"tiny-granite", "tiny-olmo2", "tiny-nemo"};

TEST(LlamaCppConformance, GraniteOlmo2NemoGreedyTextMatchesLlamaSimple) {
  const std::filesystem::path dir = HFD_ARCH17_TESTDATA;
  const auto cases = ParseLlamaCpp(ReadFileOrFail(dir / "llama.cpp.txt"));
  ASSERT_EQ(cases.size(), 4 * kArch17Stems.size());  // F32 and Q8_0, two prompts each
  ExpectGreedyTextMatchesLlamaSimple(cases, dir);
}

// F32 weights, 2 layers, against llama.cpp with F32 KV caches on both sides. What the
// families' features change is far larger: Granite's logits_scaling read as a factor
// instead of a divisor scales its logits 4x.
TEST(LlamaCppConformance, GraniteOlmo2NemoF32LogitsMatchLlamaCpp) {
  const std::filesystem::path dir = HFD_ARCH17_TESTDATA;
  for (const std::string& stem : kArch17Stems) {
    ExpectF32LogitsMatch(dir / "llama.cpp-logits.json", dir / (stem + "-F32.gguf"),
                         kF32LogitTolerance);
  }
}

// A GGUF's F32 weights as the Hugging Face checkpoint it stands for holds them: HF names,
// rows [out, in], stacked experts split into one tensor per expert, Qwen2-MoE's shared
// expert gate as one row. llama's converter (Granite's, Mixtral's) permutes Q/K rows for
// interleaved RoPE: undone here (row (head, i, j) of GGUF is HF's (head, j, i), pairs i of
// half j).
void AddTwinTensors(const model::ModelFiles& gguf, std::map<std::string, F32Tensor>* tensors) {
  const model::ModelDesc& d = gguf.desc();
  for (const std::string& name : gguf.WeightNames()) {
    auto w = gguf.Weight(name);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    ASSERT_EQ(w->type, TensorType::kF32) << name;
    if (w->shape.size() == 3) {
      const uint64_t expert_bytes = w->nbytes / w->shape[2];
      for (int64_t e = 0; e < w->shape[2]; ++e) {
        const auto hf = model::HfExpertName(name, e, d.arch);
        ASSERT_TRUE(hf.has_value()) << name;
        (*tensors)[*hf] =
            TwinTensor({w->shape[0], w->shape[1]}, w->data + e * expert_bytes, expert_bytes);
      }
      continue;
    }
    const auto hf = model::HfFromCanonical(name, d.arch);
    ASSERT_TRUE(hf.has_value()) << name;
    F32Tensor t = TwinTensor(w->shape, w->data, w->nbytes);
    if (name.ends_with("ffn_gate_inp_shexp.weight")) t.shape = {1, w->shape[0]};
    const bool q = name.ends_with("attn_q.weight"), k = name.ends_with("attn_k.weight");
    if (d.rope_layout == model::RopeLayout::kInterleaved && (q || k)) {
      const int64_t cols = w->shape[0], half = d.head_dim / 2;
      std::vector<float> hf_rows(t.data.size());
      for (int64_t h = 0; h < (q ? d.n_head : d.n_head_kv); ++h) {
        for (int64_t i = 0; i < half; ++i) {
          for (int64_t j = 0; j < 2; ++j) {
            const int64_t from = h * d.head_dim + 2 * i + j, to = h * d.head_dim + j * half + i;
            std::memcpy(&hf_rows[to * cols], &t.data[from * cols], cols * sizeof(float));
          }
        }
      }
      t.data = std::move(hf_rows);
    }
    (*tensors)[*hf] = std::move(t);
  }
}

// The Hugging Face checkpoint a GGUF of arch17 stands for: its committed config.json and
// the GGUF's weights (AddTwinTensors).
void WriteArch17Twin(const model::ModelFiles& gguf, const std::string& stem,
                     const std::filesystem::path& dir) {
  const std::filesystem::path src = HFD_ARCH17_TESTDATA;
  std::filesystem::copy_file(src / (stem + ".config.json"), dir / "config.json");
  std::map<std::string, F32Tensor> tensors;
  AddTwinTensors(gguf, &tensors);
  WriteF32Safetensors(dir / "model.safetensors", tensors);
}

// The checkpoints tiny-mixtral and tiny-qwen2moe stand for: MixtralConfig's and
// Qwen2MoeConfig's keys (Qwen2-MoE's top-k weights not renormalized) and the weights.
void WriteMoeTwin(const model::ModelFiles& gguf, const std::filesystem::path& dir) {
  const model::ModelDesc& d = gguf.desc();
  nlohmann::json config = TwinConfig(d);
  config["num_experts_per_tok"] = d.n_expert_used;
  if (d.arch == model::Architecture::kLlama) {
    config.update({{"architectures", {"MixtralForCausalLM"}},
                   {"model_type", "mixtral"},
                   {"num_local_experts", d.n_expert}});
  } else {
    config.update({{"architectures", {"Qwen2MoeForCausalLM"}},
                   {"model_type", "qwen2_moe"},
                   {"num_experts", d.n_expert},
                   {"moe_intermediate_size", d.n_ff_expert},
                   {"shared_expert_intermediate_size", d.n_ff_shared_expert},
                   {"norm_topk_prob", false}});
  }
  std::ofstream(dir / "config.json") << config.dump(2);
  std::map<std::string, F32Tensor> tensors;
  AddTwinTensors(gguf, &tensors);
  WriteF32Safetensors(dir / "model.safetensors", tensors);
}

// The twins (one tensor per expert under Mixtral's and Qwen's names, the MoE config keys)
// read the same weights as the GGUFs' stacked tensors, so they give the same logits.
TEST(LlamaCppConformance, MoeSafetensorsTwinsMatchGguf) {
  HFD_REQUIRE_FIXTURES(fixtures);
  for (const char* stem : {"tiny-mixtral", "tiny-qwen2moe"}) {
    SCOPED_TRACE(stem);
    EXPECT_LT(
        TwinLogitDifference(fixtures / "arch" / (std::string(stem) + "-F32.gguf"), WriteMoeTwin),
        1e-4);
  }
}

// The safetensors twins give the GGUF's logits: the GGUF tests hold the arithmetic, this
// the Hugging Face side (Granite's multiplier keys, OLMo 2's norm names, head_dim).
TEST(LlamaCppConformance, GraniteOlmo2NemoSafetensorsTwinsMatchGguf) {
  for (const std::string& stem : kArch17Stems) {
    SCOPED_TRACE(stem);
    const auto write = [&](const model::ModelFiles& gguf, const std::filesystem::path& dir) {
      WriteArch17Twin(gguf, stem, dir);
    };
    EXPECT_LT(TwinLogitDifference(std::filesystem::path(HFD_ARCH17_TESTDATA) / (stem + "-F32.gguf"),
                                  write),
              1e-4);
  }
}

// tests/cpu/testdata/gemma3 (its README): a tiny gemma3, which the llama.cpp reference build
// does not know, written by hfd's own GGUF writer, with what the independent float64 forward
// pass scripts/gemma_reference.py computes on it (reference-logits.json, in the format of
// llama.cpp-logits.json). Of its 7 layers, 0-4 and 6 are local (window 4, RoPE base 10000)
// and 5 global (base 1e6, linear scaling 8); the prompts (6 and 8 tokens) and their 16
// greedy tokens run past the window.
const std::filesystem::path kGemma3Dir = HFD_GEMMA3_TESTDATA;
constexpr const char* kGemma3Reference = "reference-logits.json";

// F32 weights and KV cache against float64: the reference's top-5 logits and logsumexp
// within this at every step. Measured: 9.2e-7. What Gemma 3's features change is far larger
// (the reference with each one wrong): the local layers at the global base and scaling 1.45,
// the global layers unscaled 0.40, no window 3.3, no q/k norms 1.07.
constexpr double kGemma3F32Tolerance = 1e-4;

TEST(LlamaCppConformance, Gemma3F32LogitsMatchNumpyReference) {
  ExpectF32LogitsMatch(kGemma3Dir / kGemma3Reference, kGemma3Dir / "tiny-gemma3-F32.gguf",
                       kGemma3F32Tolerance);
}

// Greedy decoding as served (prefill, then a token at a time through the F16 KV cache, the
// window sliding in the cache) gives the reference's 16 tokens, departing only where its
// top two nearly tie.
TEST(LlamaCppConformance, Gemma3GreedyTokensMatchNumpyReference) {
  const auto ref = nlohmann::json::parse(ReadFileOrFail(kGemma3Dir / kGemma3Reference));
  LoadedModel m = LoadOnCpu(kGemma3Dir / "tiny-gemma3-F32.gguf");
  ASSERT_NE(m.files, nullptr);
  ASSERT_EQ(ref["tiny-gemma3-F32.gguf"].size(), 2u);
  for (const auto& [prompt, c] : ref["tiny-gemma3-F32.gguf"].items()) {
    SCOPED_TRACE(prompt);
    const auto ids = c["prompt_ids"].get<std::vector<int32_t>>();
    const auto greedy = c["greedy_ids"].get<std::vector<int32_t>>();
    ASSERT_EQ(greedy.size(), 16u);
    auto session = m.NewSession(128, 8);
    auto logits = session->Feed(ids);
    for (size_t i = 0; i < greedy.size(); ++i) {
      ASSERT_TRUE(logits.ok()) << logits.status().ToString();
      if (ArgmaxOf(*logits) != greedy[i]) {
        const auto top = c["steps"][i]["top5_logits"].get<std::vector<double>>();
        EXPECT_LT(top[0] - top[1], kNearTie) << "departure at step " << i;
        break;
      }
      logits = session->Feed(std::span<const int32_t>(&greedy[i], 1));
    }
  }
}

// The Q8_0 file (the F32 one's weights, quantized by the same writer) teacher-forced on the
// tokens of the reference computed from its dequantized weights; hfd's int8 activations
// are the difference.
TEST(LlamaCppConformance, Gemma3Q8_0Top1MatchesNumpyReferenceTeacherForced) {
  ExpectQuantizedTop1(kGemma3Dir / kGemma3Reference, kGemma3Dir / "tiny-gemma3-Q8_0.gguf", 0.9);
}

// How a Gemma 3 Hugging Face checkpoint lays out its text model: Gemma3ForCausalLM's, or
// Gemma3ForConditionalGeneration's as transformers saves it before 4.52 (under
// language_model.model., lm_head under language_model.) and since (under
// model.language_model.), beside a vision tower and projector hfd skips.
enum class Gemma3Layout { kText, kMultimodal, kMultimodal452 };

// The checkpoint tiny-gemma3-F32.gguf stands for, in `layout`: its tensors (GemmaTwinTensors)
// and its committed config.json, which the multimodal layouts nest as text_config.
void WriteGemma3Twin(const model::ModelFiles& gguf, Gemma3Layout layout,
                     const std::filesystem::path& dir) {
  const auto text = nlohmann::json::parse(ReadFileOrFail(kGemma3Dir / "tiny-gemma3.config.json"));
  std::map<std::string, F32Tensor> tensors = GemmaTwinTensors(gguf);
  if (layout == Gemma3Layout::kText) {
    std::ofstream(dir / "config.json") << text.dump(2);
    WriteF32Safetensors(dir / "model.safetensors", tensors);
    return;
  }
  nlohmann::json config = {
      {"architectures", {"Gemma3ForConditionalGeneration"}},
      {"model_type", "gemma3"},
      {"text_config", text},
      {"vision_config", {{"model_type", "siglip_vision_model"}, {"hidden_size", 8}}}};
  config["text_config"].erase("architectures");
  std::ofstream(dir / "config.json") << config.dump(2);
  const std::string prefix =
      layout == Gemma3Layout::kMultimodal ? "language_model." : "model.language_model.";
  std::map<std::string, F32Tensor> nested;
  for (auto& [name, t] : tensors) {
    const std::string rest = layout == Gemma3Layout::kMultimodal ? name : name.substr(6);
    nested[prefix + rest] = std::move(t);  // "model." is inside the 4.52 prefix
  }
  const std::string vision = layout == Gemma3Layout::kMultimodal ? "" : "model.";
  nested[vision + "vision_tower.vision_model.embeddings.patch_embedding.weight"] = {
      {8, 3, 2, 2}, std::vector<float>(96, 0.5f)};
  nested[vision + "multi_modal_projector.mm_input_projection_weight"] = {
      {8, 64}, std::vector<float>(512, 0.25f)};
  WriteF32Safetensors(dir / "model.safetensors", nested);
}

// Each layout gives the GGUF's logits: the GGUF tests hold the arithmetic, this the Hugging
// Face side (names, the norms' 1, Gemma3TextConfig's keys, the text_config nesting), and
// the multimodal ones say in the log that they skip the vision tensors.
TEST(LlamaCppConformance, Gemma3SafetensorsTwinsMatchGguf) {
  for (const Gemma3Layout layout :
       {Gemma3Layout::kText, Gemma3Layout::kMultimodal, Gemma3Layout::kMultimodal452}) {
    SCOPED_TRACE(static_cast<int>(layout));
    std::ostringstream log;
    const auto previous = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>(
        "capture", std::make_shared<spdlog::sinks::ostream_sink_st>(log)));
    const auto write = [&](const model::ModelFiles& gguf, const std::filesystem::path& dir) {
      WriteGemma3Twin(gguf, layout, dir);
    };
    // (w - 1) + 1 == w exactly for the norm weights near 1, so the two are the same numbers.
    EXPECT_LT(TwinLogitDifference(kGemma3Dir / "tiny-gemma3-F32.gguf", write), 1e-5);
    spdlog::set_default_logger(previous);
    EXPECT_EQ(log.str().find("skipping 2 vision tensors") != std::string::npos,
              layout != Gemma3Layout::kText)
        << log.str();
  }
}

// llama-quantize's Q3_K_M, Q2_K, IQ4_XS and IQ3_S mixes of a small random llama, committed
// with llama-simple's output (testdata/lowbit/README.md): every low-bit weight type's CPU
// kernel inside a whole model.
TEST(LlamaCppConformance, LowBitMixesGreedyTextMatchesLlamaSimple) {
  const std::filesystem::path dir = HFD_LOWBIT_TESTDATA;
  const auto cases = ParseLlamaCpp(ReadFileOrFail(dir / "llama.cpp.txt"));
  ASSERT_EQ(cases.size(), 8u);
  ExpectGreedyTextMatchesLlamaSimple(cases, dir);
}

// tiny-gemma2-F32 with linear and YaRN RoPE scaling keys added, against llama-simple on
// the same copies (testdata/rope_scaling/README.md): YaRN with an original context of 16
// positions, so most of each prompt and all generated tokens lie past it.
TEST(LlamaCppConformance, RopeScaledGreedyTextMatchesLlamaSimple) {
  HFD_REQUIRE_FIXTURES(fixtures);
  TempDir temp;
  const char* keep = std::getenv("HFD_ROPE_SCALED_DIR");  // to regenerate the reference
  const std::filesystem::path dir = keep != nullptr ? keep : temp.path();
  const Status written = WriteRopeScaledGemma2(fixtures, dir);
  ASSERT_TRUE(written.ok()) << written.ToString();
  const auto cases = ParseLlamaCpp(
      ReadFileOrFail(std::filesystem::path(HFD_ROPE_SCALING_TESTDATA) / "llama.cpp.txt"));
  ASSERT_EQ(cases.size(), 4u);
  ExpectGreedyTextMatchesLlamaSimple(cases, dir);
}

// 64 tokens of ordinary text through the BF16 checkpoint and its Q8_0 conversion, compared
// per position. The target is top-1 agreement >= 95 %. Measured (F16 KV cache,
// AVX-512 path):
//
//   activations                     tiny-llama3          tiny-qwen2
//   int8 (default, like llama.cpp)  90.6 %, KL 0.0088    96.9 %, KL 0.0018
//   int8x2 (about 14 bits)          95.3 %, KL 0.0048    95.3 %, KL 0.0009
//   F32 on dequantized weights      95.3 %, KL 0.0048    95.3 %, KL 0.0009
//   int8 with F16 scales, as        92.2 %, KL 0.0082    95.3 %, KL 0.0018
//   llama.cpp's own Q8_0 activations
//
// With int8 activations the agreement moves by a position or two with float summation
// order alone (the previous AVX-512 kernels gave tiny-llama3 92.2 %, KL 0.0090), so the
// int8 floor is 87.5 %. int8x2 equals exact F32 math, and the three positions where even
// that disagrees (reference top-two gaps 0.016, 0.014, 0.067) come from the Q8_0 weights.
// Every disagreement is at a near-tie.
struct Agreement {
  double top1, mean_kl;
};

Agreement TeacherForced(const std::filesystem::path& fixtures, const std::string& name,
                        cpu::ActPrecision activations) {
  const std::string text =
      "The history of the city begins with a small fishing village on the river. Over the "
      "centuries, merchants built bridges, markets and churches, and the population grew "
      "quickly. Today, visitors come to see the old harbour, walk through narrow streets, "
      "and taste the famous bread that bakers still make every morning before sunrise. In "
      "the evening, musicians play in the squares while families share long dinners outside.";
  auto tokenizer = tok::Tokenizer::FromPath(fixtures / "models" / name);
  EXPECT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  if (!tokenizer.ok()) return {0, 1e9};
  std::vector<int32_t> ids = (*tokenizer)->Encode(text, /*add_special=*/true);
  EXPECT_GE(ids.size(), 64u);
  ids.resize(64);

  LoadedModel st = LoadOnCpu(fixtures / "models" / name);
  LoadedModel q8 = LoadOnCpu(fixtures / "gguf" / (name + "-Q8_0.gguf"), 0, activations);
  if (!st.files || !q8.files) return {0, 1e9};
  auto a = st.NewSession(128, 16)->FeedAll(ids);
  auto b = q8.NewSession(128, 16)->FeedAll(ids);
  EXPECT_TRUE(a.ok() && b.ok());
  if (!a.ok() || !b.ok()) return {0, 1e9};
  const int64_t vocab = st.files->desc().n_vocab;
  int agree = 0;
  double kl_sum = 0.0;
  for (size_t p = 0; p < ids.size(); ++p) {
    const std::span<const float> ra(a->data() + p * vocab, vocab), rb(b->data() + p * vocab, vocab);
    if (ArgmaxOf(ra) == ArgmaxOf(rb)) {
      ++agree;
    } else {
      std::cout << name << ": top-1 differs at position " << p << ", safetensors top-two gap "
                << TopTwoGap(ra) << "\n";
      EXPECT_LT(TopTwoGap(ra), kQ8NearTie) << "position " << p;
    }
    kl_sum += KlDivergence(LogSoftmax(ra), LogSoftmax(rb));
  }
  return {agree / 64.0, kl_sum / 64.0};
}

TEST(LlamaCppConformance, Q8_0AgreesWithSafetensorsTeacherForced) {
  HFD_REQUIRE_FIXTURES(fixtures);
  struct Expectation {
    cpu::ActPrecision activations;
    const char* label;
    double min_top1, max_mean_kl;
  };
  const Expectation expectations[] = {{cpu::ActPrecision::kInt8, "int8", 0.875, 0.012},
                                      {cpu::ActPrecision::kInt8x2, "int8x2", 0.95, 0.006}};
  for (const Expectation& e : expectations) {
    for (const std::string name : {"tiny-llama3", "tiny-qwen2"}) {
      SCOPED_TRACE(name + " " + e.label);
      const Agreement got = TeacherForced(fixtures, name, e.activations);
      std::cout << name << " safetensors vs Q8_0 (" << e.label
                << " activations) over 64 tokens: top-1 agreement " << got.top1 << ", mean KL "
                << got.mean_kl << "\n";
      RecordProperty(name + "_" + e.label + "_top1_agreement", std::to_string(got.top1));
      RecordProperty(name + "_" + e.label + "_mean_kl", std::to_string(got.mean_kl));
      EXPECT_GE(got.top1, e.min_top1);
      EXPECT_LT(got.mean_kl, e.max_mean_kl);
    }
  }
}

// tests/cpu/testdata/moe (its README): tiny-qwen3moe written by hfd's writer, with the
// logits and greedy tokens of scripts/moe_reference.py, an independent numpy forward pass
// that reproduces llama.cpp on tiny-mixtral and tiny-qwen2moe within 2.6e-3.
constexpr char kQwen3MoeFile[] = "tiny-qwen3moe-F32.gguf";
constexpr char kQwen3MoeReference[] = "reference-logits.json";

// F32 weights, F32 KV cache, against float64. Renormalizing or not the top-3 weights moves
// these logits by about 1 (as on the llama.cpp fixtures).
TEST(LlamaCppConformance, Qwen3MoeLogitsMatchNumpyReference) {
  const std::filesystem::path dir = HFD_MOE_TESTDATA;
  ExpectF32LogitsMatch(dir / kQwen3MoeReference, dir / kQwen3MoeFile, kF32LogitTolerance);
}

// Greedy decoding (prefill, then one token at a time) gives the reference's 16 tokens, or
// departs only where the reference's top two are within 1e-2 (five times the logit
// tolerance).
void ExpectGreedyMatchesNumpyReference(const std::filesystem::path& reference,
                                       const std::filesystem::path& model,
                                       cpu::ActPrecision activations = cpu::ActPrecision::kInt8) {
  const auto all = nlohmann::json::parse(ReadFileOrFail(reference), nullptr,
                                         /*allow_exceptions=*/false);
  const std::string file = model.filename().string();
  ASSERT_TRUE(all.contains(file));
  LoadedModel m = LoadOnCpu(model, 0, activations);
  ASSERT_NE(m.files, nullptr);
  for (const auto& [prompt, c] : all[file].items()) {
    SCOPED_TRACE(prompt);
    const auto want = c["greedy_ids"].get<std::vector<int32_t>>();
    auto session = m.NewSession(128, 8);
    auto logits = session->Feed(c["prompt_ids"].get<std::vector<int32_t>>());
    ASSERT_TRUE(logits.ok()) << logits.status().ToString();
    for (size_t i = 0; i < want.size(); ++i) {
      const int32_t next = ArgmaxOf(*logits);
      if (next != want[i]) {
        const auto top = c["steps"][i]["top5_logits"].get<std::vector<double>>();
        EXPECT_LT(top[0] - top[1], 1e-2) << "departs at step " << i;
        break;
      }
      const int32_t id = next;
      logits = session->Feed(std::span<const int32_t>(&id, 1));
      ASSERT_TRUE(logits.ok()) << logits.status().ToString();
    }
  }
}

TEST(LlamaCppConformance, Qwen3MoeGreedyMatchesNumpyReference) {
  const std::filesystem::path dir = HFD_MOE_TESTDATA;
  ExpectGreedyMatchesNumpyReference(dir / kQwen3MoeReference, dir / kQwen3MoeFile);
}

// Its Hugging Face twin (Qwen3MoeConfig's keys committed beside it, one tensor per expert)
// reads the same weights.
TEST(LlamaCppConformance, Qwen3MoeSafetensorsTwinMatchesGguf) {
  const std::filesystem::path dir = HFD_MOE_TESTDATA;
  const auto write = [&](const model::ModelFiles& gguf, const std::filesystem::path& out) {
    std::filesystem::copy_file(dir / "tiny-qwen3moe.config.json", out / "config.json");
    std::map<std::string, F32Tensor> tensors;
    AddTwinTensors(gguf, &tensors);
    WriteF32Safetensors(out / "model.safetensors", tensors);
  };
  EXPECT_LT(TwinLogitDifference(dir / kQwen3MoeFile, write), 1e-4);
}

// tests/cpu/testdata/moe (its README): tiny-gptoss written by hfd's writer, MXFP4 experts
// as gpt-oss ships them, with scripts/moe_reference.py's logits (its gpt-oss pass).
constexpr char kGptOssFile[] = "tiny-gptoss.gguf";
constexpr char kGptOssReference[] = "gptoss-reference-logits.json";

// F32 KV cache against float64, the MXFP4 experts' inputs rounded to int8x2 (14 bits; the
// default int8 moves these logits by up to 2.5e-2). In the reference, dropping the sinks,
// the window of 4 on layer 0, the experts' biases or the clamped SwiGLU moves them by 2 to
// 6, and YaRN's ramp rounded outwards by 2.3e-3.
TEST(LlamaCppConformance, GptOssLogitsMatchNumpyReference) {
  const std::filesystem::path dir = HFD_MOE_TESTDATA;
  ExpectF32LogitsMatch(dir / kGptOssReference, dir / kGptOssFile, kF32LogitTolerance,
                       cpu::ActPrecision::kInt8x2);
}

TEST(LlamaCppConformance, GptOssGreedyMatchesNumpyReference) {
  const std::filesystem::path dir = HFD_MOE_TESTDATA;
  ExpectGreedyMatchesNumpyReference(dir / kGptOssReference, dir / kGptOssFile,
                                    cpu::ActPrecision::kInt8x2);
}

// Its Hugging Face twin as OpenAI publishes gpt-oss (fused, interleaved MXFP4 experts as
// _blocks/_scales; GptOssConfig's keys committed beside it) repacks to the same weights.
TEST(LlamaCppConformance, GptOssSafetensorsTwinMatchesGguf) {
  const std::filesystem::path dir = HFD_MOE_TESTDATA;
  const auto write = [&](const model::ModelFiles& gguf, const std::filesystem::path& out) {
    const Status s = WriteGptOssTwin(gguf, dir / "tiny-gptoss.config.json", out);
    ASSERT_TRUE(s.ok()) << s.ToString();
  };
  EXPECT_LT(TwinLogitDifference(dir / kGptOssFile, write), 1e-4);
}

// The same twin loaded with a derived store: the first load writes the repacked experts to
// one file, the second maps that file unchanged, the bytes are the in-memory repack's, and
// another checkpoint file (a new source) gets a file of its own.
TEST(LlamaCppConformance, GptOssSafetensorsTwinMapsDerivedExperts) {
  const std::filesystem::path dir = HFD_MOE_TESTDATA;
  auto gguf = model::OpenModelFiles(dir / kGptOssFile);
  ASSERT_TRUE(gguf.ok()) << gguf.status().ToString();
  TempDir twin, other_twin, cache;
  for (const TempDir* to : {&twin, &other_twin}) {
    const Status s = WriteGptOssTwin(**gguf, dir / "tiny-gptoss.config.json", to->path());
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  const model::DerivedStore store(cache.path(), "models--x--y/.hfd-derived");
  const auto derived_files = [&] {
    std::vector<std::filesystem::path> out;
    for (const auto& e : std::filesystem::directory_iterator(store.dir())) out.push_back(e.path());
    return out;
  };
  auto in_memory = model::OpenModelFiles(twin.path());
  ASSERT_TRUE(in_memory.ok()) << in_memory.status().ToString();
  struct stat built {};
  {
    auto first = model::OpenModelFiles(twin.path(), &store);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    ASSERT_EQ(derived_files().size(), 1u);
    ASSERT_EQ(::stat(derived_files()[0].c_str(), &built), 0);
  }
  auto second = model::OpenModelFiles(twin.path(), &store);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_EQ(derived_files().size(), 1u);
  struct stat mapped {};
  ASSERT_EQ(::stat(derived_files()[0].c_str(), &mapped), 0);
  EXPECT_EQ(mapped.st_ino, built.st_ino);
  EXPECT_EQ(mapped.st_mtim.tv_sec, built.st_mtim.tv_sec);
  EXPECT_EQ(mapped.st_mtim.tv_nsec, built.st_mtim.tv_nsec);

  EXPECT_EQ((*second)->WeightNames(), (*in_memory)->WeightNames());
  uint64_t expert_bytes = 0;
  for (const std::string& name : (*in_memory)->WeightNames()) {
    auto a = (*in_memory)->Weight(name);
    auto b = (*second)->Weight(name);
    ASSERT_TRUE(a.ok() && b.ok()) << name;
    EXPECT_EQ(a->type, b->type) << name;
    EXPECT_EQ(a->shape, b->shape) << name;
    ASSERT_EQ(a->nbytes, b->nbytes) << name;
    EXPECT_EQ(std::memcmp(a->data, b->data, a->nbytes), 0) << name;
    if (name.ends_with("_exps.weight")) expert_bytes += b->nbytes;
  }
  EXPECT_GT(std::filesystem::file_size(derived_files()[0]), expert_bytes);

  // The same bytes in another file (as a replaced blob would be): another source.
  auto rewritten = model::OpenModelFiles(other_twin.path(), &store);
  ASSERT_TRUE(rewritten.ok()) << rewritten.status().ToString();
  EXPECT_EQ(derived_files().size(), 2u);
}

}  // namespace
}  // namespace hfd::testing
