// libFuzzer target: arbitrary bytes as a safetensors file header.
#include <cstdint>

#include "engine/safetensors/safetensors_header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)hfd::safetensors::ParseHeader(data, size);
  return 0;
}
