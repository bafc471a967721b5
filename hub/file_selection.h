// Which files of a repo a pull downloads.
#pragma once

#include <string>
#include <vector>

#include "hfd/status.h"
#include "hub/gguf_files.h"

namespace hfd::hub {

struct SelectionRequest {
  std::string repo_id;               // for messages
  std::string quant;                 // GGUF quant selector, may be empty
  std::vector<std::string> include;  // globs (fnmatch, '*' crosses '/'); override the default
  std::vector<std::string> exclude;  // globs removed from whatever was selected
};

struct Selection {
  std::vector<std::string> files;  // sorted
  std::string quant;               // of the GGUF model selected; "" for safetensors or --include
  bool quant_picked = false;       // the repo holds several GGUF models; DefaultGguf chose it
};

// Picks files from a repo's listing:
//  - include globs: the matching files;
//  - a quant selector: the one .gguf (or split set -0000k-of-0000N) whose name carries that
//    quant, case-insensitive; none or several give an error listing the available quants;
//  - a safetensors model: config.json, generation_config.json, tokenizer files and the
//    weights (model.safetensors, or the index and its -of- shards);
//  - otherwise the repo's GGUF model, or of several the one DefaultGguf picks.
// Excludes apply last.
Result<Selection> SelectFiles(const std::vector<ListedFile>& listing,
                              const SelectionRequest& request);

}  // namespace hfd::hub
