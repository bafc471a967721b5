// Text <-> token ids for the models hfd runs: SentencePiece-style BPE with byte fallback
// (Llama 2, Mistral, TinyLlama) and byte-level BPE (GPT-2, Llama 3, Qwen2/Qwen3), loaded
// from a Hugging Face directory (tokenizer.json + tokenizer_config.json +
// generation_config.json) or from a GGUF file's tokenizer.ggml.* metadata.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "include/hfd/status.h"

namespace hfd::gguf {
class GgufFile;
}
namespace hfd::io {
class ModelFileSet;
}

namespace hfd::tok {

struct TokenizerModel;
struct EncodeScratch;

// Two texts encoded together (Tokenizer::EncodePair): the ids and, for each, its token type
// id (segment id), which BERT-style cross-encoders and rerankers take as a second input.
struct PairEncoding {
  std::vector<int32_t> ids;
  std::vector<int32_t> type_ids;
};

// Immutable once loaded: every const method may be called from any number of threads.
class Tokenizer {
 public:
  // Loads tokenizer.json of `files` plus, when present, tokenizer_config.json (added-token
  // flags, add_bos_token/add_eos_token, bos/eos tokens) and generation_config.json
  // (eos_token_id, a number or a list), each read within its io:: size cap.
  static Result<std::unique_ptr<Tokenizer>> FromHfFiles(const io::ModelFileSet& files);
  // The same from a local directory (tools and tests), read through io::OpenLocalDirectory.
  static Result<std::unique_ptr<Tokenizer>> FromHfDir(const std::filesystem::path& dir);
  // Loads from GGUF metadata (vocab-only files included); copies what it needs, so the
  // file may be closed afterwards.
  static Result<std::unique_ptr<Tokenizer>> FromGguf(const gguf::GgufFile& file);
  // A .gguf file or a Hugging Face model directory.
  static Result<std::unique_ptr<Tokenizer>> FromPath(const std::filesystem::path& path);
  // tokenizer.json text given directly; config texts may be empty (used by the fuzzer).
  static Result<std::unique_ptr<Tokenizer>> FromJson(std::string_view tokenizer_json,
                                                     std::string_view tokenizer_config_json,
                                                     std::string_view generation_config_json);

  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  // Token ids for `text` (any bytes; invalid UTF-8 is tokenized byte by byte). Added and
  // special tokens written in the text are always recognized; `add_special` adds the
  // tokenizer's own BOS/EOS as its configuration asks.
  std::vector<int32_t> Encode(std::string_view text, bool add_special) const;

  // `first` and `second` encoded together as Hugging Face's encode(first, second) does:
  // each text is encoded alone, then the post-processor's pair template joins them and
  // gives the type ids (BERT: [CLS] first [SEP] second [SEP], types 0 up to the first
  // [SEP], 1 after). Without `add_special` only the texts remain, keeping their type ids.
  // Unsupported when the tokenizer defines no pair template (a GGUF vocabulary other than
  // bert; a TemplateProcessing without "pair"), naming why.
  Result<PairEncoding> EncodePair(std::string_view first, std::string_view second,
                                  bool add_special) const;

  // The text for `ids`, valid UTF-8 (bytes that form no character become U+FFFD). Ids
  // outside the vocabulary are ignored. Strips the one leading space that SentencePiece
  // tokenizers put in front of the text, as Hugging Face does.
  std::string Decode(std::span<const int32_t> ids, bool skip_special = false) const;

  // The raw bytes token `id` contributes to decoded text (may be part of a UTF-8
  // character); empty for an id outside the vocabulary. Valid while the Tokenizer lives.
  std::string_view TokenToPiece(int32_t id) const;
  // The token as its vocabulary spells it ("▁the", "Ġthe", "<|eot_id|>").
  std::string_view TokenText(int32_t id) const;
  // The id of a token by its vocabulary text (e.g. "<|im_end|>"), if any.
  std::optional<int32_t> TokenId(std::string_view text) const;

  bool IsSpecial(int32_t id) const;
  bool IsEndOfGeneration(int32_t id) const;

  int32_t vocab_size() const;
  int32_t bos_id() const;  // -1 when the tokenizer has none
  int32_t eos_id() const;  // the configured EOS token, -1 when none
  bool add_bos() const;
  bool add_eos() const;
  // Every id that ends generation: EOS plus e.g. <|eot_id|> or <|im_end|>, sorted.
  const std::vector<int32_t>& eos_ids() const;

 private:
  explicit Tokenizer(std::unique_ptr<TokenizerModel> model);
  static Result<std::unique_ptr<Tokenizer>> Create(std::unique_ptr<TokenizerModel> model);

  void EncodeSegment(std::string_view segment, bool at_text_start, EncodeScratch& scratch,
                     std::vector<int32_t>& out) const;

  std::unique_ptr<const TokenizerModel> model_;
};

// Turns a stream of generated ids into text as soon as it is valid UTF-8: bytes of a
// character split across tokens are held back until it completes. Unlike Decode it never
// strips a leading space (the text continues a prompt). Not thread-safe; one per stream.
// The Tokenizer must outlive it.
class StreamDecoder {
 public:
  explicit StreamDecoder(const Tokenizer& tokenizer, bool skip_special = true);

  // Adds one id; returns the text that can be emitted now (possibly empty).
  std::string Push(int32_t id);
  // Ends the stream: returns what was held back, with U+FFFD for an incomplete character.
  std::string Flush();

 private:
  const Tokenizer& tokenizer_;
  bool skip_special_;
  std::string pending_;
};

}  // namespace hfd::tok
