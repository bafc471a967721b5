#include "daemon/methods/methods.h"

namespace hfd::daemon {

Status RegisterAllMethods(MethodRegistry& registry, DaemonServices& services) {
  HFD_RETURN_IF_ERROR(StartServingCore(services));
  for (auto* add :
       {RegisterStatusMethods, RegisterHealthMethods, RegisterMetricsMethods,
        RegisterHistoryMethods, RegisterCancelMethods, RegisterEchoMethods, RegisterHubMethods,
        RegisterTokenizerMethods, RegisterServeMethods, RegisterEmbedMethods}) {
    HFD_RETURN_IF_ERROR(add(registry, services));
  }
  return Status::Ok();
}

}  // namespace hfd::daemon
