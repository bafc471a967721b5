#include "hub/model_ref.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

#include "hub/gguf_files.h"

namespace hfd::hub {
namespace {

constexpr const char* kUrlForm =
    "https://huggingface.co/org/name, with /tree/REV or /blob/REV/FILE.gguf";

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// One dot-separated-safe name: word characters and dots, no leading dot, no "..".
bool IsSafeName(std::string_view s, size_t max_len) {
  if (s.empty() || s.size() > max_len || s.front() == '.') return false;
  if (s.find("..") != std::string_view::npos) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return IsWordChar(c) || c == '.'; });
}

bool IsDigits(std::string_view s) {
  return !s.empty() && s.size() <= 9 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "%2F" and the like as bytes (a revision in a URL: refs%2Fpr%2F1).
std::string PercentDecoded(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  for (size_t start = 0; start <= path.size();) {
    const size_t slash = std::min(path.find('/', start), path.size());
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

// `text` without the Hub's host (and scheme), when it is a URL or Ollama reference of
// huggingface.co or hf.co; nullopt when it names none.
std::optional<std::string_view> HubUrlPath(std::string_view text) {
  const std::string lower = Lower(text.substr(0, 32));
  size_t at = 0;
  for (const char* scheme : {"https://", "http://"}) {
    if (lower.starts_with(scheme)) at = std::string_view(scheme).size();
  }
  for (const char* host : {"huggingface.co/", "www.huggingface.co/", "hf.co/"}) {
    if (std::string_view(lower).substr(at).starts_with(host)) {
      return text.substr(at + std::string_view(host).size());
    }
  }
  return std::nullopt;
}

// The `org/name[@rev][:QUANT]` a pasted Hub URL names (see ParseModelRef).
Result<std::string> FromHubUrl(std::string_view pasted, std::string_view path) {
  path = path.substr(0, std::min(path.find('?'), path.find('#')));
  const std::vector<std::string_view> parts = SplitPath(path);
  const std::string text(pasted);
  if (!parts.empty() && (parts[0] == "datasets" || parts[0] == "spaces")) {
    return InvalidArgument("'" + text + "' is a Hub " +
                           std::string(parts[0].substr(0, parts[0].size() - 1)) +
                           ", not a model; hfd serves models");
  }
  if (parts.size() < 2)
    return InvalidArgument("'" + text + "' names no model: expected " + kUrlForm);
  const std::string repo = std::string(parts[0]) + "/" + std::string(parts[1]);
  if (parts.size() == 2) return repo;  // Ollama's hf.co/org/name:QUANT keeps its quant
  const std::string_view kind = parts[2];
  if ((kind != "tree" && kind != "blob" && kind != "resolve") || parts.size() < 4) {
    return InvalidArgument("'" + text + "' is not a model, revision or file URL: expected " +
                           kUrlForm);
  }
  // A revision is one component, refs/pr/N written as it is or as refs%2Fpr%2FN.
  size_t file_at = 4;
  std::string revision = PercentDecoded(parts[3]);
  if (revision == "refs" && parts.size() >= 6 && parts[4] == "pr") {
    revision = "refs/pr/" + std::string(parts[5]);
    file_at = 6;
  }
  std::string file;
  for (size_t i = file_at; kind != "tree" && i < parts.size(); ++i) {
    file += (file.empty() ? "" : "/") + PercentDecoded(parts[i]);
  }
  std::string out = repo + "@" + revision;
  if (!IsGgufName(file)) return out;  // another file of the model: the model
  const std::string quant = QuantOfGgufName(file);
  if (quant.empty()) {
    return InvalidArgument("'" + file + "' carries no quant tag in its name; name the quant (" +
                           repo + ":QUANT) or pull the file with --include '" + file + "'");
  }
  return out + ":" + quant;
}

Status ValidateQuant(std::string_view quant) {
  if (quant.empty() || quant.size() > 64 ||
      !std::all_of(quant.begin(), quant.end(), [](char c) { return IsWordChar(c) || c == '.'; })) {
    return InvalidArgument("quant selector '" + std::string(quant) +
                           "' is not valid: use a GGUF quant name such as Q4_K_M or Q8_0");
  }
  return Status::Ok();
}

}  // namespace

std::string ModelRef::ToString() const {
  std::string out = repo_id;
  if (revision_given) out += "@" + revision;
  if (!quant.empty()) out += ":" + quant;
  return out;
}

bool IsCommitSha(std::string_view revision) {
  return revision.size() == 40 && std::all_of(revision.begin(), revision.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool IsLocalPath(std::string_view text) {
  return text.starts_with("/") || text.starts_with("./") || text.starts_with("../") ||
         text.starts_with("~/");
}

Status ValidateRepoId(std::string_view repo_id) {
  const size_t slash = repo_id.find('/');
  const bool parts_ok = slash == std::string_view::npos
                            ? IsSafeName(repo_id, 96)
                            : IsSafeName(repo_id.substr(0, slash), 96) &&
                                  IsSafeName(repo_id.substr(slash + 1), 96) &&
                                  repo_id.find('/', slash + 1) == std::string_view::npos;
  const auto bad_start = [](std::string_view part) { return !part.empty() && part.front() == '-'; };
  if (!parts_ok || bad_start(repo_id) ||
      (slash != std::string_view::npos && bad_start(repo_id.substr(slash + 1)))) {
    return InvalidArgument("model id '" + std::string(repo_id) +
                           "' is not valid: expected org/name using letters, digits, '-', '_' "
                           "and '.' (for example Qwen/Qwen2.5-0.5B-Instruct)");
  }
  return Status::Ok();
}

Status ValidateRevision(std::string_view revision) {
  if (revision.starts_with("refs/pr/") && IsDigits(revision.substr(8))) return Status::Ok();
  if (IsSafeName(revision, 128)) return Status::Ok();
  return InvalidArgument("revision '" + std::string(revision) +
                         "' is not allowed: use a branch or tag made of letters, digits, '_', "
                         "'-' and '.' (no '..' and no leading '.'), a commit SHA, or refs/pr/N");
}

Result<ModelRef> ParseModelRef(std::string_view text) {
  if (text.empty()) return InvalidArgument("empty model id: expected org/name[@revision][:QUANT]");
  if (IsLocalPath(text)) {
    return InvalidArgument("'" + std::string(text) + "' is a local path, not a Hub model id");
  }
  if (std::optional<std::string_view> path = HubUrlPath(text)) {
    HFD_ASSIGN_OR_RETURN(const std::string named, FromHubUrl(text, *path));
    return ParseModelRef(named);
  }
  ModelRef ref;
  std::string_view rest = text;
  // The quant selector follows the last ':'; revisions never contain ':'.
  if (const size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    ref.quant = std::string(rest.substr(colon + 1));
    if (Lower(ref.quant) == "latest") {
      ref.quant.clear();  // Ollama's tag for the default
    } else {
      HFD_RETURN_IF_ERROR(ValidateQuant(ref.quant));
    }
    rest = rest.substr(0, colon);
  }
  if (const size_t at = rest.find('@'); at != std::string_view::npos) {
    std::string_view rev = rest.substr(at + 1);
    rest = rest.substr(0, at);
    ref.revision_given = true;
    ref.revision = rev == "latest" ? "main" : std::string(rev);
    HFD_RETURN_IF_ERROR(ValidateRevision(ref.revision));
  }
  HFD_RETURN_IF_ERROR(ValidateRepoId(rest));
  ref.repo_id = std::string(rest);
  return ref;
}

}  // namespace hfd::hub
