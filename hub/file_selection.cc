#include "hub/file_selection.h"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <set>

namespace hfd::hub {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool IsGguf(const std::string& path) { return EndsWith(Lower(path), ".gguf"); }

bool MatchesAny(const std::string& path, const std::vector<std::string>& globs) {
  return std::any_of(globs.begin(), globs.end(), [&](const std::string& g) {
    return fnmatch(g.c_str(), path.c_str(), 0) == 0;
  });
}

bool AtRoot(const std::string& path) { return path.find('/') == std::string::npos; }

// Files that describe the model and its tokenizer, taken alongside safetensors weights.
bool IsModelMetadata(const std::string& path) {
  static const std::set<std::string> kNames = {
      "config.json",        "generation_config.json",
      "tokenizer.json",     "tokenizer_config.json",
      "tokenizer.model",    "special_tokens_map.json",
      "vocab.json",         "merges.txt",
      "added_tokens.json",  "chat_template.jinja",
      "chat_template.json", "model.safetensors.index.json"};
  return AtRoot(path) && kNames.count(path) > 0;
}

std::vector<std::string> SafetensorsWeights(const std::vector<std::string>& listing) {
  static const std::regex kShard(R"(.*-\d{5}-of-\d{5}\.safetensors)");
  const bool indexed =
      std::count(listing.begin(), listing.end(), "model.safetensors.index.json") > 0;
  std::vector<std::string> weights;
  for (const std::string& path : listing) {
    if (!AtRoot(path) || !EndsWith(path, ".safetensors")) continue;
    if (indexed ? std::regex_match(path, kShard) : path == "model.safetensors")
      weights.push_back(path);
  }
  if (weights.empty() && !indexed) {  // an unusual single-file name
    for (const std::string& path : listing) {
      if (AtRoot(path) && EndsWith(path, ".safetensors")) weights.push_back(path);
    }
  }
  return weights;
}

// The key of the GGUF "model" a file belongs to: split parts share their stem.
std::string GgufGroupKey(const std::string& path) {
  const SplitName split = ParseSplitName(path);
  return split.index > 0 ? split.stem : path;
}

// Groups GGUF files into models (a single file or a complete split set).
Result<std::map<std::string, std::vector<std::string>>> GroupGguf(
    const std::vector<std::string>& ggufs) {
  std::map<std::string, std::vector<std::string>> groups;
  for (const std::string& path : ggufs) groups[GgufGroupKey(path)].push_back(path);
  for (auto& [key, files] : groups) {
    std::sort(files.begin(), files.end());
    const SplitName first = ParseSplitName(files.front());
    if (first.index > 0 && static_cast<int>(files.size()) != first.count) {
      return NotFound("split GGUF '" + key + "' lists " + std::to_string(files.size()) +
                      " of its " + std::to_string(first.count) + " parts; the repo is incomplete");
    }
  }
  return groups;
}

std::string AvailableQuants(const std::vector<std::string>& ggufs) {
  std::set<std::string> quants;
  for (const std::string& path : ggufs) {
    const std::string q = QuantOfGgufName(path);
    quants.insert(q.empty() ? path : q);
  }
  std::string out;
  for (const std::string& q : quants) out += (out.empty() ? "" : ", ") + q;
  return out.empty() ? "(none)" : out;
}

// True when the file name carries `quant` as a whole token (case-insensitive).
bool NameHasQuant(const std::string& path, const std::string& quant) {
  std::string name = Lower(path);
  const SplitName split = ParseSplitName(name);
  if (split.index > 0) name = split.stem;
  if (EndsWith(name, ".gguf")) name.resize(name.size() - 5);
  const std::string q = Lower(quant);
  for (size_t pos = name.find(q); pos != std::string::npos; pos = name.find(q, pos + 1)) {
    const bool start_ok = pos == 0 || std::string("-._/").find(name[pos - 1]) != std::string::npos;
    const size_t end = pos + q.size();
    // '_' is not a right boundary: Q4_K must not match Q4_K_M.
    const bool end_ok =
        end == name.size() || std::string("-./").find(name[end]) != std::string::npos;
    if (start_ok && end_ok) return true;
  }
  return false;
}

Result<std::vector<std::string>> SelectGguf(const std::vector<std::string>& listing,
                                            const SelectionRequest& request) {
  std::vector<std::string> ggufs;
  std::copy_if(listing.begin(), listing.end(), std::back_inserter(ggufs), IsGguf);
  if (ggufs.empty()) {
    return NotFound("'" + request.repo_id + "' has no .gguf files; drop the ':" + request.quant +
                    "' selector to pull its safetensors weights");
  }
  std::vector<std::string> matching;
  std::copy_if(ggufs.begin(), ggufs.end(), std::back_inserter(matching),
               [&](const std::string& p) { return NameHasQuant(p, request.quant); });
  HFD_ASSIGN_OR_RETURN(auto groups, GroupGguf(matching));
  if (groups.size() != 1) {
    return NotFound(std::string(groups.empty() ? "no" : "more than one") + " GGUF file in '" +
                    request.repo_id + "' matches quant '" + request.quant +
                    "'; available quants: " + AvailableQuants(ggufs) +
                    (groups.empty() ? "" : "; use --include to pick the file"));
  }
  return groups.begin()->second;
}

Result<std::vector<std::string>> SelectDefault(const std::vector<std::string>& listing,
                                               const SelectionRequest& request) {
  std::vector<std::string> weights = SafetensorsWeights(listing);
  if (!weights.empty()) {
    std::copy_if(listing.begin(), listing.end(), std::back_inserter(weights), IsModelMetadata);
    return weights;
  }
  std::vector<std::string> ggufs;
  std::copy_if(listing.begin(), listing.end(), std::back_inserter(ggufs), IsGguf);
  HFD_ASSIGN_OR_RETURN(auto groups, GroupGguf(ggufs));
  if (groups.size() == 1) return groups.begin()->second;
  if (groups.size() > 1) {
    return InvalidArgument("'" + request.repo_id + "' holds several GGUF models; choose one with " +
                           request.repo_id + ":QUANT, available quants: " + AvailableQuants(ggufs));
  }
  return NotFound("'" + request.repo_id +
                  "' has no safetensors or GGUF weights; use --include to choose files");
}

}  // namespace

SplitName ParseSplitName(const std::string& path) {
  static const std::regex kSplit(R"((.*)-(\d{5})-of-(\d{5})\.gguf)", std::regex::icase);
  std::smatch m;
  if (!std::regex_match(path, m, kSplit)) return {};
  return {m[1].str(), std::stoi(m[2].str()), std::stoi(m[3].str())};
}

std::string QuantOfGgufName(const std::string& path) {
  static const std::regex kQuant(R"((?:^|[-._/])((?:I?Q\d(?:_[A-Z0-9]+)*)|BF16|F16|F32)$)",
                                 std::regex::icase);
  std::string name = path;
  const SplitName split = ParseSplitName(name);
  if (split.index > 0) name = split.stem;
  if (EndsWith(Lower(name), ".gguf")) name.resize(name.size() - 5);
  std::smatch m;
  if (!std::regex_search(name, m, kQuant)) return "";
  std::string q = m[1].str();
  std::transform(q.begin(), q.end(), q.begin(), [](unsigned char c) { return std::toupper(c); });
  return q;
}

Result<std::vector<std::string>> SelectFiles(const std::vector<std::string>& listing,
                                             const SelectionRequest& request) {
  std::vector<std::string> selected;
  if (!request.include.empty()) {
    std::copy_if(listing.begin(), listing.end(), std::back_inserter(selected),
                 [&](const std::string& p) { return MatchesAny(p, request.include); });
  } else if (!request.quant.empty()) {
    HFD_ASSIGN_OR_RETURN(selected, SelectGguf(listing, request));
  } else {
    HFD_ASSIGN_OR_RETURN(selected, SelectDefault(listing, request));
  }
  std::erase_if(selected, [&](const std::string& p) { return MatchesAny(p, request.exclude); });
  std::sort(selected.begin(), selected.end());
  selected.erase(std::unique(selected.begin(), selected.end()), selected.end());
  if (selected.empty()) {
    return NotFound("no file of '" + request.repo_id +
                    "' is left to pull after the --include/"
                    "--exclude patterns");
  }
  return selected;
}

}  // namespace hfd::hub
