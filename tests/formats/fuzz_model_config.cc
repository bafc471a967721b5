// libFuzzer target: arbitrary text as config.json (and the same as generation_config), as
// sentence-transformers' modules.json and Pooling config.json, and as a checkpoint's tensor
// name (the per-expert names are parsed for their layer and expert numbers).
#include <cstdint>
#include <string_view>

#include "engine/model/desc_from_config.h"
#include "engine/model/sentence_transformers.h"
#include "engine/model/tensor_names.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)hfd::model::DescFromConfig(text, "");
  (void)hfd::model::DescFromConfig(R"({"model_type":"llama","vocab_size":8,"hidden_size":8,
    "num_hidden_layers":1,"num_attention_heads":2,"intermediate_size":8})",
                                   text);
  (void)hfd::model::PoolingModuleFolder(text, "modules.json");
  (void)hfd::model::ParsePoolingConfig(text, "1_Pooling/config.json");
  (void)hfd::model::ExpertSliceFromHf(text);
  (void)hfd::model::CanonicalFromHf(text, hfd::model::Architecture::kQwen2Moe);
  return 0;
}
