// Validation of a decoded msgpack object against the MessagePack-RPC shapes.
#pragma once

#include <cstdint>
#include <optional>

#include <msgpack.hpp>

#include "hfd/status.h"
#include "proto/limits.h"
#include "proto/message.h"

namespace hfd::proto {

// Longest method name accepted.
inline constexpr std::size_t kMaxMethodNameBytes = 128;

// Checks the shape ([0,msgid,method,params], [1,msgid,error,result], [2,method,params]),
// the types of each field, and that params is an empty array or an array holding one
// map; converts params/result/error to JSON. Errors are InvalidArgument or TooLarge.
Result<Message> ParseMessage(const msgpack::object& object, const Limits& limits);

// The msgid of something that looks like a request or response, so that an invalid
// message can still be answered with an error response; nullopt when there is none.
std::optional<std::uint32_t> PeekMsgid(const msgpack::object& object);

}  // namespace hfd::proto
