#include "engine/tokenizer/hf_word_model.h"

#include <string>
#include <vector>

#include "engine/tokenizer/hf_json.h"

namespace hfd::tok {

using json = nlohmann::json;

bool IsWordModelType(std::string_view type) { return type == "WordPiece" || type == "WordLevel"; }

Status ReadWordModel(const json& doc, TokenizerModel& m) {
  const json* model = Member(doc, "model");
  if (!model) return Corrupt("the 'model' object is missing");
  const std::string type = TypeOf(*model);
  const bool wordpiece = type == "WordPiece";
  m.kind = wordpiece ? ModelKind::kWordPiece : ModelKind::kWordLevel;
  // Hugging Face's defaults when the member is absent.
  const std::string unk = StringMember(*model, "unk_token").value_or(wordpiece ? "[UNK]" : "<unk>");
  m.unk_id = FindToken(m, unk);
  if (m.unk_id < 0) {
    return Corrupt(type + " model: its unk_token '" + unk +
                   "' is not in the vocabulary; words it cannot tokenize would have no id");
  }
  if (!wordpiece) return Status::Ok();
  WordPieceConfig& c = m.wordpiece;
  c.continuing_prefix = StringMember(*model, "continuing_subword_prefix").value_or("##");
  if (const json* max = Member(*model, "max_input_chars_per_word")) {
    if (!max->is_number_unsigned()) {
      return Corrupt("WordPiece max_input_chars_per_word is not a non-negative integer");
    }
    c.max_input_chars = max->get<size_t>();
  }
  std::vector<const json*> decoders;
  Flatten(Member(doc, "decoder"), "decoders", decoders);
  for (const json* d : decoders) {
    if (TypeOf(*d) == "WordPiece") c.decode_cleanup = BoolMember(*d, "cleanup", true);
  }
  return Status::Ok();
}

}  // namespace hfd::tok
