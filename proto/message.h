// One MessagePack-RPC message, after validation, with its named arguments as JSON.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "hfd/status.h"

namespace hfd::proto {

// The protocol version `status` reports; bumped on incompatible changes only.
inline constexpr int kProtocolVersion = 1;

// Name of the notification the daemon sends when a message could not be answered with
// a response (no msgid could be read from it, or the stream cannot be resynchronised).
inline constexpr const char* kProtocolErrorNotification = "protocol_error";

enum class MessageType : int { kRequest = 0, kResponse = 1, kNotification = 2 };

struct Message {
  MessageType type = MessageType::kRequest;
  std::uint32_t msgid = 0;                           // requests and responses
  std::string method;                                // requests and notifications
  nlohmann::json params = nlohmann::json::object();  // requests and notifications: a map
  Status error;                                      // responses: OK when the call succeeded
  nlohmann::json result;                             // responses
};

}  // namespace hfd::proto
