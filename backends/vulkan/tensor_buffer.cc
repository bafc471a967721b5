#include "backends/vulkan/tensor_buffer.h"

#include <algorithm>
#include <string>

#include "backends/vulkan/device.h"

namespace hfd::vk {
namespace {

// Rows per chunk so that a chunk stays within the limit.
Result<int64_t> RowsPerChunk(TensorType type, int64_t ncols, uint64_t max_chunk_bytes) {
  const int64_t row_bytes = RowBytes(type, ncols);
  if (row_bytes <= 0) {
    return InvalidArgument("a row of " + std::to_string(ncols) + " " + TypeName(type) +
                           " elements is not a whole number of blocks");
  }
  if (static_cast<uint64_t>(row_bytes) > max_chunk_bytes) {
    return TooLarge("one row of " + std::to_string(row_bytes) +
                    " bytes exceeds the device's buffer limit of " +
                    std::to_string(max_chunk_bytes) + " bytes");
  }
  return static_cast<int64_t>(max_chunk_bytes / static_cast<uint64_t>(row_bytes));
}

}  // namespace

Result<uint64_t> DeviceTensor::PlanBytes(TensorType type, int64_t ncols, int64_t nrows,
                                         uint64_t max_chunk_bytes) {
  HFD_RETURN_IF_ERROR(RowsPerChunk(type, ncols, max_chunk_bytes).status());
  return static_cast<uint64_t>(RowBytes(type, ncols)) * static_cast<uint64_t>(nrows);
}

Result<DeviceTensor> DeviceTensor::Upload(Device& device, Transfer& transfer, TensorType type,
                                          int64_t ncols, int64_t nrows, const void* data,
                                          uint64_t max_chunk_bytes) {
  if (max_chunk_bytes == 0) max_chunk_bytes = device.max_buffer_bytes();
  max_chunk_bytes = std::min(max_chunk_bytes, device.max_buffer_bytes());
  HFD_ASSIGN_OR_RETURN(int64_t per_chunk, RowsPerChunk(type, ncols, max_chunk_bytes));
  DeviceTensor t;
  t.type_ = type;
  t.ncols_ = ncols;
  t.nrows_ = nrows;
  t.row_bytes_ = RowBytes(type, ncols);
  const auto* src = static_cast<const uint8_t*>(data);
  for (int64_t row = 0; row < nrows; row += per_chunk) {
    TensorChunk chunk;
    chunk.first_row = row;
    chunk.rows = std::min(per_chunk, nrows - row);
    const uint64_t bytes = static_cast<uint64_t>(chunk.rows * t.row_bytes_);
    HFD_ASSIGN_OR_RETURN(chunk.buffer, Buffer::Create(device, bytes, MemoryUse::kDeviceLocal));
    HFD_RETURN_IF_ERROR(transfer.Upload(chunk.buffer, 0, src + row * t.row_bytes_, bytes));
    t.chunks_.push_back(std::move(chunk));
  }
  return t;
}

uint64_t DeviceTensor::bytes() const {
  return static_cast<uint64_t>(row_bytes_) * static_cast<uint64_t>(nrows_);
}

}  // namespace hfd::vk
