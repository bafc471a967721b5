#include "backends/vulkan/tensor_buffer.h"

#include <algorithm>
#include <string>

#include "backends/vulkan/device.h"
#include "engine/quant/iq_tables.h"

namespace hfd::vk {
namespace {

template <size_t N>
std::span<const uint8_t> Bytes(const uint32_t (&words)[N]) {
  return {reinterpret_cast<const uint8_t*>(words), sizeof(words)};
}

// A chunk's buffer size: the shaders read 16-bit words, so a chunk of an odd number of
// bytes (MXFP4 rows of an odd number of 17-byte blocks) gets one byte of padding, which
// keeps its last byte inside the word array.
uint64_t PaddedChunkBytes(uint64_t bytes) { return (bytes + 1) / 2 * 2; }

// Rows per chunk so that a chunk, with the codebook ahead of its rows and its padding,
// stays within the limit; a multiple of `row_align`.
Result<int64_t> RowsPerChunk(TensorType type, int64_t ncols, uint64_t max_chunk_bytes,
                             int64_t row_align) {
  max_chunk_bytes -= max_chunk_bytes % 2;
  const int64_t row_bytes = RowBytes(type, ncols);
  if (row_bytes <= 0) {
    return InvalidArgument("a row of " + std::to_string(ncols) + " " + TypeName(type) +
                           " elements is not a whole number of blocks");
  }
  const uint64_t codebook = DeviceTensor::Codebook(type).size();
  if (codebook + static_cast<uint64_t>(row_bytes) > max_chunk_bytes) {
    return TooLarge(
        "one row of " + std::to_string(row_bytes) + " bytes" +
        (codebook > 0 ? " and the " + std::to_string(codebook) + "-byte codebook" : "") +
        " exceeds the device's buffer limit of " + std::to_string(max_chunk_bytes) + " bytes");
  }
  const auto rows =
      static_cast<int64_t>((max_chunk_bytes - codebook) / static_cast<uint64_t>(row_bytes));
  if (rows < row_align) {
    return TooLarge(std::to_string(row_align) + " rows of " + std::to_string(row_bytes) +
                    " bytes (one expert) exceed the device's buffer limit of " +
                    std::to_string(max_chunk_bytes) + " bytes");
  }
  return rows / row_align * row_align;
}

uint64_t ChunkCount(int64_t nrows, int64_t per_chunk) {
  return static_cast<uint64_t>((nrows + per_chunk - 1) / per_chunk);
}

}  // namespace

std::span<const uint8_t> DeviceTensor::Codebook(TensorType type) {
  switch (type) {
    case TensorType::kIQ3_XXS:
      return Bytes(kIq3XxsGrid);
    case TensorType::kIQ3_S:
      return Bytes(kIq3SGrid);
    default:
      return {};
  }
}

Result<uint64_t> DeviceTensor::PlanBytes(TensorType type, int64_t ncols, int64_t nrows,
                                         uint64_t max_chunk_bytes, int64_t row_align) {
  HFD_ASSIGN_OR_RETURN(int64_t per_chunk, RowsPerChunk(type, ncols, max_chunk_bytes, row_align));
  return static_cast<uint64_t>(RowBytes(type, ncols)) * static_cast<uint64_t>(nrows) +
         ChunkCount(nrows, per_chunk) * Codebook(type).size();
}

Result<DeviceTensor> DeviceTensor::Upload(Device& device, Transfer& transfer, TensorType type,
                                          int64_t ncols, int64_t nrows, const void* data,
                                          uint64_t max_chunk_bytes, int64_t row_align) {
  if (max_chunk_bytes == 0) max_chunk_bytes = device.max_buffer_bytes();
  max_chunk_bytes = std::min(max_chunk_bytes, device.max_buffer_bytes());
  HFD_ASSIGN_OR_RETURN(int64_t per_chunk, RowsPerChunk(type, ncols, max_chunk_bytes, row_align));
  const std::span<const uint8_t> codebook = Codebook(type);
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
    HFD_ASSIGN_OR_RETURN(
        chunk.buffer,
        Buffer::Create(device, PaddedChunkBytes(codebook.size() + bytes), MemoryUse::kDeviceLocal));
    if (!codebook.empty()) {
      HFD_RETURN_IF_ERROR(transfer.Upload(chunk.buffer, 0, codebook.data(), codebook.size()));
    }
    HFD_RETURN_IF_ERROR(
        transfer.Upload(chunk.buffer, codebook.size(), src + row * t.row_bytes_, bytes));
    t.chunks_.push_back(std::move(chunk));
  }
  return t;
}

uint64_t DeviceTensor::bytes() const {
  return static_cast<uint64_t>(row_bytes_) * static_cast<uint64_t>(nrows_) +
         chunks_.size() * Codebook(type_).size();
}

}  // namespace hfd::vk
