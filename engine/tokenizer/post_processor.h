// tokenizer.json's "post_processor": the special tokens Encode(add_special) puts around a
// single sequence, and the template EncodePair joins two texts with.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "engine/tokenizer/tokenizer_model.h"
#include "include/hfd/status.h"

namespace hfd::tok {

// TemplateProcessing (its "single" template: special tokens before and after $A),
// BertProcessing and RobertaProcessing (cls, sep), alone or in a Sequence; other
// processors (ByteLevel) add no tokens. Fills m.prefix_ids / m.suffix_ids, sets add_bos /
// add_eos and takes bos_id / eos_id from the first and last of them. The vocabulary and
// added tokens must be filled. Also sets m.pair_template as Hugging Face joins two texts:
// TemplateProcessing's "pair" (type ids as written), BertProcessing's
// [CLS] A [SEP] B [SEP] (B and its [SEP] type 1), RobertaProcessing's <s> A </s> </s> B </s>
// (all type 0), or without such a step A then B (types 0 and 1).
Status ReadPostProcessor(const nlohmann::json& doc, TokenizerModel& m);

// BertProcessing's pair template: [CLS] A [SEP] then B [SEP] with type id 1.
std::vector<TemplatePiece> BertPairTemplate(int32_t cls, int32_t sep);

}  // namespace hfd::tok
