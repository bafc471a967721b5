// Encoding of MessagePack-RPC messages. Every function returns one complete message,
// ready to be written to the socket as is (the protocol has no extra framing).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hfd/status.h"

namespace hfd::proto {

// [0, msgid, method, [params]]; `params` must be a JSON object (named arguments).
std::string EncodeRequest(std::uint32_t msgid, std::string_view method,
                          const nlohmann::json& params);

// [1, msgid, error, result]: error is nil when `error` is OK, else {code, name, message};
// result is nil on error.
std::string EncodeResponse(std::uint32_t msgid, const Status& error, const nlohmann::json& result);

// [2, method, [params]].
std::string EncodeNotification(std::string_view method, const nlohmann::json& params);

// The error map a response carries: {code, name, message}.
nlohmann::json ErrorToJson(const Status& error);

// The Status an error map stands for; a map that does not follow the protocol (a
// foreign server) becomes an Internal error that says so.
Status ErrorFromJson(const nlohmann::json& error);

}  // namespace hfd::proto
