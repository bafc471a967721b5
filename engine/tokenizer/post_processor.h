// tokenizer.json's "post_processor": the special tokens Encode(add_special) puts around a
// single sequence.
#pragma once

#include <nlohmann/json.hpp>

#include "engine/tokenizer/tokenizer_model.h"
#include "include/hfd/status.h"

namespace hfd::tok {

// TemplateProcessing (its "single" template: special tokens before and after $A),
// BertProcessing and RobertaProcessing (cls, sep), alone or in a Sequence; other
// processors (ByteLevel) add no tokens. Fills m.prefix_ids / m.suffix_ids, sets add_bos /
// add_eos and takes bos_id / eos_id from the first and last of them. The vocabulary and
// added tokens must be filled.
Status ReadPostProcessor(const nlohmann::json& doc, TokenizerModel& m);

}  // namespace hfd::tok
