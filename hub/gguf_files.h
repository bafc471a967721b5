// GGUF file names in a repo: the quant tag a name carries, split sets
// (`x-00001-of-0000N.gguf`), the GGUF models the files make up, and which one a repo
// holding several serves when no quant is asked for. Pulls, the cache listing, `rm` and
// the serving core all choose through these, so `org/name` means the same file everywhere.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hfd/status.h"

namespace hfd::hub {

// A file of a listing (the Hub's tree or a cached snapshot) with its size.
struct ListedFile {
  std::string path;
  uint64_t size = 0;
};

// For "x-00002-of-00003.gguf": {"x", 2, 3}. index 0 when the name is not a split part.
struct SplitName {
  std::string stem;
  int index = 0;
  int count = 0;
};
SplitName ParseSplitName(const std::string& path);

// True for a name ending in .gguf (any case).
bool IsGgufName(const std::string& path);

// The quant tag in a GGUF file name ("Q4_K_M" for "model.Q4_K_M.gguf"), upper case; ""
// when none.
std::string QuantOfGgufName(const std::string& path);

// True when the file name carries `quant` as a whole token, case-insensitive: `Q4_K` does
// not match `Q4_K_M`. A split part is judged by its stem.
bool GgufNameHasQuant(const std::string& path, const std::string& quant);

// One GGUF model: a single file or a complete split set.
struct GgufModel {
  std::string quant;               // QuantOfGgufName of its files; "" when they carry none
  std::vector<std::string> files;  // sorted: a split set's first part first
  uint64_t bytes = 0;              // all its files
};

// The GGUF models among `listing`, sorted by first file. A split set missing parts is
// NotFound naming it, or left out with `skip_incomplete` (a cache being filled).
Result<std::vector<GgufModel>> GgufModels(const std::vector<ListedFile>& listing,
                                          bool skip_incomplete);

// Nominal bits per weight of a quant type: 8 for Q8_0, 4 for Q4_K_M and IQ4_XS, 16 for F16
// and BF16, 32 for F32; 0 when unknown.
int QuantBits(const std::string& quant);

// The one rule for the model `org/name` serves when its repo holds several: Q4_K_M if
// present, else the smallest whose type has at least 4 bits per weight, else the smallest.
// Null when `models` is empty.
const GgufModel* DefaultGguf(const std::vector<GgufModel>& models);

// The rule above in words, for messages.
inline constexpr const char* kDefaultQuantRule =
    "Q4_K_M if present, else the smallest file of at least 4 bits per weight, else the "
    "smallest file";

// "Q4_K_M, Q8_0": the quants of `models` (a file name for a model without one), sorted.
std::string QuantList(const std::vector<GgufModel>& models);

}  // namespace hfd::hub
