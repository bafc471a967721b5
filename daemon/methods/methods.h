// Method groups. Each lives in its own file and adds its methods to the registry;
// RegisterAllMethods (register_all.cc) calls every group. To add a group, write
// daemon/methods/<group>.cc with a Register<Group>Methods function, declare it here and
// call it from register_all.cc (docs/daemon.md, "Adding a method").
#pragma once

#include "daemon/method_registry.h"
#include "daemon/services.h"

namespace hfd::daemon {

Status RegisterStatusMethods(MethodRegistry& registry, DaemonServices& services);   // status
Status RegisterHealthMethods(MethodRegistry& registry, DaemonServices& services);   // health
Status RegisterMetricsMethods(MethodRegistry& registry, DaemonServices& services);  // metrics
Status RegisterHistoryMethods(MethodRegistry& registry, DaemonServices& services);  // history
Status RegisterCancelMethods(MethodRegistry& registry, DaemonServices& services);   // cancel
Status RegisterEchoMethods(MethodRegistry& registry, DaemonServices& services);     // echo
Status RegisterHubMethods(MethodRegistry& registry, DaemonServices& services);      // pull list rm
// load unload ps generate chat
Status RegisterServeMethods(MethodRegistry& registry, DaemonServices& services);
// embed (after the serve methods: it shares their telemetry)
Status RegisterEmbedMethods(MethodRegistry& registry, DaemonServices& services);
// tokenize detokenize render_chat
Status RegisterTokenizerMethods(MethodRegistry& registry, DaemonServices& services);

// Builds services.service, which the serving and Hub methods call; before them.
Status StartServingCore(DaemonServices& services);

Status RegisterAllMethods(MethodRegistry& registry, DaemonServices& services);

}  // namespace hfd::daemon
