// Model references as users type or paste them: `org/name[@revision][:QUANT]`, the Hub's
// page URLs and Ollama's `hf.co/org/name:QUANT`.
#pragma once

#include <string>
#include <string_view>

#include "hfd/status.h"

namespace hfd::hub {

// A parsed Hub model reference. Plain value; safe to copy between threads.
struct ModelRef {
  std::string repo_id;            // "org/name"
  std::string revision = "main";  // branch, tag, commit SHA or refs/pr/N; "latest" becomes "main"
  bool revision_given = false;    // true when the user wrote "@revision"
  std::string quant;              // GGUF quant selector ("Q4_K_M"), empty when none

  // "org/name@rev:QUANT" with the parts that were given.
  std::string ToString() const;
};

// Parses `org/name[@revision][:QUANT]`, and what people paste: the model's page
// `https://huggingface.co/org/name` (`hf.co`, no scheme or `www.` too), a revision's
// `/tree/REV`, a file's `/blob/REV/FILE` or `/resolve/REV/FILE` (a .gguf file selects its
// quant), and Ollama's `hf.co/org/name:QUANT`. `:latest` (Ollama's default tag) is no quant.
// Errors say what is allowed.
Result<ModelRef> ParseModelRef(std::string_view text);

// A repo id is `org/name` (or a bare `name`): letters, digits, `-`, `_`, `.`, no `..`,
// no leading `.` or `-` in a part, at most 96 characters per part.
Status ValidateRepoId(std::string_view repo_id);

// Revisions allowed: letters, digits, `_`, `-`, `.` (no `..`, no leading `.`), at most 128
// characters, or the Hub's pull-request refs `refs/pr/N`.
Status ValidateRevision(std::string_view revision);

// True for a full 40-hex-digit git commit SHA (lower case, as the Hub returns them).
bool IsCommitSha(std::string_view revision);

// True when `text` names a local path rather than a Hub id (starts with /, ./, ../ or ~/).
bool IsLocalPath(std::string_view text);

}  // namespace hfd::hub
