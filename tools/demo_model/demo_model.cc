#include "tools/demo_model/demo_model.h"

#include "engine/gguf/gguf_file.h"
#include "engine/model/synthetic_gguf.h"
#include "engine/model/tokenizer_metadata.h"

namespace hfd::demo {

const char* const kChatMlTemplate =
    "{%- for message in messages %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

model::ModelDesc DemoDesc(int64_t n_vocab, int32_t bos_id, int32_t eos_id) {
  model::ModelDesc d;
  d.arch = model::Architecture::kLlama;
  d.rope_layout = model::RopeLayout::kInterleaved;
  d.n_vocab = n_vocab;
  d.n_embd = 384;
  d.n_layer = 6;
  d.n_head = 6;
  d.n_head_kv = 2;
  d.head_dim = 64;
  d.n_ff = 1024;
  d.n_ctx_train = 2048;
  d.rope_theta = 10000.0f;
  d.tied_embeddings = true;
  d.bos_id = bos_id;
  d.eos_ids = {eos_id};
  return d;
}

Status WriteDemoModel(const std::filesystem::path& vocab_path, const std::filesystem::path& out) {
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<gguf::GgufFile> vocab, gguf::GgufFile::Open(vocab_path));
  HFD_ASSIGN_OR_RETURN(uint32_t bos, vocab->GetU32("tokenizer.ggml.bos_token_id"));
  HFD_ASSIGN_OR_RETURN(uint32_t eos, vocab->GetU32("tokenizer.ggml.eos_token_id"));
  // The model's own metadata carries the BOS/EOS ids; the template is ours.
  HFD_ASSIGN_OR_RETURN(model::TokenizerMetadata tokenizer,
                       model::ReadTokenizerMetadata(
                           *vocab, {"tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
                                    "tokenizer.chat_template"}));
  model::AddControlTokens(tokenizer, {"<|im_start|>", "<|im_end|>"});
  const model::ModelDesc desc = DemoDesc(static_cast<int64_t>(tokenizer.tokens.size()),
                                         static_cast<int32_t>(bos), static_cast<int32_t>(eos));
  model::SyntheticOptions options;
  options.seed = 2026;
  options.distinct_rows = 0;  // every token its own embedding: varied gibberish
  options.extra_metadata = [&tokenizer](gguf::GgufWriter& w) {
    model::WriteTokenizerMetadata(tokenizer, w);
    w.AddString("tokenizer.chat_template", kChatMlTemplate);
  };
  return model::WriteSyntheticGguf(desc, TensorType::kQ8_0, out, options);
}

}  // namespace hfd::demo
