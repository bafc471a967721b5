#include "backends/vulkan/pipeline.h"

#include "backends/vulkan/device.h"
#include "backends/vulkan/shaders.h"
#include "backends/vulkan/vk_status.h"

namespace hfd::vk {

Result<std::unique_ptr<Pipeline>> Pipeline::Create(Device& device, const PipelineDesc& desc) {
  std::span<const uint32_t> code = FindShader(desc.shader);
  if (code.empty()) return NotFound("no embedded Vulkan shader named '" + desc.shader + "'");
  auto p = std::make_unique<Pipeline>();
  p->desc_ = desc;
  VkDevice dev = device.get();

  std::vector<VkDescriptorSetLayoutBinding> bindings(desc.bindings);
  for (uint32_t i = 0; i < desc.bindings; ++i) {
    bindings[i] = {i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
  }
  VkDescriptorSetLayoutCreateInfo set_info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  set_info.flags = VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR;
  set_info.bindingCount = desc.bindings;
  set_info.pBindings = bindings.data();
  VkDescriptorSetLayout set_layout;
  HFD_VK_RETURN_IF_ERROR(vkCreateDescriptorSetLayout(dev, &set_info, nullptr, &set_layout),
                         "vkCreateDescriptorSetLayout");
  p->set_layout_ = SetLayoutHandle(dev, set_layout);

  VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, desc.push_bytes};
  VkPipelineLayoutCreateInfo layout_info{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  layout_info.setLayoutCount = 1;
  layout_info.pSetLayouts = &set_layout;
  layout_info.pushConstantRangeCount = desc.push_bytes > 0 ? 1 : 0;
  layout_info.pPushConstantRanges = &range;
  VkPipelineLayout layout;
  HFD_VK_RETURN_IF_ERROR(vkCreatePipelineLayout(dev, &layout_info, nullptr, &layout),
                         "vkCreatePipelineLayout");
  p->layout_ = PipelineLayoutHandle(dev, layout);

  VkShaderModuleCreateInfo module_info{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  module_info.codeSize = code.size_bytes();
  module_info.pCode = code.data();
  VkShaderModule module;
  HFD_VK_RETURN_IF_ERROR(vkCreateShaderModule(dev, &module_info, nullptr, &module),
                         "vkCreateShaderModule(" + desc.shader + ")");
  ShaderModuleHandle module_owner(dev, module);

  std::vector<VkSpecializationMapEntry> entries(desc.spec.size());
  for (uint32_t i = 0; i < desc.spec.size(); ++i) {
    entries[i] = {i, i * static_cast<uint32_t>(sizeof(uint32_t)), sizeof(uint32_t)};
  }
  VkSpecializationInfo spec{static_cast<uint32_t>(entries.size()), entries.data(),
                            desc.spec.size() * sizeof(uint32_t), desc.spec.data()};
  VkComputePipelineCreateInfo info{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  info.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
  info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  info.stage.module = module;
  info.stage.pName = "main";
  info.stage.pSpecializationInfo = desc.spec.empty() ? nullptr : &spec;
  info.layout = layout;
  VkPipeline pipeline;
  HFD_VK_RETURN_IF_ERROR(
      vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &info, nullptr, &pipeline),
      "vkCreateComputePipelines(" + desc.shader + ")");
  p->pipeline_ = PipelineHandle(dev, pipeline);
  return p;
}

}  // namespace hfd::vk
