// The caller's Hugging Face token file, as `hfctl login` and `logout` keep it: where
// huggingface_hub keeps it (hub::TokenFilePath), written whole and private.
#pragma once

#include <filesystem>
#include <string>

#include "hfd/status.h"

namespace hfd::ctl {

// The token file of this process's environment; an error when HF_HOME and HOME are unset.
Result<std::filesystem::path> CallerTokenFile();

// Replaces `path` with `token` (no newline, as huggingface_hub writes it) through a new
// file of mode 0600 and rename(2), creating its folder; nothing is left on failure.
Status WriteTokenFile(const std::filesystem::path& path, const std::string& token);

// A note for the user when HF_TOKEN is set, which hfctl sends instead of the file; "" when
// it is not.
std::string HfTokenNote();

}  // namespace hfd::ctl
