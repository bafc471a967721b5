#include "engine/tokenizer/post_processor.h"

#include <string>
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

Status ReadTemplate(const json& processor, const TokenizerModel& m, std::vector<int32_t>& prefix,
                    std::vector<int32_t>& suffix) {
  const json* single = Member(processor, "single");
  if (!single || !single->is_array()) return Corrupt("TemplateProcessing has no 'single'");
  bool after_sequence = false;
  for (const json& item : *single) {
    if (Member(item, "Sequence")) {
      after_sequence = true;
      continue;
    }
    const json* special = Member(item, "SpecialToken");
    if (!special) continue;
    const auto name = StringMember(*special, "id");
    if (!name) return Corrupt("a TemplateProcessing special token has no id");
    std::vector<int32_t>& side = after_sequence ? suffix : prefix;
    HFD_ASSIGN_OR_RETURN(bool from_table, AppendFromTable(processor, *name, side));
    if (from_table) continue;
    // Without a table entry, the token of that text.
    const int32_t id = FindToken(m, *name);
    if (id < 0) return Corrupt("post-processor token '" + *name + "' is not in the vocabulary");
    side.push_back(id);
  }
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

}  // namespace

Status ReadPostProcessor(const json& doc, TokenizerModel& m) {
  std::vector<const json*> steps;
  Flatten(Member(doc, "post_processor"), "processors", steps);
  std::vector<int32_t> prefix;
  std::vector<int32_t> suffix;
  for (const json* step : steps) {
    const std::string type = TypeOf(*step);
    if (type == "TemplateProcessing") {
      HFD_RETURN_IF_ERROR(ReadTemplate(*step, m, prefix, suffix));
    } else if (type == "BertProcessing" || type == "RobertaProcessing") {
      HFD_ASSIGN_OR_RETURN(int32_t cls, PairId(*step, "cls"));
      HFD_ASSIGN_OR_RETURN(int32_t sep, PairId(*step, "sep"));
      prefix.push_back(cls);
      suffix.push_back(sep);
    }
  }
  if (!prefix.empty()) {
    m.add_bos = true;
    m.bos_id = prefix.front();
    m.prefix_ids = std::move(prefix);
  }
  if (!suffix.empty()) {
    m.add_eos = true;
    m.eos_id = suffix.back();
    m.suffix_ids = std::move(suffix);
  }
  return Status::Ok();
}

}  // namespace hfd::tok
