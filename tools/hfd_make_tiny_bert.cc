// hfd-make-tiny-bert: writes the tiny random-weight BERT (or nomic-bert) embedding model
// the tests compare with llama.cpp's llama-embedding (tests/embed/testdata/README.md), with
// the WordPiece vocabulary of a vocabulary-only GGUF file.
//
//   hfd-make-tiny-bert --vocab ggml-vocab-bert-bge.gguf --out tiny-bert.gguf
//   hfd-make-tiny-bert --arch nomic-bert --vocab ... --out tiny-nomic-bert.gguf
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "engine/gguf/gguf_file.h"
#include "engine/model/synthetic_gguf.h"
#include "engine/model/tokenizer_metadata.h"

namespace {

hfd::model::ModelDesc TinyBertDesc(hfd::model::Architecture arch, int64_t n_vocab) {
  hfd::model::ModelDesc d;
  d.arch = arch;
  d.n_vocab = n_vocab;
  d.n_embd = 64;
  d.n_layer = 2;
  d.n_head = 4;
  d.n_head_kv = 4;
  d.head_dim = 16;
  d.n_ff = 128;
  d.n_ctx_train = 128;
  d.rms_eps = 1e-12f;
  d.n_token_types = 2;
  d.pooling = hfd::model::Pooling::kMean;
  hfd::model::SetBertTraits(d);
  return d;
}

hfd::Status Write(const std::string& arch_name, const std::string& vocab_path,
                  const std::string& out) {
  HFD_ASSIGN_OR_RETURN(const hfd::model::Architecture arch,
                       hfd::model::ParseArchitecture(arch_name));
  if (!hfd::model::IsBertFamily(arch)) {
    return hfd::InvalidArgument("--arch must be bert or nomic-bert, not " + arch_name);
  }
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<hfd::gguf::GgufFile> vocab,
                       hfd::gguf::GgufFile::Open(vocab_path));
  HFD_ASSIGN_OR_RETURN(hfd::model::TokenizerMetadata tokenizer,
                       hfd::model::ReadTokenizerMetadata(*vocab, {}));
  const hfd::model::ModelDesc desc =
      TinyBertDesc(arch, static_cast<int64_t>(tokenizer.tokens.size()));
  hfd::model::SyntheticOptions options;
  options.seed = 17;
  options.distinct_rows = 0;  // every token its own embedding
  options.extra_metadata = [&tokenizer](hfd::gguf::GgufWriter& w) {
    hfd::model::WriteTokenizerMetadata(tokenizer, w);
  };
  // Q8_0 keeps the 30522-row embedding table small; the rest stays F32.
  options.tensor_type = [](std::string_view name, int64_t) {
    return name == "token_embd.weight" ? hfd::TensorType::kQ8_0 : hfd::TensorType::kF32;
  };
  return hfd::model::WriteSyntheticGguf(desc, hfd::TensorType::kF32, out, options);
}

}  // namespace

int main(int argc, char** argv) {
  std::string arch = "bert";
  std::string vocab;
  std::string out;
  CLI::App app{"Write a tiny BERT-family embedding model: random weights, a WordPiece vocabulary"};
  app.add_option("--vocab", vocab, "vocabulary-only BERT GGUF (ggml-vocab-bert-bge.gguf)")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--out", out, "the .gguf file to write")->required();
  app.add_option("--arch", arch, "bert (default) or nomic-bert");
  CLI11_PARSE(app, argc, argv);
  if (hfd::Status s = Write(arch, vocab, out); !s.ok()) {
    std::fprintf(stderr, "hfd-make-tiny-bert: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
