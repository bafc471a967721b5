// The pooling a sentence-transformers model declares: modules.json lists its modules, and
// the sentence_transformers.models.Pooling one's folder holds a config.json with one
// pooling_mode_* flag set.
#pragma once

#include <string>
#include <string_view>

#include "engine/io/model_file_set.h"
#include "engine/model/model_desc.h"

namespace hfd::model {

// Pooling::kNone when the files have no modules.json or it lists no Pooling module;
// Unsupported naming the key for a pooling mode hfd does not run (max, weighted mean, ...),
// Corrupt for files that are not what sentence-transformers writes.
Result<Pooling> PoolingFromSentenceTransformers(const io::ModelFileSet& files);

// The folder of modules.json's Pooling module ("1_Pooling"), or "" when it lists none;
// `modules_label` names the file in messages.
Result<std::string> PoolingModuleFolder(std::string_view modules_json,
                                        std::string_view modules_label);

// The pooling from the Pooling module's config.json text, `pooling_config_label` naming the second
// in messages.
Result<Pooling> ParsePoolingConfig(std::string_view config_json,
                                   std::string_view pooling_config_label);

}  // namespace hfd::model
