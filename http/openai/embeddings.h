// POST /v1/embeddings as OpenAI's API has it: `input` a string or an array of strings,
// `encoding_format` float (default) or base64 (little-endian float32); `dimensions` is
// refused (hfd does not shorten vectors). A text longer than the model's context is refused, as
// OpenAI refuses it.
#pragma once

#include "daemon/services.h"
#include "http/message.h"

namespace hfd::http::openai {

Reply Embeddings(daemon::DaemonServices& services, const Request& request);

}  // namespace hfd::http::openai
