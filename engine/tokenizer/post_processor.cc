#include "engine/tokenizer/post_processor.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "engine/tokenizer/hf_json.h"

namespace hfd::tok {
namespace {

using json = nlohmann::json;

bool ValidId(const json& v) {
  return v.is_number_integer() && v.get<int64_t>() >= 0 && v.get<int64_t>() < INT32_MAX;
}

// Appends the ids of a template's special token from its entry in "special_tokens" (it
// may stand for several ids); false when the table has no such entry.
Result<bool> AppendFromTable(const json& processor, const std::string& name,
                             std::vector<int32_t>& out) {
  const json* table = Member(processor, "special_tokens");
  const json* entry = table ? Member(*table, name) : nullptr;
  const json* ids = entry ? Member(*entry, "ids") : nullptr;
  if (ids && ids->is_array()) {
    for (const json& id : *ids) {
      if (!ValidId(id)) return Corrupt("post-processor token '" + name + "' has an invalid id");
      out.push_back(id.get<int32_t>());
    }
    return true;
  }
  return false;
}

// The ids a template's special token stands for: its "special_tokens" entry, else the
// token of that text.
Result<std::vector<int32_t>> SpecialIds(const json& processor, const TokenizerModel& m,
                                        const std::string& name) {
  std::vector<int32_t> ids;
  HFD_ASSIGN_OR_RETURN(bool from_table, AppendFromTable(processor, name, ids));
  if (from_table) return ids;
  const int32_t id = FindToken(m, name);
  if (id < 0) return Corrupt("post-processor token '" + name + "' is not in the vocabulary");
  ids.push_back(id);
  return ids;
}

// A template item's "type_id": 0 when absent (Hugging Face always writes it).
Result<int32_t> TypeId(const json& item, std::string_view key) {
  const json* v = Member(item, "type_id");
  if (v == nullptr) return 0;
  if (!ValidId(*v)) {
    return Corrupt("a TemplateProcessing '" + std::string(key) +
                   "' item has a type_id that is not a non-negative integer");
  }
  return v->get<int32_t>();
}

// The template under `key` ("single" or "pair") of a TemplateProcessing.
Result<std::vector<TemplatePiece>> ReadPieces(const json& processor, std::string_view key,
                                              const TokenizerModel& m) {
  const std::string where = "TemplateProcessing '" + std::string(key) + "'";
  const json* items = Member(processor, key);
  if (!items || !items->is_array()) return Corrupt(where + " is missing or not a list");
  std::vector<TemplatePiece> pieces;
  for (const json& item : *items) {
    TemplatePiece piece;
    if (const json* sequence = Member(item, "Sequence")) {
      const auto id = StringMember(*sequence, "id");
      if (id != "A" && id != "B") return Corrupt(where + " has a Sequence whose id is not A or B");
      piece.sequence = *id == "A" ? 0 : 1;
      HFD_ASSIGN_OR_RETURN(piece.type_id, TypeId(*sequence, key));
    } else if (const json* special = Member(item, "SpecialToken")) {
      const auto name = StringMember(*special, "id");
      if (!name) return Corrupt("a TemplateProcessing special token has no id");
      HFD_ASSIGN_OR_RETURN(piece.ids, SpecialIds(processor, m, *name));
      HFD_ASSIGN_OR_RETURN(piece.type_id, TypeId(*special, key));
    } else {
      return Corrupt(where + " has an item that is neither a Sequence nor a SpecialToken");
    }
    pieces.push_back(std::move(piece));
  }
  return pieces;
}

bool Uses(const std::vector<TemplatePiece>& pieces, int sequence) {
  return std::any_of(pieces.begin(), pieces.end(),
                     [&](const TemplatePiece& p) { return p.sequence == sequence; });
}

TemplatePiece Special(int32_t id, int32_t type_id) { return {-1, {id}, type_id}; }
TemplatePiece Text(int sequence, int32_t type_id) { return {sequence, {}, type_id}; }

// What the post-processor steps add, gathered.
struct Processing {
  std::vector<int32_t> prefix;  // around a single text
  std::vector<int32_t> suffix;
  std::optional<std::vector<TemplatePiece>> pair;
  std::string no_pair_reason;
  int adding_steps = 0;
};

Status ReadTemplate(const json& processor, const TokenizerModel& m, Processing& p) {
  HFD_ASSIGN_OR_RETURN(std::vector<TemplatePiece> single, ReadPieces(processor, "single", m));
  if (Uses(single, 1)) return Corrupt("TemplateProcessing 'single' uses $B, a pair's second text");
  bool after_sequence = false;
  for (const TemplatePiece& piece : single) {
    if (piece.sequence >= 0) {
      after_sequence = true;
      continue;
    }
    std::vector<int32_t>& side = after_sequence ? p.suffix : p.prefix;
    side.insert(side.end(), piece.ids.begin(), piece.ids.end());
  }
  if (Member(processor, "pair") == nullptr) {
    p.no_pair_reason = "its TemplateProcessing has no 'pair' template";
    return Status::Ok();
  }
  HFD_ASSIGN_OR_RETURN(std::vector<TemplatePiece> pair, ReadPieces(processor, "pair", m));
  if (!Uses(pair, 0) || !Uses(pair, 1)) {
    return Corrupt("TemplateProcessing 'pair' does not use both $A and $B");
  }
  p.pair = std::move(pair);
  return Status::Ok();
}

// BertProcessing / RobertaProcessing: "cls": ["[CLS]", 101], "sep": ["[SEP]", 102].
Result<int32_t> PairId(const json& processor, std::string_view key) {
  const json* pair = Member(processor, key);
  if (!pair || !pair->is_array() || pair->size() != 2 || !ValidId((*pair)[1])) {
    return Corrupt("post-processor '" + std::string(key) + "' is not a [token, id] pair");
  }
  return (*pair)[1].get<int32_t>();
}

// RobertaProcessing: <s> A </s> </s> B </s>, every type id 0 (its own rule).
std::vector<TemplatePiece> RobertaPairTemplate(int32_t cls, int32_t sep) {
  return {Special(cls, 0), Text(0, 0), Special(sep, 0),
          Special(sep, 0), Text(1, 0), Special(sep, 0)};
}

}  // namespace

std::vector<TemplatePiece> BertPairTemplate(int32_t cls, int32_t sep) {
  return {Special(cls, 0), Text(0, 0), Special(sep, 0), Text(1, 1), Special(sep, 1)};
}

Status ReadPostProcessor(const json& doc, TokenizerModel& m) {
  std::vector<const json*> steps;
  Flatten(Member(doc, "post_processor"), "processors", steps);
  Processing p;
  for (const json* step : steps) {
    const std::string type = TypeOf(*step);
    if (type == "TemplateProcessing") {
      HFD_RETURN_IF_ERROR(ReadTemplate(*step, m, p));
      ++p.adding_steps;
    } else if (type == "BertProcessing" || type == "RobertaProcessing") {
      HFD_ASSIGN_OR_RETURN(int32_t cls, PairId(*step, "cls"));
      HFD_ASSIGN_OR_RETURN(int32_t sep, PairId(*step, "sep"));
      p.prefix.push_back(cls);
      p.suffix.push_back(sep);
      p.pair =
          type == "BertProcessing" ? BertPairTemplate(cls, sep) : RobertaPairTemplate(cls, sep);
      ++p.adding_steps;
    }
  }
  if (p.adding_steps == 0) {
    // Hugging Face's default: the two texts one after the other, type ids 0 and 1.
    p.pair = std::vector<TemplatePiece>{Text(0, 0), Text(1, 1)};
  } else if (p.adding_steps > 1) {
    // Hugging Face fails on such a pair too: the first step's output is no longer two texts.
    p.pair.reset();
    p.no_pair_reason = "its post-processor Sequence has several steps that add special tokens";
  }
  m.pair_template = std::move(p.pair);
  m.no_pair_reason = std::move(p.no_pair_reason);
  if (!p.prefix.empty()) {
    m.add_bos = true;
    m.bos_id = p.prefix.front();
    m.prefix_ids = std::move(p.prefix);
  }
  if (!p.suffix.empty()) {
    m.add_eos = true;
    m.eos_id = p.suffix.back();
    m.suffix_ids = std::move(p.suffix);
  }
  return Status::Ok();
}

}  // namespace hfd::tok
