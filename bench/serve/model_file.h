// The model file the serving benchmark runs: a synthetic model of a real shape that also
// carries a real tokenizer (copied from another GGUF file), so the daemon can take text
// prompts; and the page-cache state of a file, for warm and cold load times.
#pragma once

#include <filesystem>
#include <string>

#include "bench/synthetic_model.h"
#include "engine/model/model_desc.h"
#include "hfd/status.h"

namespace hfd::bench {

// Writes `path` (unless it exists) with `desc`'s tensors in `mix` and every `tokenizer.*`
// key of `tokenizer_gguf`, whose vocabulary must have desc.n_vocab entries; its bos and
// eos ids replace desc's. A tokenizer without a chat template gets a Zephyr-style one
// (TinyLlama-Chat's format), so the model can serve chat requests.
Status EnsureServableModel(model::ModelDesc desc, const std::string& mix,
                           const std::filesystem::path& tokenizer_gguf,
                           const std::filesystem::path& path);

// Fraction of the file's pages in the page cache (mincore), 0..1.
Result<double> ResidentFraction(const std::filesystem::path& path);

// Asks the kernel to drop the file's clean pages (posix_fadvise DONTNEED). Pages some
// process still maps stay; check with ResidentFraction.
Status DropFromPageCache(const std::filesystem::path& path);

}  // namespace hfd::bench
