#include "backends/vulkan/buffer.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "backends/vulkan/device.h"
#include "backends/vulkan/vk_status.h"

namespace hfd::vk {
namespace {

std::string Mib(uint64_t bytes) { return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB"; }

}  // namespace

Result<Buffer> Buffer::Create(Device& device, uint64_t bytes, MemoryUse use) {
  if (bytes == 0) return InvalidArgument("a Vulkan buffer cannot be empty");
  if (bytes > device.max_buffer_bytes()) {
    return TooLarge("buffer of " + std::to_string(bytes) + " bytes exceeds the device's limit of " +
                    std::to_string(device.max_buffer_bytes()) + " bytes per buffer");
  }
  Buffer b;
  b.device_ = device.get();
  b.size_ = bytes;
  VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  info.size = bytes;
  info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
               VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VkBuffer buffer;
  HFD_VK_RETURN_IF_ERROR(vkCreateBuffer(b.device_, &info, nullptr, &buffer), "vkCreateBuffer");
  b.buffer_ = BufferHandle(b.device_, buffer);

  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(b.device_, buffer, &req);
  const bool host = use == MemoryUse::kHostVisible;
  const VkMemoryPropertyFlags required =
      host ? VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT
           : VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
  const VkMemoryPropertyFlags preferred = host ? VK_MEMORY_PROPERTY_HOST_CACHED_BIT : 0;
  HFD_ASSIGN_OR_RETURN(uint32_t type,
                       device.FindMemoryType(req.memoryTypeBits, required, preferred));

  if (!host) {
    Result<LedgerHold> hold = device.ReserveMemory(req.size);
    if (!hold.ok()) {
      return hold.status().WithContext("allocating " + Mib(req.size) + " on " + device.info().name);
    }
    b.hold_ = std::move(hold).value();
  }

  VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  alloc.allocationSize = req.size;
  alloc.memoryTypeIndex = type;
  VkDeviceMemory memory;
  Status st = VkStatus(vkAllocateMemory(b.device_, &alloc, nullptr, &memory), "vkAllocateMemory");
  if (!st.ok()) {
    return st.WithContext("allocating " + Mib(req.size) +
                          (host ? " of host-visible" : " of device") + " memory");
  }
  b.memory_ = MemoryHandle(b.device_, memory);
  HFD_VK_RETURN_IF_ERROR(vkBindBufferMemory(b.device_, buffer, memory, 0), "vkBindBufferMemory");
  if (host) {
    HFD_VK_RETURN_IF_ERROR(vkMapMemory(b.device_, memory, 0, VK_WHOLE_SIZE, 0, &b.mapped_),
                           "vkMapMemory");
  }
  return b;
}

Result<Transfer> Transfer::Create(Device& device, uint64_t chunk_bytes) {
  Transfer t;
  t.device_ = &device;
  chunk_bytes = std::min(chunk_bytes, device.max_buffer_bytes());
  HFD_ASSIGN_OR_RETURN(t.staging_, Buffer::Create(device, chunk_bytes, MemoryUse::kHostVisible));
  return t;
}

Status Transfer::Upload(const Buffer& dst, uint64_t dst_offset, const void* src, uint64_t bytes) {
  if (dst_offset + bytes > dst.size()) return InvalidArgument("upload past the end of a buffer");
  const auto* p = static_cast<const uint8_t*>(src);
  for (uint64_t done = 0; done < bytes;) {
    const uint64_t n = std::min(bytes - done, staging_.size());
    std::memcpy(staging_.mapped(), p + done, n);
    HFD_RETURN_IF_ERROR(CopyChunk(dst, dst_offset + done, n, Direction::kToDevice));
    done += n;
  }
  return Status::Ok();
}

Status Transfer::Download(const Buffer& src, uint64_t src_offset, void* dst, uint64_t bytes) {
  if (src_offset + bytes > src.size()) return InvalidArgument("download past the end of a buffer");
  auto* p = static_cast<uint8_t*>(dst);
  for (uint64_t done = 0; done < bytes;) {
    const uint64_t n = std::min(bytes - done, staging_.size());
    HFD_RETURN_IF_ERROR(CopyChunk(src, src_offset + done, n, Direction::kToHost));
    std::memcpy(p + done, staging_.mapped(), n);
    done += n;
  }
  return Status::Ok();
}

Status Transfer::Zero(const Buffer& dst) { return CopyChunk(dst, 0, dst.size(), Direction::kZero); }

Status Transfer::CopyChunk(const Buffer& device_buffer, uint64_t offset, uint64_t bytes,
                           Direction dir) {
  HFD_ASSIGN_OR_RETURN(VkCommandBuffer cmd, device_->AllocateCommandBuffer());
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  Status st = VkStatus(vkBeginCommandBuffer(cmd, &begin), "vkBeginCommandBuffer");
  if (st.ok()) {
    // Order against compute work submitted earlier (it may read or write this buffer).
    VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
    barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_SHADER_READ_BIT;
    barrier.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                         0, 1, &barrier, 0, nullptr, 0, nullptr);
    VkBufferCopy region{};
    region.size = bytes;
    if (dir == Direction::kZero) {
      vkCmdFillBuffer(cmd, device_buffer.get(), offset, bytes, 0);
    } else if (dir == Direction::kToDevice) {
      region.dstOffset = offset;
      vkCmdCopyBuffer(cmd, staging_.get(), device_buffer.get(), 1, &region);
    } else {
      region.srcOffset = offset;
      vkCmdCopyBuffer(cmd, device_buffer.get(), staging_.get(), 1, &region);
    }
    VkMemoryBarrier after{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
    after.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    after.dstAccessMask = VK_ACCESS_HOST_READ_BIT | VK_ACCESS_SHADER_READ_BIT;
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT,
                         VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1,
                         &after, 0, nullptr, 0, nullptr);
    st = VkStatus(vkEndCommandBuffer(cmd), "vkEndCommandBuffer");
  }
  if (st.ok()) st = device_->SubmitAndWait(cmd);
  device_->FreeCommandBuffer(cmd);
  return st;
}

}  // namespace hfd::vk
