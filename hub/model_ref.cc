#include "hub/model_ref.h"

#include <algorithm>

namespace hfd::hub {
namespace {

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
  ModelRef ref;
  std::string_view rest = text;
  // The quant selector follows the last ':'; revisions never contain ':'.
  if (const size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    ref.quant = std::string(rest.substr(colon + 1));
    HFD_RETURN_IF_ERROR(ValidateQuant(ref.quant));
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
