// POST /api/embed as Ollama has it: `input` a string or an array of strings, `truncate`
// (default true: a text longer than the context is cut to it; false: refused), answered
// with {model, embeddings, total_duration, load_duration, prompt_eval_count}.
#pragma once

#include "daemon/services.h"
#include "http/message.h"

namespace hfd::http::ollama {

Reply Embed(daemon::DaemonServices& services, const Request& request);

}  // namespace hfd::http::ollama
