#include "tests/serve/test_model.h"

#include <string>
#include <vector>

#include "engine/gguf/gguf_writer.h"
#include "engine/model/synthetic_gguf.h"

namespace hfd::serve::testing {
namespace {

constexpr const char* kChatMl =
    "{%- for message in messages %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

// GPT-2's printable stand-in for each byte, as UTF-8.
std::string ByteToken(int byte) {
  const bool printable = (byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) ||
                         (byte >= 0xAE && byte <= 0xFF);
  int code = byte;
  if (!printable) {
    int n = 0;
    for (int b = 0; b < byte; ++b) {
      const bool p = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      if (!p) ++n;
    }
    code = 256 + n;
  }
  std::string out;
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
  return out;
}

}  // namespace

void AddByteLevelTokenizer(gguf::GgufWriter& w, const std::vector<VocabWord>& words,
                           std::string_view chat_template) {
  std::vector<std::string> tokens;
  std::vector<int32_t> types;
  for (int b = 0; b < 256; ++b) {
    tokens.push_back(ByteToken(b));
    types.push_back(1);
  }
  for (const VocabWord& word : words) {
    tokens.push_back(word.text);
    types.push_back(word.type);
  }
  w.AddString("tokenizer.ggml.model", "gpt2");
  w.AddString("tokenizer.ggml.pre", "gpt-2");
  w.AddStringArray("tokenizer.ggml.tokens", tokens);
  w.AddI32Array("tokenizer.ggml.token_type", types);
  w.AddStringArray("tokenizer.ggml.merges", {});
  w.AddString("tokenizer.chat_template", chat_template);
}

Status WriteTestModel(const std::filesystem::path& path, uint64_t seed) {
  model::ModelDesc d;
  d.arch = model::Architecture::kLlama;
  d.rope_layout = model::RopeLayout::kInterleaved;
  d.n_vocab = kTestVocab;
  d.n_embd = 64;
  d.n_layer = 2;
  d.n_head = 4;
  d.n_head_kv = 2;
  d.head_dim = 16;
  d.n_ff = 128;
  d.n_ctx_train = 512;
  d.rope_theta = 10000.0f;
  d.tied_embeddings = true;
  d.bos_id = -1;
  d.eos_ids = {kEndOfText};
  model::SyntheticOptions options;
  options.seed = seed;
  options.distinct_rows = 0;
  options.extra_metadata = [](gguf::GgufWriter& w) {
    AddByteLevelTokenizer(w, {{"<|endoftext|>", 3}, {"<|im_start|>", 3}, {"<|im_end|>", 3}},
                          kChatMl);
  };
  return model::WriteSyntheticGguf(d, TensorType::kQ8_0, path, options);
}

Status WriteTinyNemo(const std::filesystem::path& path, const std::filesystem::path& vocab) {
  model::ModelDesc d;
  d.arch = model::Architecture::kLlama;
  d.rope_layout = model::RopeLayout::kInterleaved;
  d.n_vocab = 131072;
  d.n_embd = 64;
  d.n_layer = 2;
  d.n_head = 4;
  d.n_head_kv = 2;
  d.head_dim = 32;
  d.n_ff = 128;
  d.n_ctx_train = 1024;
  d.rope_theta = 1e6f;
  model::SyntheticOptions options;
  options.seed = 17;
  options.distinct_rows = 0;  // repeated rows would tie the logits, and ties pick id 0
  options.vocab_from = vocab;
  return model::WriteSyntheticGguf(d, TensorType::kQ8_0, path, options);
}

}  // namespace hfd::serve::testing
