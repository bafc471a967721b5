// The HTTP door of the daemon: the OpenAI- and Ollama-compatible APIs and the chat page
// on the HTTP listeners (docs/http-api.md), served by the same serving core and policy as
// the MessagePack socket.
#pragma once

#include "daemon/services.h"
#include "hfd/status.h"

namespace hfd::http {

// Acquires the listeners and starts serving on them; stops with the daemon (a shutdown
// hook, after the serving core has ended the requests) and keeps an idle daemon from
// exiting while HTTP clients are connected. Call after the methods are registered (the
// serving core and its telemetry exist), before Server::Run.
Status StartHttpDoor(daemon::DaemonServices& services);

}  // namespace hfd::http
