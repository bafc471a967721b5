// libFuzzer target: arbitrary bytes through the GGUF parser, every metadata getter, the
// model description, and a dequantized first row of each tensor.
#include <cstdint>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "engine/model/desc_from_gguf.h"
#include "engine/quant/dequantize.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto file = hfd::gguf::GgufFile::Parse(data, size);
  if (!file.ok()) return 0;
  const hfd::gguf::GgufFile& f = **file;
  for (const hfd::gguf::MetadataEntry& e : f.metadata()) {
    (void)f.GetValue(e.key);
    (void)f.GetString(e.key);
    (void)f.GetU32(e.key);
    (void)f.GetF32(e.key);
    (void)f.GetBool(e.key);
    (void)f.GetStringArray(e.key);
    (void)f.GetF32Array(e.key);
    (void)f.GetI32Array(e.key);
  }
  (void)hfd::model::DescFromGguf(f);
  std::vector<float> row;
  for (const hfd::gguf::TensorInfo& t : f.tensors()) {
    if (t.shape[0] > (1 << 16) || t.nbytes == 0) continue;
    row.resize(static_cast<size_t>(t.shape[0]));
    (void)hfd::DequantizeRow(t.type, t.data, row.data(), t.shape[0]);
  }
  return 0;
}
