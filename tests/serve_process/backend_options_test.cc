// Backend options of the daemon's configuration reach the models it loads: `ps` shows the
// device description of each model's backend.
#include <gtest/gtest.h>

#include <string>

#include "tests/serve_process/serve_harness.h"

namespace hfd::testing {
namespace {

using nlohmann::json;

class BackendOptions : public ServeTest {
 protected:
  // Loads the tiny Llama 3 on the CPU, generates a few tokens and returns its `ps` device.
  std::string DeviceAfterGenerating() {
    const std::string model = models_.llama3_q8.string();
    CallOk("load", {{"model", model}, {"backend", "cpu"}, {"ctx", 256}});
    auto client = Connect();
    EXPECT_NE(client, nullptr);
    if (client == nullptr) return "";
    const Streamed s = StreamCall(*client, "generate", ShortGenerate(model));
    EXPECT_TRUE(s.status.ok()) << s.status.ToString();
    const json models = PsModels();
    EXPECT_EQ(models.size(), 1u) << models.dump();
    return models.empty() ? "" : models[0].value("device", "");
  }
};

TEST_F(BackendOptions, CpuActivationsInt8x2ReachTheLoadedModel) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon("cpu_activations = \"int8x2\"\n"));
  const std::string device = DeviceAfterGenerating();
  EXPECT_NE(device.find("int8x2 activations"), std::string::npos) << device;
}

TEST_F(BackendOptions, CpuActivationsDefaultToInt8) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  const std::string device = DeviceAfterGenerating();
  EXPECT_NE(device.find("CPU"), std::string::npos) << device;
  EXPECT_EQ(device.find("int8x2"), std::string::npos) << device;
}

// On lavapipe, named (`auto` never picks a CPU Vulkan device): a cap below the model's
// weights refuses the load, saying which key to raise.
TEST_F(BackendOptions, VulkanMaxMemoryCapsTheDevice) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon("vulkan_max_memory = \"64KiB\"\n"));
  const Result<json> load = Call("load", {{"model", models_.llama3_q8.string()},
                                          {"backend", "vulkan"},
                                          {"device", "llvmpipe"},
                                          {"ctx", 256}});
  ASSERT_FALSE(load.ok());
  EXPECT_EQ(load.status().code(), ErrorCode::kOutOfMemory) << load.status().ToString();
  EXPECT_NE(load.status().message().find("a cap of 64.0 KiB"), std::string::npos)
      << load.status().message();
  EXPECT_NE(load.status().message().find("vulkan_max_memory"), std::string::npos)
      << load.status().message();
}

}  // namespace
}  // namespace hfd::testing
