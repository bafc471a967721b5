#include "proto/validate.h"

#include <string>

#include "proto/codec.h"
#include "proto/json_msgpack.h"

namespace hfd::proto {
namespace {

bool IsUint32(const msgpack::object& o) {
  return o.type == msgpack::type::POSITIVE_INTEGER && o.via.u64 <= UINT32_MAX;
}

Result<std::string> ParseMethod(const msgpack::object& o) {
  if (o.type != msgpack::type::STR) return InvalidArgument("method must be a string");
  if (o.via.str.size == 0) return InvalidArgument("method must not be empty");
  if (o.via.str.size > kMaxMethodNameBytes) {
    return InvalidArgument("method name is longer than " + std::to_string(kMaxMethodNameBytes) +
                           " bytes");
  }
  return std::string(o.via.str.ptr, o.via.str.size);
}

// params: [] (no arguments) or [ {name: value, ...} ].
Result<nlohmann::json> ParseParams(const msgpack::object& o, const Limits& limits) {
  if (o.type != msgpack::type::ARRAY) {
    return InvalidArgument("params must be an array holding one map of named arguments");
  }
  if (o.via.array.size == 0) return nlohmann::json::object();
  const msgpack::object& map = o.via.array.ptr[0];
  if (o.via.array.size != 1 || (map.type != msgpack::type::MAP && map.type != msgpack::type::NIL)) {
    return InvalidArgument("params must be an array holding one map of named arguments");
  }
  if (map.type == msgpack::type::NIL) return nlohmann::json::object();
  return ObjectToJson(map, limits.max_depth);
}

Result<Message> ParseRequest(const msgpack::object_array& a, const Limits& limits) {
  if (a.size != 4) return InvalidArgument("a request is [0, msgid, method, params]");
  if (!IsUint32(a.ptr[1])) return InvalidArgument("msgid must be an unsigned 32-bit integer");
  Message m;
  m.type = MessageType::kRequest;
  m.msgid = static_cast<std::uint32_t>(a.ptr[1].via.u64);
  HFD_ASSIGN_OR_RETURN(m.method, ParseMethod(a.ptr[2]));
  HFD_ASSIGN_OR_RETURN(m.params, ParseParams(a.ptr[3], limits));
  return m;
}

Result<Message> ParseResponse(const msgpack::object_array& a, const Limits& limits) {
  if (a.size != 4) return InvalidArgument("a response is [1, msgid, error, result]");
  if (!IsUint32(a.ptr[1])) return InvalidArgument("msgid must be an unsigned 32-bit integer");
  Message m;
  m.type = MessageType::kResponse;
  m.msgid = static_cast<std::uint32_t>(a.ptr[1].via.u64);
  if (a.ptr[2].type != msgpack::type::NIL) {
    HFD_ASSIGN_OR_RETURN(nlohmann::json error, ObjectToJson(a.ptr[2], limits.max_depth));
    m.error = ErrorFromJson(error);
  }
  HFD_ASSIGN_OR_RETURN(m.result, ObjectToJson(a.ptr[3], limits.max_depth));
  return m;
}

Result<Message> ParseNotification(const msgpack::object_array& a, const Limits& limits) {
  if (a.size != 3) return InvalidArgument("a notification is [2, method, params]");
  Message m;
  m.type = MessageType::kNotification;
  HFD_ASSIGN_OR_RETURN(m.method, ParseMethod(a.ptr[1]));
  HFD_ASSIGN_OR_RETURN(m.params, ParseParams(a.ptr[2], limits));
  return m;
}

}  // namespace

Result<Message> ParseMessage(const msgpack::object& object, const Limits& limits) {
  if (object.type != msgpack::type::ARRAY || object.via.array.size == 0) {
    return InvalidArgument("a message must be a MessagePack-RPC array [type, ...]");
  }
  const msgpack::object_array& a = object.via.array;
  if (a.ptr[0].type != msgpack::type::POSITIVE_INTEGER) {
    return InvalidArgument("message type must be 0 (request), 1 (response) or 2 (notification)");
  }
  switch (a.ptr[0].via.u64) {
    case 0:
      return ParseRequest(a, limits);
    case 1:
      return ParseResponse(a, limits);
    case 2:
      return ParseNotification(a, limits);
    default:
      return InvalidArgument("message type must be 0 (request), 1 (response) or 2 (notification)");
  }
}

std::optional<std::uint32_t> PeekMsgid(const msgpack::object& object) {
  if (object.type != msgpack::type::ARRAY || object.via.array.size != 4) return std::nullopt;
  const msgpack::object_array& a = object.via.array;
  if (a.ptr[0].type != msgpack::type::POSITIVE_INTEGER || a.ptr[0].via.u64 > 1) {
    return std::nullopt;
  }
  if (!IsUint32(a.ptr[1])) return std::nullopt;
  return static_cast<std::uint32_t>(a.ptr[1].via.u64);
}

}  // namespace hfd::proto
