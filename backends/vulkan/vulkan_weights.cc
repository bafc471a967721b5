#include "backends/vulkan/vulkan_weights.h"

#include <fmt/format.h>

#include <vector>

#include "backends/vulkan/device.h"
#include "backends/vulkan/kernels.h"
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

std::string GiB(uint64_t bytes) { return fmt::format("{:.2f} GiB", bytes / double(1ull << 30)); }

Result<Buffer> UploadVector(Device& device, Transfer& transfer, const model::WeightView& w,
                            const std::string& name) {
  std::vector<float> values(w.shape[0]);
  Status st = DequantizeRow(w.type, w.data, values.data(), w.shape[0]);
  if (!st.ok()) return st.WithContext(name);
  HFD_ASSIGN_OR_RETURN(Buffer b,
                       Buffer::Create(device, values.size() * 4, MemoryUse::kDeviceLocal));
  HFD_RETURN_IF_ERROR(transfer.Upload(b, 0, values.data(), values.size() * 4));
  return b;
}

}  // namespace

Result<uint64_t> VulkanWeights::PlanBytes(const model::ModelFiles& files,
                                          uint64_t max_buffer_bytes) {
  uint64_t total = 0;
  for (const std::string& name : files.WeightNames()) {
    HFD_ASSIGN_OR_RETURN(model::WeightView w, files.Weight(name));
    if (IsVector(w)) {
      total += static_cast<uint64_t>(w.shape[0]) * 4;
      continue;
    }
    if (!Kernels::SupportsWeightType(w.type)) {
      return Unsupported(
          fmt::format("weight {} has type {}, which the Vulkan backend has no "
                      "kernels for",
                      name, TypeName(w.type)));
    }
    auto bytes = DeviceTensor::PlanBytes(w.type, w.shape[0], MatrixRows(w), max_buffer_bytes);
    if (!bytes.ok()) return bytes.status().WithContext(name);
    total += *bytes;
  }
  return total;
}

Result<VulkanWeights> VulkanWeights::Load(Device& device, Transfer& transfer,
                                          const model::ModelFiles& files, uint64_t budget_bytes) {
  HFD_ASSIGN_OR_RETURN(uint64_t need, PlanBytes(files, device.max_buffer_bytes()));
  if (need > budget_bytes) {
    return OutOfMemory(fmt::format(
        "the model's weights need {} of device memory but only {} is available on {}; use a "
        "smaller quantization or the CPU backend",
        GiB(need), GiB(budget_bytes), device.info().name));
  }
  VulkanWeights out;
  for (const std::string& name : files.WeightNames()) {
    HFD_ASSIGN_OR_RETURN(model::WeightView w, files.Weight(name));
    if (IsVector(w)) {
      HFD_ASSIGN_OR_RETURN(Buffer b, UploadVector(device, transfer, w, name));
      out.weights_.emplace(name, std::move(b));
    } else {
      auto t = DeviceTensor::Upload(device, transfer, w.type, w.shape[0], MatrixRows(w), w.data);
      if (!t.ok()) return t.status().WithContext("uploading " + name);
      out.weights_.emplace(name, std::move(*t));
    }
  }
  out.bytes_ = need;
  return out;
}

const DeviceTensor* VulkanWeights::Matrix(const std::string& name) const {
  auto it = weights_.find(name);
  return it == weights_.end() ? nullptr : std::get_if<DeviceTensor>(&it->second);
}

const Buffer* VulkanWeights::Vector(const std::string& name) const {
  auto it = weights_.find(name);
  return it == weights_.end() ? nullptr : std::get_if<Buffer>(&it->second);
}

}  // namespace hfd::vk
