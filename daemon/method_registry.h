// The table of RPC methods. Each method group registers itself from its own file in
// daemon/methods/ (see docs/daemon.md, "Adding a method").
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/request_context.h"
#include "hfd/status.h"
#include "serve/rights.h"

namespace hfd::daemon {

// Where a handler runs. kLoop handlers must return quickly (no I/O waits, no heavy
// compute); kWorker handlers run on the thread pool and may block, polling
// ctx->cancelled().
enum class Execution { kLoop, kWorker };

// A handler owns the context for as long as it needs it and must eventually call
// Reply or ReplyError exactly once (possibly from another thread, later).
using Handler = std::function<void(std::shared_ptr<RequestContext> ctx)>;

struct Method {
  std::string name;
  // The level a caller needs (docs/daemon.md, "Security model"), checked before the
  // handler runs. Serving methods are also checked by the serving core, finer (options).
  serve::Rights rights = serve::Rights::kRead;
  Execution execution = Execution::kLoop;
  Handler handler;
};

// Adapts a function that computes the whole result at once into a Handler.
Handler Sync(std::function<Result<nlohmann::json>(RequestContext& ctx)> fn);

// Not thread-safe for writes: fill it before the server starts; reads are then safe.
class MethodRegistry {
 public:
  // Fails on an empty or duplicate name or a missing handler.
  Status Add(Method method);
  const Method* Find(const std::string& name) const;
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, Method> methods_;
};

}  // namespace hfd::daemon
