// For the daemon process tests of this folder: `status` of a running hfd once its
// background Vulkan probe has finished, and its entry for one backend.
#pragma once

#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hfd/client.h"

namespace hfd::testing {

// The `backends` entry named `name` of a status result; null when absent.
inline nlohmann::json BackendEntry(const nlohmann::json& status, const std::string& name) {
  for (const auto& b : status.value("backends", nlohmann::json::array())) {
    if (b.value("name", "") == name) return b;
  }
  return nullptr;
}

// Asks `status` until the Vulkan probe has answered (the entry stops saying "probing").
inline nlohmann::json SettledStatus(const std::string& socket) {
  auto client = client::Client::Connect(socket);
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  if (!client.ok()) return nullptr;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (true) {
    auto status = (*client)->Call("status");
    EXPECT_TRUE(status.ok()) << status.status().ToString();
    if (!status.ok()) return nullptr;
    const nlohmann::json vulkan = BackendEntry(*status, "vulkan");
    if (vulkan.is_null() || vulkan.value("detail", "") != "probing Vulkan devices" ||
        std::chrono::steady_clock::now() > deadline) {
      return *status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace hfd::testing
