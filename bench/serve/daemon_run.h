// One streamed generation through the daemon's MessagePack socket, timed by the client's
// clock as its `token` notifications arrive.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "bench/serve/engine_run.h"
#include "hfd/client.h"

namespace hfd::bench {

// `method` ("generate" or "chat") with `params`; ttft from sending to the first token,
// decode from the first to the last, the daemon's own ttft from its `timings`.
Result<Run> DaemonRun(client::Client& client, const std::string& method,
                      const nlohmann::json& params);

}  // namespace hfd::bench
