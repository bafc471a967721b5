// Conversion between msgpack objects and nlohmann::json, so handlers work with named,
// typed JSON values and never touch msgpack directly.
#pragma once

#include <msgpack.hpp>
#include <nlohmann/json.hpp>

#include "hfd/status.h"

namespace hfd::proto {

// Converts a decoded object. Map keys must be strings; ext objects are refused; bin
// becomes a JSON binary value. `max_depth` guards the recursion.
Result<nlohmann::json> ObjectToJson(const msgpack::object& object, std::size_t max_depth);

// Appends `value` to a packer (JSON binary values become msgpack bin).
void PackJson(msgpack::packer<msgpack::sbuffer>& packer, const nlohmann::json& value);

// Serialises to JSON text, replacing invalid UTF-8 with U+FFFD instead of throwing:
// strings that arrive over the socket, and decoded token text, need not be valid UTF-8.
std::string DumpJson(const nlohmann::json& value, int indent = -1);

}  // namespace hfd::proto
