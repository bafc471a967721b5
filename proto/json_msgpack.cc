#include "proto/json_msgpack.h"

#include <string>

namespace hfd::proto {
namespace {

using nlohmann::json;

Result<json> Convert(const msgpack::object& o, std::size_t depth_left) {
  if (depth_left == 0) return TooLarge("message nests arrays and maps too deeply");
  switch (o.type) {
    case msgpack::type::NIL:
      return json(nullptr);
    case msgpack::type::BOOLEAN:
      return json(o.via.boolean);
    case msgpack::type::POSITIVE_INTEGER:
      return json(o.via.u64);
    case msgpack::type::NEGATIVE_INTEGER:
      return json(o.via.i64);
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
      return json(o.via.f64);
    case msgpack::type::STR:
      return json(std::string(o.via.str.ptr, o.via.str.size));
    case msgpack::type::BIN: {
      const auto* begin = reinterpret_cast<const std::uint8_t*>(o.via.bin.ptr);
      return json::binary(json::binary_t::container_type(begin, begin + o.via.bin.size));
    }
    case msgpack::type::ARRAY: {
      json out = json::array();
      for (std::uint32_t i = 0; i < o.via.array.size; ++i) {
        HFD_ASSIGN_OR_RETURN(json item, Convert(o.via.array.ptr[i], depth_left - 1));
        out.push_back(std::move(item));
      }
      return out;
    }
    case msgpack::type::MAP: {
      json out = json::object();
      for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
        const msgpack::object_kv& kv = o.via.map.ptr[i];
        if (kv.key.type != msgpack::type::STR) {
          return InvalidArgument("map keys must be strings");
        }
        HFD_ASSIGN_OR_RETURN(json value, Convert(kv.val, depth_left - 1));
        out[std::string(kv.key.via.str.ptr, kv.key.via.str.size)] = std::move(value);
      }
      return out;
    }
    case msgpack::type::EXT:
      return InvalidArgument("msgpack ext types are not used by this protocol");
  }
  return InvalidArgument("unknown msgpack object type");
}

}  // namespace

Result<nlohmann::json> ObjectToJson(const msgpack::object& object, std::size_t max_depth) {
  return Convert(object, max_depth + 1);
}

void PackJson(msgpack::packer<msgpack::sbuffer>& packer, const nlohmann::json& value) {
  switch (value.type()) {
    case json::value_t::null:
    case json::value_t::discarded:
      packer.pack_nil();
      return;
    case json::value_t::boolean:
      packer.pack(value.get<bool>());
      return;
    case json::value_t::number_unsigned:
      packer.pack(value.get<std::uint64_t>());
      return;
    case json::value_t::number_integer:
      packer.pack(value.get<std::int64_t>());
      return;
    case json::value_t::number_float:
      packer.pack(value.get<double>());
      return;
    case json::value_t::string: {
      const auto& s = value.get_ref<const std::string&>();
      packer.pack_str(static_cast<std::uint32_t>(s.size()));
      packer.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
      return;
    }
    case json::value_t::binary: {
      const auto& b = value.get_binary();
      packer.pack_bin(static_cast<std::uint32_t>(b.size()));
      packer.pack_bin_body(reinterpret_cast<const char*>(b.data()),
                           static_cast<std::uint32_t>(b.size()));
      return;
    }
    case json::value_t::array:
      packer.pack_array(static_cast<std::uint32_t>(value.size()));
      for (const auto& item : value) PackJson(packer, item);
      return;
    case json::value_t::object:
      packer.pack_map(static_cast<std::uint32_t>(value.size()));
      for (const auto& [key, item] : value.items()) {
        packer.pack_str(static_cast<std::uint32_t>(key.size()));
        packer.pack_str_body(key.data(), static_cast<std::uint32_t>(key.size()));
        PackJson(packer, item);
      }
      return;
  }
}

std::string DumpJson(const nlohmann::json& value, int indent) {
  return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace hfd::proto
