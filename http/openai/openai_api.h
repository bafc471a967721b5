// The OpenAI-compatible API under /v1 (docs/http-api.md): GET /v1/models,
// POST /v1/chat/completions, POST /v1/completions and POST /v1/embeddings, translated to and from
// the serving core. Errors take OpenAI's shape.
#pragma once

#include "daemon/services.h"
#include "http/router.h"

namespace hfd::http::openai {

// `services` must outlive the router.
void AddRoutes(Router& router, daemon::DaemonServices& services);

}  // namespace hfd::http::openai
