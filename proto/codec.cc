#include "proto/codec.h"

#include <msgpack.hpp>

#include "proto/json_msgpack.h"
#include "proto/message.h"

namespace hfd::proto {
namespace {

using Packer = msgpack::packer<msgpack::sbuffer>;

void PackString(Packer& packer, std::string_view s) {
  packer.pack_str(static_cast<std::uint32_t>(s.size()));
  packer.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
}

void PackParams(Packer& packer, const nlohmann::json& params) {
  packer.pack_array(1);
  PackJson(packer, params.is_null() ? nlohmann::json::object() : params);
}

std::string Take(const msgpack::sbuffer& buffer) {
  return std::string(buffer.data(), buffer.size());
}

}  // namespace

std::string EncodeRequest(std::uint32_t msgid, std::string_view method,
                          const nlohmann::json& params) {
  msgpack::sbuffer buffer;
  Packer packer(buffer);
  packer.pack_array(4);
  packer.pack(static_cast<int>(MessageType::kRequest));
  packer.pack(msgid);
  PackString(packer, method);
  PackParams(packer, params);
  return Take(buffer);
}

std::string EncodeResponse(std::uint32_t msgid, const Status& error, const nlohmann::json& result) {
  msgpack::sbuffer buffer;
  Packer packer(buffer);
  packer.pack_array(4);
  packer.pack(static_cast<int>(MessageType::kResponse));
  packer.pack(msgid);
  if (error.ok()) {
    packer.pack_nil();
    PackJson(packer, result);
  } else {
    PackJson(packer, ErrorToJson(error));
    packer.pack_nil();
  }
  return Take(buffer);
}

std::string EncodeNotification(std::string_view method, const nlohmann::json& params) {
  msgpack::sbuffer buffer;
  Packer packer(buffer);
  packer.pack_array(3);
  packer.pack(static_cast<int>(MessageType::kNotification));
  PackString(packer, method);
  PackParams(packer, params);
  return Take(buffer);
}

nlohmann::json ErrorToJson(const Status& error) {
  return {{"code", static_cast<int>(error.code())},
          {"name", std::string(ErrorCodeName(error.code()))},
          {"message", error.message()}};
}

Status ErrorFromJson(const nlohmann::json& error) {
  if (!error.is_object() || !error.contains("code") || !error["code"].is_number_integer()) {
    return Internal("the server sent an error that is not a {code, message} map: " +
                    DumpJson(error));
  }
  const int code = error["code"].get<int>();
  std::string message = error.contains("message") && error["message"].is_string()
                            ? error["message"].get<std::string>()
                            : std::string("(no message)");
  if (code <= 0 || code > static_cast<int>(ErrorCode::kDeadlineExceeded)) {
    return Internal("the server sent unknown error code " + std::to_string(code) + ": " + message);
  }
  return Status(static_cast<ErrorCode>(code), std::move(message));
}

}  // namespace hfd::proto
