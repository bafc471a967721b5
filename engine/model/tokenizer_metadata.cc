#include "engine/model/tokenizer_metadata.h"

#include <algorithm>
#include <string>

namespace hfd::model {
namespace {

constexpr int32_t kControlToken = 3;
constexpr int32_t kUnusedToken = 5;
constexpr std::string_view kTokens = "tokenizer.ggml.tokens";
constexpr std::string_view kTokenTypes = "tokenizer.ggml.token_type";
constexpr std::string_view kScores = "tokenizer.ggml.scores";

}  // namespace

Result<TokenizerMetadata> ReadTokenizerMetadata(const gguf::GgufFile& vocab,
                                                const std::vector<std::string>& skip) {
  TokenizerMetadata m;
  HFD_ASSIGN_OR_RETURN(m.tokens, vocab.GetStringArray(kTokens));
  if (vocab.Has(kTokenTypes)) {
    HFD_ASSIGN_OR_RETURN(m.token_types, vocab.GetI32Array(kTokenTypes));
  } else {
    m.token_types.assign(m.tokens.size(), 1);
  }
  if (vocab.Has(kScores)) {
    HFD_ASSIGN_OR_RETURN(m.scores, vocab.GetF32Array(kScores));
  }
  if (m.token_types.size() != m.tokens.size() ||
      (!m.scores.empty() && m.scores.size() != m.tokens.size())) {
    return Corrupt("the vocabulary's token types or scores do not match its tokens");
  }
  for (const gguf::MetadataEntry& e : vocab.metadata()) {
    if (!e.key.starts_with("tokenizer.") || e.key == kTokens || e.key == kTokenTypes ||
        e.key == kScores || std::find(skip.begin(), skip.end(), e.key) != skip.end()) {
      continue;
    }
    m.others.push_back({e.key, e.type, gguf::GgufWriter::EncodeEntry(e)});
  }
  return m;
}

int32_t AddControlTokens(TokenizerMetadata& m, const std::vector<std::string>& texts) {
  const auto first = static_cast<int32_t>(m.tokens.size());
  for (const std::string& text : texts) {
    m.tokens.push_back(text);
    m.token_types.push_back(kControlToken);
    if (!m.scores.empty()) m.scores.push_back(0.0f);
  }
  return first;
}

Status PadTokens(TokenizerMetadata& m, size_t n_vocab) {
  if (m.tokens.size() > n_vocab) {
    return InvalidArgument("the vocabulary holds " + std::to_string(m.tokens.size()) +
                           " tokens, more than the model's " + std::to_string(n_vocab) +
                           "; use a smaller vocabulary or a larger shape");
  }
  // A score far below any merge's keeps SentencePiece-style tokenizers from choosing them.
  for (size_t i = 0; m.tokens.size() < n_vocab; ++i) {
    m.tokens.push_back("<unused" + std::to_string(i) + ">");
    m.token_types.push_back(kUnusedToken);
    if (!m.scores.empty()) m.scores.push_back(-1e9f);
  }
  return Status::Ok();
}

void WriteTokenizerMetadata(const TokenizerMetadata& m, gguf::GgufWriter& w) {
  for (const auto& e : m.others) w.AddRaw(e.key, e.type, e.encoded);
  w.AddStringArray(kTokens, m.tokens);
  w.AddI32Array(kTokenTypes, m.token_types);
  if (!m.scores.empty()) w.AddF32Array(kScores, m.scores);
}

}  // namespace hfd::model
