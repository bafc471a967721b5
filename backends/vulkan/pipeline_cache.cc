#include "backends/vulkan/pipeline_cache.h"

namespace hfd::vk {

Result<const Pipeline*> PipelineCache::Get(const PipelineDesc& desc) {
  std::string key = desc.shader;
  for (uint32_t s : desc.spec) key += "/" + std::to_string(s);
  auto it = pipelines_.find(key);
  if (it != pipelines_.end()) return it->second.get();
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<Pipeline> p, Pipeline::Create(device_, desc));
  const Pipeline* raw = p.get();
  pipelines_.emplace(std::move(key), std::move(p));
  return raw;
}

}  // namespace hfd::vk
