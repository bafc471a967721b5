// Tokenizer::FromGguf: the tokenizer.ggml.* metadata that llama.cpp's converter writes.
#include <array>
#include <span>

#include "engine/gguf/gguf_file.h"
#include "engine/tokenizer/gguf_bert.h"
#include "engine/tokenizer/model_builder.h"
#include "engine/tokenizer/normalizer.h"
#include "engine/tokenizer/post_processor.h"
#include "engine/tokenizer/pre_tokenizer_table.h"
#include "engine/tokenizer/precompiled_charsmap.h"
#include "engine/tokenizer/tokenizer.h"
#include "engine/tokenizer/tokenizer_model.h"
#include "engine/tokenizer/unigram_loader.h"

namespace hfd::tok {
namespace {

// llama.cpp's token types (tokenizer.ggml.token_type).
enum GgufTokenType : int32_t {
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,
  kUserDefined = 4,
  kUnused = 5,
  kByte = 6,
};

// Control tokens llama.cpp also treats as ending generation, whatever the EOS id says.
constexpr std::array<std::string_view, 10> kEndOfGenerationTexts = {
    "<|eot_id|>",      "<|eom_id|>",    "<|im_end|>", "<|end|>", "<end_of_turn>",
    "<|end_of_text|>", "<|endoftext|>", "<EOT>",      "_<EOT>",  "<｜end▁of▁sentence｜>"};

constexpr std::string_view kPrefix = "tokenizer.ggml.";

std::string Key(std::string_view name) { return std::string(kPrefix) + std::string(name); }

// An optional token id: -1 when absent.
Result<int32_t> OptionalId(const gguf::GgufFile& f, std::string_view name) {
  const std::string key = Key(name);
  if (!f.Has(key)) return int32_t{-1};
  HFD_ASSIGN_OR_RETURN(uint32_t id, f.GetU32(key));
  if (id >= INT32_MAX) return Corrupt(key + " is out of range");
  return static_cast<int32_t>(id);
}

Result<bool> OptionalBool(const gguf::GgufFile& f, std::string_view name, bool fallback) {
  const std::string key = Key(name);
  if (!f.Has(key)) return fallback;
  return f.GetBool(key);
}

Status CheckLength(size_t actual, size_t expected, std::string_view name) {
  if (actual == expected) return Status::Ok();
  return Corrupt(Key(name) + " has " + std::to_string(actual) + " entries but " + Key("tokens") +
                 " has " + std::to_string(expected));
}

Status ReadVocab(const gguf::GgufFile& f, TokenizerModel& m, std::vector<int32_t>& types,
                 std::vector<float>& scores) {
  HFD_ASSIGN_OR_RETURN(std::vector<std::string_view> tokens, f.GetStringViewArray(Key("tokens")));
  if (tokens.empty()) return Corrupt(Key("tokens") + " is empty");
  if (tokens.size() >= (size_t{1} << 24)) return Corrupt(Key("tokens") + " is implausibly long");
  m.vocab.assign(tokens.begin(), tokens.end());
  m.index.Build(m.vocab);
  if (f.Has(Key("token_type"))) {
    HFD_ASSIGN_OR_RETURN(types, f.GetI32Array(Key("token_type")));
    HFD_RETURN_IF_ERROR(CheckLength(types.size(), tokens.size(), "token_type"));
  } else {
    types.assign(tokens.size(), kNormal);
  }
  if (f.Has(Key("scores"))) {
    HFD_ASSIGN_OR_RETURN(scores, f.GetF32Array(Key("scores")));
    HFD_RETURN_IF_ERROR(CheckLength(scores.size(), tokens.size(), "scores"));
  } else {
    scores.assign(tokens.size(), 0.0f);
  }
  return Status::Ok();
}

void ReadTokenTypes(const std::vector<int32_t>& types, TokenizerModel& m) {
  m.is_byte_token.assign(m.vocab.size(), 0);
  for (size_t id = 0; id < types.size(); ++id) {
    const int32_t type = types[id];
    if (type == kByte) m.is_byte_token[id] = 1;
    if (type == kControl || type == kUserDefined || type == kUnknown) {
      AddedToken t;
      t.content = m.vocab[id];
      t.id = static_cast<int32_t>(id);
      t.special = type != kUserDefined;
      m.added.push_back(std::move(t));
    }
    if (type == kControl) {
      for (std::string_view text : kEndOfGenerationTexts) {
        if (m.vocab[id] == text) m.eog_ids.push_back(static_cast<int32_t>(id));
      }
    }
  }
}

Status ReadMerges(const gguf::GgufFile& f, TokenizerModel& m) {
  HFD_ASSIGN_OR_RETURN(std::vector<std::string_view> merges, f.GetStringViewArray(Key("merges")));
  std::vector<MergeText> split;
  split.reserve(merges.size());
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    HFD_ASSIGN_OR_RETURN(MergeText merge, SplitMergeLine(merges[rank], rank));
    split.push_back(merge);
  }
  return AddRankedMerges(m, split);
}

Status ReadSpecialIds(const gguf::GgufFile& f, TokenizerModel& m) {
  HFD_ASSIGN_OR_RETURN(m.bos_id, OptionalId(f, "bos_token_id"));
  HFD_ASSIGN_OR_RETURN(m.eos_id, OptionalId(f, "eos_token_id"));
  HFD_ASSIGN_OR_RETURN(m.unk_id, OptionalId(f, "unknown_token_id"));
  HFD_ASSIGN_OR_RETURN(m.pad_id, OptionalId(f, "padding_token_id"));
  for (std::string_view name : {"eos_token_id", "eot_token_id", "eom_token_id"}) {
    HFD_ASSIGN_OR_RETURN(int32_t id, OptionalId(f, name));
    if (id >= 0) m.eog_ids.push_back(id);
  }
  return Status::Ok();
}

// The raw bytes of an array of u8 or i8 (tokenizer.ggml.precompiled_charsmap).
Result<std::span<const uint8_t>> ByteArray(const gguf::GgufFile& f, const std::string& key) {
  const gguf::MetadataEntry* e = f.FindMetadata(key);
  if (e == nullptr || e->type != gguf::ValueType::kArray ||
      (e->elem_type != gguf::ValueType::kU8 && e->elem_type != gguf::ValueType::kI8)) {
    return Corrupt(key + " is not an array of bytes");
  }
  return std::span(reinterpret_cast<const uint8_t*>(e->payload.data()), e->payload.size());
}

// llama.cpp's UGM (tokenizer.ggml.model "t5"): Unigram over the normal, user-defined and
// unused tokens (user-defined ones scoring 0, so they win), sentencepiece's normalizer
// from precompiled_charsmap, no byte fallback. Special ids default to T5's layout.
Status ReadUnigram(const gguf::GgufFile& f, const std::vector<int32_t>& types,
                   std::vector<float> scores, TokenizerModel& m) {
  std::vector<uint8_t> usable(types.size(), 0);
  for (size_t id = 0; id < types.size(); ++id) {
    usable[id] = types[id] == kNormal || types[id] == kUserDefined || types[id] == kUnused;
    if (types[id] == kUserDefined) scores[id] = 0.0f;
  }
  const auto fallback = [&](int32_t& id, int32_t value) {
    if (id < 0 && static_cast<size_t>(value) < m.vocab.size()) id = value;
  };
  fallback(m.pad_id, 0);
  fallback(m.eos_id, 1);
  fallback(m.unk_id, 2);
  if (m.eos_id >= 0) m.eog_ids.push_back(m.eos_id);
  HFD_ASSIGN_OR_RETURN(bool space_prefix, OptionalBool(f, "add_space_prefix", false));
  m.space_prefix = space_prefix ? SpacePrefix::kAlways : SpacePrefix::kNone;
  m.strip_decoded_space = space_prefix;
  auto normalizer = std::make_shared<Normalizer>();
  NormalizerStep charsmap;
  charsmap.op = NormalizerOp::kPrecompiled;
  if (f.Has(Key("precompiled_charsmap"))) {
    HFD_ASSIGN_OR_RETURN(std::span<const uint8_t> blob, ByteArray(f, Key("precompiled_charsmap")));
    if (!blob.empty()) {
      auto parsed = PrecompiledCharsmap::Parse(blob);
      if (!parsed.ok()) return parsed.status().WithContext(Key("precompiled_charsmap"));
      charsmap.charsmap = std::move(parsed).value();
    }
  }
  normalizer->Add(std::move(charsmap));
  HFD_ASSIGN_OR_RETURN(bool extra_spaces, OptionalBool(f, "remove_extra_whitespaces", false));
  if (extra_spaces) {
    NormalizerStep fold;
    fold.op = NormalizerOp::kExtraSpaces;
    normalizer->Add(std::move(fold));
  }
  m.normalizer = std::move(normalizer);
  return UseUnigram(m, scores, usable);
}

Result<std::unique_ptr<TokenizerModel>> BuildModel(const gguf::GgufFile& f) {
  auto m = std::make_unique<TokenizerModel>();
  HFD_ASSIGN_OR_RETURN(std::string model_name, f.GetString(Key("model")));
  std::vector<int32_t> types;
  std::vector<float> scores;
  HFD_RETURN_IF_ERROR(ReadVocab(f, *m, types, scores));
  ReadTokenTypes(types, *m);
  HFD_RETURN_IF_ERROR(ReadSpecialIds(f, *m));
  std::string pre = "default";
  if (f.Has(Key("pre"))) {
    HFD_ASSIGN_OR_RETURN(pre, f.GetString(Key("pre")));
  }
  bool default_add_bos = false;
  bool default_add_eos = false;
  if (model_name == "llama") {
    m->kind = ModelKind::kSentencePiece;
    m->byte_fallback = true;
    HFD_ASSIGN_OR_RETURN(bool space_prefix, OptionalBool(f, "add_space_prefix", true));
    m->space_prefix = space_prefix ? SpacePrefix::kAlways : SpacePrefix::kNone;
    m->strip_decoded_space = space_prefix;
    AddScoreMerges(*m, scores);
    default_add_bos = true;
  } else if (model_name == "gpt2") {
    m->kind = ModelKind::kByteLevel;
    const GgufPreTokenizer* entry = FindGgufPreTokenizer(pre);
    if (entry == nullptr) {
      return Unsupported("pre-tokenizer '" + pre + "' (" + Key("pre") +
                         ") is not one hfd knows; docs/tokenizers.md lists the supported ones");
    }
    HFD_ASSIGN_OR_RETURN(PreTokenizerPipeline pipeline,
                         PreTokenizerPipeline::FromRegexes(entry->regexes));
    ChoosePreTokenizer(std::move(pipeline), m->pre, m->pipeline);
    m->ignore_merges = entry->ignore_merges;
    default_add_bos = entry->add_bos;
    HFD_RETURN_IF_ERROR(ReadMerges(f, *m));
  } else if (model_name == "bert") {
    HFD_RETURN_IF_ERROR(ConfigureGgufBert(*m));
    // llama.cpp adds CLS and SEP around the text (its BOS and its add_sep).
    HFD_ASSIGN_OR_RETURN(const int32_t cls, OptionalId(f, "cls_token_id"));
    HFD_ASSIGN_OR_RETURN(const int32_t sep, OptionalId(f, "seperator_token_id"));
    if (cls >= 0) m->bos_id = cls;
    if (sep >= 0) m->eos_id = sep;
    // HF's BertProcessing for a pair, as the models' tokenizer.json files have it.
    if (cls >= 0 && sep >= 0) m->pair_template = BertPairTemplate(cls, sep);
    default_add_bos = true;
    default_add_eos = true;
  } else if (model_name == "t5") {
    HFD_RETURN_IF_ERROR(ReadUnigram(f, types, std::move(scores), *m));
    default_add_eos = true;
  } else {
    return Unsupported("tokenizer model '" + model_name + "' (" + Key("model") +
                       "); supported: llama, gpt2, bert, t5");
  }
  HFD_ASSIGN_OR_RETURN(m->add_bos, OptionalBool(f, "add_bos_token", default_add_bos));
  HFD_ASSIGN_OR_RETURN(m->add_eos, OptionalBool(f, "add_eos_token", default_add_eos));
  return m;
}

}  // namespace

Result<std::unique_ptr<Tokenizer>> Tokenizer::FromGguf(const gguf::GgufFile& file) {
  auto model = BuildModel(file);
  if (!model.ok()) return model.status().WithContext("GGUF tokenizer");
  return Create(std::move(model).value());
}

}  // namespace hfd::tok
