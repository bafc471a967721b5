// A weight matrix in device memory, kept in its GGML block layout and split by rows
// into as many buffers as the device's per-buffer limits require.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "backends/vulkan/buffer.h"
#include "engine/quant/tensor_type.h"

namespace hfd::vk {

struct TensorChunk {
  Buffer buffer;
  int64_t first_row = 0;
  int64_t rows = 0;
};

// `nrows` rows of `ncols` elements of `type`. Move-only; the Device must outlive it.
class DeviceTensor {
 public:
  // The bytes every chunk of a `type` tensor holds ahead of its rows: the IQ3 types' grid
  // (a published codebook of 256 or 512 points), which their shaders read through the
  // weight binding like the rows, instead of as a GLSL constant array (which took lavapipe
  // minutes to compile per pipeline). Empty for the other types. The shaders hard-code its
  // size (shaders/iq_tables.glsl).
  static std::span<const uint8_t> Codebook(TensorType type);

  // Bytes of device memory an upload with these parameters takes, or an error when the
  // type is unsupported or `row_align` rows (and the codebook) exceed `max_chunk_bytes`.
  static Result<uint64_t> PlanBytes(TensorType type, int64_t ncols, int64_t nrows,
                                    uint64_t max_chunk_bytes, int64_t row_align = 1);

  // Uploads `data` (RowBytes(type, ncols) * nrows bytes) through `transfer` into chunks of
  // at most `max_chunk_bytes` (0: the device's limit), each a multiple of `row_align` rows
  // (stacked experts: whole experts, which the indexed-expert kernels need).
  static Result<DeviceTensor> Upload(Device& device, Transfer& transfer, TensorType type,
                                     int64_t ncols, int64_t nrows, const void* data,
                                     uint64_t max_chunk_bytes = 0, int64_t row_align = 1);

  TensorType type() const { return type_; }
  int64_t ncols() const { return ncols_; }
  int64_t nrows() const { return nrows_; }
  int64_t row_bytes() const { return row_bytes_; }
  const std::vector<TensorChunk>& chunks() const { return chunks_; }
  uint64_t bytes() const;

 private:
  TensorType type_ = TensorType::kF32;
  int64_t ncols_ = 0;
  int64_t nrows_ = 0;
  int64_t row_bytes_ = 0;
  std::vector<TensorChunk> chunks_;
};

}  // namespace hfd::vk
