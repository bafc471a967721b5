// Copies of GGUF fixtures with metadata added, for variants of a model that llama.cpp
// can also read (RoPE scaling keys, ...), written at test time instead of committed.
#pragma once

#include <filesystem>
#include <functional>

#include "engine/gguf/gguf_writer.h"
#include "hfd/status.h"

namespace hfd::testing {

// Writes `in`'s metadata and tensors to `out`, then the keys `add` puts in the writer
// (which must not repeat a key of `in`).
Status CopyGgufAddingMetadata(const std::filesystem::path& in, const std::filesystem::path& out,
                              const std::function<void(gguf::GgufWriter&)>& add);

// The files tests/cpu/testdata/rope_scaling/llama.cpp.txt was recorded on, written to
// `dir`: fixtures/arch/tiny-gemma2-F32.gguf with linear scaling (factor 4) as
// tiny-gemma2-linear-F32.gguf and YaRN (factor 4, original context 16) as
// tiny-gemma2-yarn-F32.gguf.
Status WriteRopeScaledGemma2(const std::filesystem::path& fixtures,
                             const std::filesystem::path& dir);

}  // namespace hfd::testing
