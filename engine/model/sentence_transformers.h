// The pooling a sentence-transformers model declares: modules.json lists its modules, and
// the sentence_transformers.models.Pooling one's folder holds a config.json with one
// pooling_mode_* flag set.
#pragma once

#include <string_view>

#include "engine/io/model_file_set.h"
#include "engine/model/model_desc.h"

namespace hfd::model {

// Pooling::kNone when the files have no modules.json or it lists no Pooling module;
// Unsupported naming the key for a pooling mode hfd does not run (max, weighted mean, ...),
// Corrupt for files that are not what sentence-transformers writes.
Result<Pooling> PoolingFromSentenceTransformers(const io::ModelFileSet& files);

// The same from the two files' texts, `pooling_config_label` naming the second in messages.
Result<Pooling> ParsePoolingConfig(std::string_view config_json,
                                   std::string_view pooling_config_label);

}  // namespace hfd::model
