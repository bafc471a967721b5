// The Ollama-compatible API under /api (docs/http-api.md): version, tags, ps, show,
// pull (NDJSON progress), delete, generate and chat (NDJSON or stream: false), with
// Ollama's idioms: an empty prompt loads the model, keep_alive 0 unloads it (for a
// manage caller; a use caller's keep_alive is ignored with a note), hf.co/ names.
#pragma once

#include "daemon/services.h"
#include "http/router.h"

namespace hfd::http::ollama {

// `services` must outlive the router.
void AddRoutes(Router& router, daemon::DaemonServices& services);

}  // namespace hfd::http::ollama
