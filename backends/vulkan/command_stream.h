// Records compute dispatches into one command buffer, inserting a barrier only where a
// dispatch touches a buffer that an earlier dispatch since the last barrier wrote (RAW,
// WAW) or writes a buffer one of them read (WAR). The recorded buffer can be submitted
// any number of times (a decode step is recorded once and replayed per token).
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <set>

#include "hfd/status.h"

namespace hfd::vk {

class Buffer;
class Device;
class Pipeline;

// One storage-buffer binding of a dispatch, in binding order.
struct Bind {
  const Buffer* buffer;
  bool write = false;
};

// Owns its command buffer (freed on destruction); the Device, and every pipeline and
// buffer recorded into it, must outlive it. Not thread-safe.
class CommandStream {
 public:
  static Result<std::unique_ptr<CommandStream>> Begin(Device& device);
  ~CommandStream();
  CommandStream(const CommandStream&) = delete;
  CommandStream& operator=(const CommandStream&) = delete;

  // Records `pipeline` over groups (x, y, z) with `binds` at bindings 0.. and the push
  // constants `push` (pipeline.desc().push_bytes bytes).
  void Dispatch(const Pipeline& pipeline, std::initializer_list<Bind> binds, const void* push,
                uint32_t x, uint32_t y = 1, uint32_t z = 1);
  // Finishes recording; afterwards only Submit may be called.
  Status End();
  // Submits the recorded commands and waits for them to complete.
  Status Submit();

  int dispatch_count() const { return dispatches_; }
  int barrier_count() const { return barriers_; }

 private:
  CommandStream(Device& device, VkCommandBuffer cmd) : device_(device), cmd_(cmd) {}
  void Barrier();

  Device& device_;
  VkCommandBuffer cmd_;
  bool ended_ = false;
  std::set<VkBuffer> written_;  // since the last barrier
  std::set<VkBuffer> read_;     // since the last barrier
  int dispatches_ = 0;
  int barriers_ = 0;
};

// Splits a count of workgroups into an (x, y) grid with x <= 65535 (the minimum limit
// every device supports); shaders recover the flat index with flat_group().
struct GroupGrid {
  uint32_t x;
  uint32_t y;
};
GroupGrid SplitGroups(uint64_t groups);

}  // namespace hfd::vk
