#include "hub/gguf_files.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <set>

namespace hfd::hub {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

// The name without a split suffix and without ".gguf": where the quant tag sits.
std::string TagPart(const std::string& path) {
  std::string name = path;
  const SplitName split = ParseSplitName(name);
  if (split.index > 0) name = split.stem;
  if (Lower(name).ends_with(".gguf")) name.resize(name.size() - 5);
  return name;
}

}  // namespace

SplitName ParseSplitName(const std::string& path) {
  static const std::regex kSplit(R"((.*)-(\d{5})-of-(\d{5})\.gguf)", std::regex::icase);
  std::smatch m;
  if (!std::regex_match(path, m, kSplit)) return {};
  return {m[1].str(), std::stoi(m[2].str()), std::stoi(m[3].str())};
}

bool IsGgufName(const std::string& path) { return Lower(path).ends_with(".gguf"); }

std::string QuantOfGgufName(const std::string& path) {
  static const std::regex kQuant(R"((?:^|[-._/])((?:I?Q\d(?:_[A-Z0-9]+)*)|BF16|F16|F32)$)",
                                 std::regex::icase);
  const std::string name = TagPart(path);
  std::smatch m;
  if (!std::regex_search(name, m, kQuant)) return "";
  return Upper(m[1].str());
}

bool GgufNameHasQuant(const std::string& path, const std::string& quant) {
  const std::string name = Lower(TagPart(path));
  const std::string q = Lower(quant);
  if (q.empty()) return false;
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

Result<std::vector<GgufModel>> GgufModels(const std::vector<ListedFile>& listing,
                                          bool skip_incomplete) {
  std::map<std::string, GgufModel> groups;  // split parts share their stem
  for (const ListedFile& f : listing) {
    if (!IsGgufName(f.path)) continue;
    const SplitName split = ParseSplitName(f.path);
    GgufModel& model = groups[split.index > 0 ? split.stem : f.path];
    model.files.push_back(f.path);
    model.bytes += f.size;
  }
  std::vector<GgufModel> models;
  for (auto& [key, model] : groups) {
    std::sort(model.files.begin(), model.files.end());
    const SplitName first = ParseSplitName(model.files.front());
    if (first.index > 0 && static_cast<int>(model.files.size()) != first.count) {
      if (skip_incomplete) continue;
      return NotFound("split GGUF '" + key + "' lists " + std::to_string(model.files.size()) +
                      " of its " + std::to_string(first.count) + " parts; the repo is incomplete");
    }
    model.quant = QuantOfGgufName(model.files.front());
    models.push_back(std::move(model));
  }
  return models;
}

int QuantBits(const std::string& quant) {
  static const std::regex kQuantized(R"([IT]?Q(\d+)(?:_.*)?)", std::regex::icase);
  const std::string q = Upper(quant);
  if (q == "F32") return 32;
  if (q == "F16" || q == "BF16") return 16;
  std::smatch m;
  if (std::regex_match(q, m, kQuantized)) return std::stoi(m[1].str());
  return 0;
}

const GgufModel* DefaultGguf(const std::vector<GgufModel>& models) {
  const auto smallest = [&](auto&& eligible) -> const GgufModel* {
    const GgufModel* best = nullptr;
    for (const GgufModel& m : models) {
      if (eligible(m) && (best == nullptr || m.bytes < best->bytes)) best = &m;
    }
    return best;
  };
  for (const GgufModel& m : models) {
    if (m.quant == "Q4_K_M") return &m;
  }
  if (const GgufModel* m = smallest([](const GgufModel& g) { return QuantBits(g.quant) >= 4; })) {
    return m;
  }
  return smallest([](const GgufModel&) { return true; });
}

std::string QuantList(const std::vector<GgufModel>& models) {
  std::set<std::string> names;
  for (const GgufModel& m : models) names.insert(m.quant.empty() ? m.files.front() : m.quant);
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "(none)" : out;
}

}  // namespace hfd::hub
