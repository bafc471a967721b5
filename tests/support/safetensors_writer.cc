#include "tests/support/safetensors_writer.h"

#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

namespace hfd::testing {

void WriteSafetensors(const std::filesystem::path& file,
                      const std::map<std::string, RawTensor>& tensors) {
  nlohmann::json header = nlohmann::json::object();
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    const uint64_t bytes = t.bytes.size();
    header[name] = {
        {"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  std::ofstream out(file, std::ios::binary);
  const uint64_t len = text.size();
  out.write(reinterpret_cast<const char*>(&len), 8);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  for (const auto& [name, t] : tensors) {
    out.write(reinterpret_cast<const char*>(t.bytes.data()),
              static_cast<std::streamsize>(t.bytes.size()));
  }
}

void WriteF32Safetensors(const std::filesystem::path& file,
                         const std::map<std::string, F32Tensor>& tensors) {
  std::map<std::string, RawTensor> raw;
  for (const auto& [name, t] : tensors) {
    RawTensor& r = raw[name];
    r.dtype = "F32";
    r.shape = t.shape;
    r.bytes.resize(t.data.size() * sizeof(float));
    std::memcpy(r.bytes.data(), t.data.data(), r.bytes.size());
  }
  WriteSafetensors(file, raw);
}

}  // namespace hfd::testing
