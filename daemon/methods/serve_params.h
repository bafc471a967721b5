// The params of the serving methods (docs/protocol.md, "Serving methods"): load options
// and generation options, parsed and range-checked with messages that name the param.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/request_context.h"
#include "engine/io/model_file_set.h"
#include "engine/sampling/sampling_params.h"
#include "hfd/status.h"
#include "serve/service.h"

namespace hfd::daemon {

// Load option names, for RejectUnknownParams lists.
inline constexpr const char* kLoadParams[] = {"model",      "backend",         "device",    "ctx",
                                              "keep_alive", "max_concurrency", "max_queue", "pull",
                                              "token",      "offline"};

// `model` and the load options.
Result<serve::ModelRequest> ParseModelRequest(const nlohmann::json& params);

// The files the client passed with the request (docs/protocol.md, "Passing local files"),
// as the serving core reads them, named after `model`; null when it passed none. Takes
// them from `ctx` (once).
Result<std::shared_ptr<const io::ModelFileSet>> TakePassedModelFiles(RequestContext& ctx,
                                                                     const std::string& model);

// Sampling, max_tokens (default 256) and stop strings, validated.
Result<sampling::SamplingParams> ParseSamplingParams(const nlohmann::json& params);

// Refuses params outside the load options and `extra`.
Status RejectUnknownServeParams(const nlohmann::json& params,
                                const std::vector<std::string>& extra);

}  // namespace hfd::daemon
