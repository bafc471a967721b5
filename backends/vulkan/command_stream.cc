#include "backends/vulkan/command_stream.h"

#include <vector>

#include "backends/vulkan/buffer.h"
#include "backends/vulkan/device.h"
#include "backends/vulkan/pipeline.h"
#include "backends/vulkan/vk_status.h"

namespace hfd::vk {

Result<std::unique_ptr<CommandStream>> CommandStream::Begin(Device& device) {
  HFD_ASSIGN_OR_RETURN(VkCommandBuffer cmd, device.AllocateCommandBuffer());
  std::unique_ptr<CommandStream> s(new CommandStream(device, cmd));
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  HFD_VK_RETURN_IF_ERROR(vkBeginCommandBuffer(cmd, &begin), "vkBeginCommandBuffer");
  // Make host writes (per-call parameters) and earlier transfers visible to the shaders.
  VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  barrier.srcAccessMask = VK_ACCESS_HOST_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT;
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                       VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &barrier, 0, nullptr, 0,
                       nullptr);
  return s;
}

CommandStream::~CommandStream() { device_.FreeCommandBuffer(cmd_); }

void CommandStream::Barrier() {
  VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
  barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT;
  vkCmdPipelineBarrier(cmd_, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                       VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &barrier, 0, nullptr, 0,
                       nullptr);
  written_.clear();
  read_.clear();
  ++barriers_;
}

void CommandStream::Dispatch(const Pipeline& pipeline, std::initializer_list<Bind> binds,
                             const void* push, uint32_t x, uint32_t y, uint32_t z) {
  bool hazard = false;
  for (const Bind& b : binds) {
    VkBuffer vb = b.buffer->get();
    if (written_.count(vb) || (b.write && read_.count(vb))) hazard = true;
  }
  if (hazard) Barrier();
  for (const Bind& b : binds) (b.write ? written_ : read_).insert(b.buffer->get());

  std::vector<VkDescriptorBufferInfo> infos;
  std::vector<VkWriteDescriptorSet> writes;
  infos.reserve(binds.size());
  for (const Bind& b : binds) infos.push_back({b.buffer->get(), 0, VK_WHOLE_SIZE});
  for (uint32_t i = 0; i < infos.size(); ++i) {
    VkWriteDescriptorSet w{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    w.dstBinding = i;
    w.descriptorCount = 1;
    w.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    w.pBufferInfo = &infos[i];
    writes.push_back(w);
  }
  vkCmdBindPipeline(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.get());
  device_.push_descriptor_fn()(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout(), 0,
                               static_cast<uint32_t>(writes.size()), writes.data());
  if (pipeline.desc().push_bytes > 0) {
    vkCmdPushConstants(cmd_, pipeline.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0,
                       pipeline.desc().push_bytes, push);
  }
  vkCmdDispatch(cmd_, x, y, z);
  ++dispatches_;
}

Status CommandStream::End() {
  // Make the results visible to the host and to transfers (read-back).
  VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
  barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT | VK_ACCESS_TRANSFER_READ_BIT;
  vkCmdPipelineBarrier(cmd_, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                       VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &barrier,
                       0, nullptr, 0, nullptr);
  ended_ = true;
  return VkStatus(vkEndCommandBuffer(cmd_), "vkEndCommandBuffer");
}

Status CommandStream::Submit() {
  if (!ended_) return Internal("CommandStream::Submit before End");
  return device_.SubmitAndWait(cmd_);
}

GroupGrid SplitGroups(uint64_t groups) {
  constexpr uint64_t kMaxX = 65535;
  if (groups <= kMaxX) return {static_cast<uint32_t>(groups == 0 ? 1 : groups), 1};
  return {static_cast<uint32_t>(kMaxX), static_cast<uint32_t>((groups + kMaxX - 1) / kMaxX)};
}

}  // namespace hfd::vk
