#include "engine/tokenizer/unigram_loader.h"

#include <string>

#include "engine/tokenizer/hf_config.h"

namespace hfd::tok {

Status UseUnigram(TokenizerModel& m, const std::vector<float>& scores,
                  const std::vector<uint8_t>& usable) {
  if (m.unk_id < 0 || static_cast<size_t>(m.unk_id) >= m.vocab.size()) {
    return Corrupt("the Unigram model's unknown-token id " + std::to_string(m.unk_id) +
                   " is not in its vocabulary of " + std::to_string(m.vocab.size()) + " tokens");
  }
  HFD_ASSIGN_OR_RETURN(UnigramModel model, UnigramModel::Build(m.vocab, scores, usable));
  m.unigram = std::make_shared<const UnigramModel>(std::move(model));
  m.kind = ModelKind::kUnigram;
  return Status::Ok();
}

Status ReadUnigramJson(const nlohmann::json& model, TokenizerModel& m) {
  const nlohmann::json* vocab = Member(model, "vocab");
  if (!vocab || !vocab->is_array() || vocab->empty()) {
    return Corrupt("the Unigram model.vocab is missing or empty");
  }
  if (vocab->size() >= (size_t{1} << 24)) return Corrupt("model.vocab is implausibly long");
  std::vector<float> scores;
  scores.reserve(vocab->size());
  m.vocab.reserve(vocab->size());
  for (const nlohmann::json& entry : *vocab) {
    const size_t id = m.vocab.size();
    if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() || !entry[1].is_number()) {
      return Corrupt("Unigram model.vocab entry " + std::to_string(id) +
                     " is not a [piece, score] pair with a numeric score");
    }
    m.vocab.push_back(entry[0].get<std::string>());
    scores.push_back(entry[1].get<float>());
  }
  m.index.Build(m.vocab);
  const nlohmann::json* unk = Member(model, "unk_id");
  if (!unk || !unk->is_number_integer()) return Corrupt("the Unigram model has no integer unk_id");
  const int64_t unk_id = unk->get<int64_t>();
  if (unk_id < 0 || unk_id >= static_cast<int64_t>(m.vocab.size())) {
    return Corrupt("the Unigram model's unk_id " + std::to_string(unk_id) +
                   " is not in its vocabulary of " + std::to_string(m.vocab.size()) + " tokens");
  }
  m.unk_id = static_cast<int32_t>(unk_id);
  return UseUnigram(m, scores, std::vector<uint8_t>(m.vocab.size(), 1));
}

}  // namespace hfd::tok
