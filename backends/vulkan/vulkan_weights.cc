#include "backends/vulkan/vulkan_weights.h"

#include <fmt/format.h>

#include <vector>

#include "backends/vulkan/device.h"
#include "backends/vulkan/kernels.h"
#include "common/units.h"
#include "engine/model/model_files.h"
#include "engine/quant/dequantize.h"

namespace hfd::vk {
namespace {

bool IsVector(const model::WeightView& w) { return w.shape.size() == 1; }

int64_t MatrixRows(const model::WeightView& w) {
  int64_t rows = 1;
  for (size_t i = 1; i < w.shape.size(); ++i) rows *= w.shape[i];
  return rows;
}

// Rows a buffer of the matrix may not split: one expert's of stacked experts ({cols, rows,
// n_expert}), 1 else.
int64_t RowAlign(const model::WeightView& w) { return w.shape.size() == 3 ? w.shape[1] : 1; }

std::string Bytes(uint64_t bytes) { return FormatBytes(static_cast<int64_t>(bytes)); }

// A vector in float32, as a buffer and as a one-row matrix.
struct DeviceVector {
  Buffer buffer;
  DeviceTensor row;
};

Result<DeviceVector> UploadVector(Device& device, Transfer& transfer, const model::WeightView& w,
                                  const std::string& name) {
  std::vector<float> values(w.shape[0]);
  Status st = DequantizeRow(w.type, w.data, values.data(), w.shape[0]);
  if (!st.ok()) return st.WithContext(name);
  DeviceVector v;
  HFD_ASSIGN_OR_RETURN(v.buffer,
                       Buffer::Create(device, values.size() * 4, MemoryUse::kDeviceLocal));
  HFD_RETURN_IF_ERROR(transfer.Upload(v.buffer, 0, values.data(), values.size() * 4));
  HFD_ASSIGN_OR_RETURN(v.row, DeviceTensor::Upload(device, transfer, TensorType::kF32, w.shape[0],
                                                   1, values.data()));
  return v;
}

}  // namespace

Result<uint64_t> VulkanWeights::PlanBytes(const model::ModelFiles& files,
                                          uint64_t max_buffer_bytes) {
  uint64_t total = 0;
  for (const std::string& name : files.WeightNames()) {
    HFD_ASSIGN_OR_RETURN(model::WeightView w, files.Weight(name));
    if (IsVector(w)) {
      total += static_cast<uint64_t>(w.shape[0]) * 4 * 2;  // the buffer and the row
      continue;
    }
    if (!Kernels::SupportsWeightType(w.type)) {
      return Unsupported(
          fmt::format("weight {} has type {}, which the Vulkan backend has no "
                      "kernels for",
                      name, TypeName(w.type)));
    }
    auto bytes =
        DeviceTensor::PlanBytes(w.type, w.shape[0], MatrixRows(w), max_buffer_bytes, RowAlign(w));
    if (!bytes.ok()) return bytes.status().WithContext(name);
    total += *bytes;
  }
  return total;
}

Result<VulkanWeights> VulkanWeights::Load(Device& device, Transfer& transfer,
                                          const model::ModelFiles& files) {
  HFD_ASSIGN_OR_RETURN(uint64_t need, PlanBytes(files, device.max_buffer_bytes()));
  const uint64_t left = device.memory_left();
  if (need > left) {
    const uint64_t held = device.memory_held();
    return OutOfMemory(fmt::format(
        "the model's weights need {} of device memory but only {} is available on {} (a cap "
        "of {}{}); use a smaller quantization, raise vulkan_max_memory, or use the CPU "
        "backend",
        Bytes(need), Bytes(left), device.info().name, Bytes(device.memory_cap()),
        held > 0 ? fmt::format(", {} held by other loaded models", Bytes(held)) : ""));
  }
  VulkanWeights out;
  for (const std::string& name : files.WeightNames()) {
    HFD_ASSIGN_OR_RETURN(model::WeightView w, files.Weight(name));
    if (IsVector(w)) {
      HFD_ASSIGN_OR_RETURN(DeviceVector v, UploadVector(device, transfer, w, name));
      out.weights_.emplace(name, std::move(v.buffer));
      out.vector_rows_.emplace(name, std::move(v.row));
    } else {
      auto t = DeviceTensor::Upload(device, transfer, w.type, w.shape[0], MatrixRows(w), w.data, 0,
                                    RowAlign(w));
      if (!t.ok()) return t.status().WithContext("uploading " + name);
      out.weights_.emplace(name, std::move(*t));
    }
  }
  out.bytes_ = need;
  return out;
}

const DeviceTensor* VulkanWeights::Matrix(const std::string& name) const {
  if (auto row = vector_rows_.find(name); row != vector_rows_.end()) return &row->second;
  auto it = weights_.find(name);
  return it == weights_.end() ? nullptr : std::get_if<DeviceTensor>(&it->second);
}

const Buffer* VulkanWeights::Vector(const std::string& name) const {
  auto it = weights_.find(name);
  return it == weights_.end() ? nullptr : std::get_if<Buffer>(&it->second);
}

}  // namespace hfd::vk
