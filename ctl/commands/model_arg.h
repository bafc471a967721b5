// The MODEL argument of the commands. A local path (starting with /, ./, ../ or ~/, or a
// bare `model.gguf` or folder name that exists here) is made absolute, since the daemon
// does not share hfctl's working directory; anything else is a Hub reference passed
// through as typed (the daemon parses ids, URLs and hf.co references).
#pragma once

#include <string>

#include "ctl/session.h"

namespace hfd::ctl {

// The `model` param for MODEL.
std::string ModelArgument(const std::string& model);

// For the commands that read the model (run, chat, load, tokenize, detokenize): the `model`
// param as ModelArgument gives it, and for a local path, the model's files opened with the
// caller's rights and handed to `session` to pass with each call, so that the daemon reads
// only what the caller may read (docs/protocol.md, "Passing local files"). On failure the
// error is printed; return kExitModelUnreadable.
Result<std::string> OpenModelArgument(Session& session, const std::string& model);

}  // namespace hfd::ctl
