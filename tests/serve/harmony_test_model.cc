#include "tests/serve/harmony_test_model.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "engine/gguf/gguf_writer.h"
#include "tests/serve/test_model.h"

namespace hfd::serve::testing {
namespace {

// The vocabulary after the 256 bytes and <|endoftext|> (test_model.h's kEndOfText).
enum Token : int {
  kStart = kEndOfText + 1,
  kChannel,
  kMessage,
  kEnd,
  kReturn,
  kCall,
  kAssistant,
  kAnalysis,
  kFinal,
  kThinking,
  kHard,
  kHello,
  kThere,
  kVocab
};
static_assert(kReturn == kHarmonyReturn);

constexpr std::array<const char*, kVocab - kEndOfText> kWords = {
    "<|endoftext|>", "<|start|>",   "<|channel|>", "<|message|>", "<|end|>",
    "<|return|>",    "<|call|>",    "assistant",   "analysis",    "final",
    "Thinking",      "\u0120hard.", "Hello",       "\u0120there!"};

// The script's steps, each an embedding dimension; every token not named here is a step
// that leads to <|channel|> (a prompt ends in one; so does "assistant").
enum Step : int {
  kToChannel,
  kAfterStart,
  kAfterChannel,  // analysis, or final once "Thinking" was said
  kAfterName,     // analysis or final
  kAfterMessage,  // Thinking, or Hello once "Thinking" was said
  kAfterThinking,
  kAfterHard,
  kAfterEnd,
  kAfterHello,
  kAfterThere,
  kThought,  // the attention's output: how much of the context is "Thinking"
  kSteps
};
constexpr int kEmbd = 16;
static_assert(kSteps <= kEmbd);
constexpr int kHeadDim = 8;  // two query heads sharing one key/value head
constexpr int kFf = 16;

Step StepOf(int token) {
  switch (token) {
    case kStart:
      return kAfterStart;
    case kChannel:
      return kAfterChannel;
    case kAnalysis:
    case kFinal:
      return kAfterName;
    case kMessage:
      return kAfterMessage;
    case kThinking:
      return kAfterThinking;
    case kHard:
      return kAfterHard;
    case kEnd:
      return kAfterEnd;
    case kHello:
      return kAfterHello;
    case kThere:
      return kAfterThere;
    default:
      return kToChannel;
  }
}

// Output weights: the next token's logit is 1000 (times the normed step, about 4); at the
// two forks the other choice has 999, plus 750 x the attention's share of "Thinking" (4 /
// n for a context of n tokens): past "Thinking" that adds 3000 / n, more than 1 and less
// than 1000 for n from 4 to 3000.
constexpr float kNext = 1000.0f, kFork = 999.0f, kThoughtWeight = 750.0f;

struct Edge {
  Step step;
  int next;
  int fork;  // -1: none
};
constexpr std::array<Edge, 10> kScript = {{{kToChannel, kChannel, -1},
                                           {kAfterStart, kAssistant, -1},
                                           {kAfterChannel, kAnalysis, kFinal},
                                           {kAfterName, kMessage, -1},
                                           {kAfterMessage, kThinking, kHello},
                                           {kAfterThinking, kHard, -1},
                                           {kAfterHard, kEnd, -1},
                                           {kAfterEnd, kStart, -1},
                                           {kAfterHello, kThere, -1},
                                           {kAfterThere, kReturn, -1}}};

// A row-major matrix of `rows` x `cols` (GGML shape {cols, rows}), as F32 bytes.
struct Matrix {
  Matrix(int rows, int cols) : rows(rows), cols(cols), v(static_cast<size_t>(rows) * cols) {}
  float& at(int r, int c) { return v[static_cast<size_t>(r) * cols + c]; }
  std::vector<uint8_t> Bytes() const {
    std::vector<uint8_t> out(v.size() * sizeof(float));
    std::memcpy(out.data(), v.data(), out.size());
    return out;
  }
  int rows, cols;
  std::vector<float> v;
};

void AddMatrix(gguf::GgufWriter& w, const std::string& name, const Matrix& m) {
  w.AddTensor(name, TensorType::kF32, {m.cols, m.rows}, m.Bytes());
}

void AddOnes(gguf::GgufWriter& w, const std::string& name) {
  Matrix ones(1, kEmbd);
  for (float& x : ones.v) x = 1.0f;
  w.AddTensor(name, TensorType::kF32, {kEmbd}, ones.Bytes());
}

void AddMetadata(gguf::GgufWriter& w, std::string_view chat_template) {
  const std::string p = "llama.";
  w.AddString("general.architecture", "llama");
  w.AddString("general.name", "harmony-script");
  w.AddU32(p + "context_length", 4096);
  w.AddU32(p + "embedding_length", kEmbd);
  w.AddU32(p + "block_count", 1);
  w.AddU32(p + "feed_forward_length", kFf);
  w.AddU32(p + "attention.head_count", 2);
  w.AddU32(p + "attention.head_count_kv", 1);
  w.AddU32(p + "rope.dimension_count", kHeadDim);
  w.AddF32(p + "rope.freq_base", 10000.0f);
  w.AddF32(p + "attention.layer_norm_rms_epsilon", 1e-5f);
  w.AddU32(p + "vocab_size", kVocab);
  std::vector<VocabWord> words;
  for (int t = kEndOfText; t < kVocab; ++t) {
    words.push_back({kWords[t - kEndOfText], t < kAssistant ? 3 : 1});  // markers: control
  }
  AddByteLevelTokenizer(w, words, chat_template);
  w.AddU32("tokenizer.ggml.eos_token_id", kReturn);
  w.AddBool("tokenizer.ggml.add_bos_token", false);
}

}  // namespace

Result<std::string> HarmonyTestModelBytes() {
  std::ifstream in(HFD_GPT_OSS_TEMPLATE, std::ios::binary);
  if (!in) return NotFound(std::string("cannot read ") + HFD_GPT_OSS_TEMPLATE);
  std::stringstream chat_template;
  chat_template << in.rdbuf();
  gguf::GgufWriter w;
  AddMetadata(w, chat_template.str());
  Matrix embed(kVocab, kEmbd);
  for (int t = 0; t < kVocab; ++t) embed.at(t, StepOf(t)) = 1.0f;
  AddMatrix(w, "token_embd.weight", embed);
  AddOnes(w, "output_norm.weight");
  Matrix out(kVocab, kEmbd);
  for (const Edge& e : kScript) {
    out.at(e.next, e.step) = kNext;
    if (e.fork >= 0) {
      out.at(e.fork, e.step) = kFork;
      out.at(e.fork, kThought) = kThoughtWeight;
    }
  }
  AddMatrix(w, "output.weight", out);
  // Zero queries and keys: every position weighs the same, so the head averages its
  // values; the value is "Thinking"'s step (4 after the norm) and the output projection
  // writes that share into kThought.
  Matrix v(kHeadDim, kEmbd);
  v.at(0, kAfterThinking) = 1.0f;
  Matrix o(kEmbd, 2 * kHeadDim);
  o.at(kThought, 0) = 1.0f;
  AddOnes(w, "blk.0.attn_norm.weight");
  AddMatrix(w, "blk.0.attn_q.weight", Matrix(2 * kHeadDim, kEmbd));
  AddMatrix(w, "blk.0.attn_k.weight", Matrix(kHeadDim, kEmbd));
  AddMatrix(w, "blk.0.attn_v.weight", v);
  AddMatrix(w, "blk.0.attn_output.weight", o);
  // No feed-forward: its output is zero.
  AddOnes(w, "blk.0.ffn_norm.weight");
  AddMatrix(w, "blk.0.ffn_gate.weight", Matrix(kFf, kEmbd));
  AddMatrix(w, "blk.0.ffn_up.weight", Matrix(kFf, kEmbd));
  AddMatrix(w, "blk.0.ffn_down.weight", Matrix(kEmbd, kFf));
  return w.Serialize();
}

}  // namespace hfd::serve::testing
