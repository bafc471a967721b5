// Whole-file reads of a model's small text files (JSON configs, tokenizer.json, templates),
// each bounded by a cap for its kind so that no file can grow the daemon's memory at will.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/io/model_file_set.h"
#include "hfd/status.h"

namespace hfd::io {

// Caps per kind of file. Real ones are far smaller: configs and templates are kilobytes;
// the largest tokenizer.json files (Gemma's) are about 35 MiB; a safetensors index of the
// largest checkpoints is about 10 MiB.
inline constexpr uint64_t kConfigMaxBytes = uint64_t{16} << 20;  // *config.json, templates
inline constexpr uint64_t kTokenizerJsonMaxBytes = uint64_t{64} << 20;
inline constexpr uint64_t kWeightIndexMaxBytes = uint64_t{64} << 20;

// The content of `name`. A file holding more than `max_bytes` is refused as TooLarge naming
// the file and the cap; at most max_bytes + 1 bytes are ever read, whatever size the file
// claims (a /proc file claims 0). Reads with pread: a passed file's offset is left alone.
Result<std::string> ReadSmallFile(const ModelFileSet& files, std::string_view name,
                                  uint64_t max_bytes);

}  // namespace hfd::io
