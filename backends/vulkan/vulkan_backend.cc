#include "backends/vulkan/vulkan_backend.h"

#include <cstdlib>
#include <optional>

#include "backends/vulkan/coopmat_check.h"
#include "backends/vulkan/device.h"
#include "backends/vulkan/instance.h"
#include "backends/vulkan/kernels.h"
#include "backends/vulkan/probe.h"
#include "backends/vulkan/vulkan_executable.h"
#include "backends/vulkan/vulkan_kv_cache.h"
#include "backends/vulkan/vulkan_weights.h"
#include "engine/model/model_files.h"

namespace hfd::vk {
namespace {

using runtime::OpKind;

class VulkanBackend final : public runtime::Backend {
 public:
  VulkanBackend(std::unique_ptr<Instance> instance, std::unique_ptr<Device> device,
                Transfer transfer, bool fuse)
      : instance_(std::move(instance)),
        device_(std::move(device)),
        transfer_(std::move(transfer)),
        kernels_(std::make_unique<Kernels>(*device_)),
        fuse_(fuse) {}

  std::string_view name() const override { return "vulkan"; }
  // The device, and what its prefill matmuls run on (cooperative matrices or why not).
  std::string device_description() const override {
    return DescribeDevice(device_->info()) + "; prefill: " + prefill_;
  }

  // Uses cooperative matrices for prefill when the device has them, HFD_VK_COOPMAT does
  // not say 0 and the self-check passes.
  void ChoosePrefillKernel() {
    prefill_ = EnableCoopMat(*device_, transfer_, *kernels_,
                             ChooseCoopMat(device_->coopmat(), std::getenv("HFD_VK_COOPMAT")));
  }

  bool Supports(OpKind op, TensorType weight_type) const override {
    switch (op) {
      case OpKind::kGetRows:
      case OpKind::kPositionRows:
      case OpKind::kMatMul:
      case OpKind::kMoeMatMul:
        return Kernels::SupportsWeightType(weight_type);
      case OpKind::kRmsNorm:
      case OpKind::kLayerNorm:
      case OpKind::kAddBias:
      case OpKind::kSinkAttention:
        return IsSupportedType(weight_type);  // converted to float32 when loaded
      case OpKind::kMoeAddBias:
        return Kernels::SupportsExpertBiasType(weight_type);
      default:
        return true;
    }
  }

  Status LoadWeights(const model::ModelFiles& files) override {
    if (weights_) return InvalidArgument("the Vulkan backend already holds a model's weights");
    HFD_ASSIGN_OR_RETURN(VulkanWeights w, VulkanWeights::Load(*device_, transfer_, files));
    weights_ = std::move(w);
    return Status::Ok();
  }

  Result<std::unique_ptr<runtime::KvCache>> AllocateKvCache(
      const runtime::KvCacheDesc& desc) override {
    HFD_ASSIGN_OR_RETURN(std::unique_ptr<VulkanKvCache> cache,
                         VulkanKvCache::Create(*device_, transfer_, desc));
    return std::unique_ptr<runtime::KvCache>(std::move(cache));
  }

  Result<std::unique_ptr<runtime::Executable>> Compile(const runtime::Graph& graph,
                                                       runtime::KvCache& cache) override {
    if (!weights_) return InvalidArgument("LoadWeights must be called before Compile");
    HFD_RETURN_IF_ERROR(runtime::CheckSupported(*this, graph));
    auto* vk_cache = dynamic_cast<VulkanKvCache*>(&cache);
    if (vk_cache == nullptr) return InvalidArgument("the KV cache belongs to another backend");
    HFD_ASSIGN_OR_RETURN(
        std::unique_ptr<VulkanExecutable> exe,
        VulkanExecutable::Create(*device_, *kernels_, *weights_, graph, *vk_cache, fuse_));
    return std::unique_ptr<runtime::Executable>(std::move(exe));
  }

  Result<runtime::RunOutput> Run(runtime::Executable& exe,
                                 const runtime::RunParams& params) override {
    auto* vk_exe = dynamic_cast<VulkanExecutable*>(&exe);
    if (vk_exe == nullptr) return InvalidArgument("the executable belongs to another backend");
    return vk_exe->Run(params);
  }

  // What the cap leaves after everything hfd holds on this GPU (this model's weights and
  // every other loaded model's buffers): sessions and batches size what they allocate
  // from it.
  std::optional<int64_t> device_memory_left() const override {
    return static_cast<int64_t>(device_->memory_left());
  }

 private:
  // Declaration order is destruction order in reverse: weights, kernels and staging go
  // before the device, the device before the instance.
  std::unique_ptr<Instance> instance_;
  std::unique_ptr<Device> device_;
  Transfer transfer_;
  std::unique_ptr<Kernels> kernels_;
  bool fuse_;
  std::string prefill_;
  std::optional<VulkanWeights> weights_;
};

}  // namespace

Result<std::unique_ptr<runtime::Backend>> CreateVulkanBackend(const VulkanBackendOptions& options) {
  auto instance = Instance::Create(InstanceOptions{.validation = options.validation});
  if (!instance.ok()) {
    return Unavailable("no Vulkan device: " + instance.status().message());
  }
  auto devices = EnumerateDevices(**instance);
  if (!devices.ok()) return Unavailable("no Vulkan device: " + devices.status().message());
  HFD_ASSIGN_OR_RETURN(
      DeviceInfo info,
      SelectDevice(*devices, SelectOptions{options.device, options.allow_cpu_device}));
  auto device = Device::Create(**instance, info);
  if (!device.ok()) return device.status().WithContext("Vulkan device " + info.name);
  HFD_ASSIGN_OR_RETURN(Transfer transfer, Transfer::Create(**device));
  if (options.memory_budget_bytes != 0) (*device)->set_memory_cap(options.memory_budget_bytes);
  auto backend = std::make_unique<VulkanBackend>(std::move(*instance), std::move(*device),
                                                 std::move(transfer), options.fuse_ops);
  backend->ChoosePrefillKernel();
  return std::unique_ptr<runtime::Backend>(std::move(backend));
}

}  // namespace hfd::vk
