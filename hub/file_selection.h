// Which files of a repo a pull downloads.
#pragma once

#include <string>
#include <vector>

#include "hfd/status.h"

namespace hfd::hub {

struct SelectionRequest {
  std::string repo_id;               // for messages
  std::string quant;                 // GGUF quant selector, may be empty
  std::vector<std::string> include;  // globs (fnmatch, '*' crosses '/'); override the default
  std::vector<std::string> exclude;  // globs removed from whatever was selected
};

// Picks files from a repo's listing:
//  - include globs: the matching files;
//  - a quant selector: the one .gguf (or split set -0000k-of-0000N) whose name carries that
//    quant, case-insensitive; none or several give an error listing the available quants;
//  - a safetensors model: config.json, generation_config.json, tokenizer files and the
//    weights (model.safetensors, or the index and its -of- shards);
//  - otherwise a repo with exactly one GGUF model (or split set).
// Excludes apply last. The result is sorted.
Result<std::vector<std::string>> SelectFiles(const std::vector<std::string>& listing,
                                             const SelectionRequest& request);

// The quant tag in a GGUF file name ("Q4_K_M" for "model.Q4_K_M.gguf"), "" when none.
std::string QuantOfGgufName(const std::string& path);

// For "x-00002-of-00003.gguf": {"x", 2, 3}. index 0 when the name is not a split part.
struct SplitName {
  std::string stem;
  int index = 0;
  int count = 0;
};
SplitName ParseSplitName(const std::string& path);

}  // namespace hfd::hub
