// The Hub side of the serving core, built once from the daemon's environment and its
// `hf_token` setting; and what the methods that pull report about it.
#pragma once

#include <memory>

#include <nlohmann/json.hpp>

#include "daemon/config.h"
#include "daemon/metrics/registry.h"
#include "hfd/status.h"
#include "hub/progress.h"
#include "hub/puller.h"
#include "hub/token.h"
#include "serve/service.h"

namespace hfd::daemon {

serve::HubSetup MakeHubSetup(const Config& config);

// Counts one pull's downloaded bytes into hfd_download_bytes_total from its progress
// reports (which carry running totals). One per pull, however many requests wait for it
// (serve::ServiceOptions::pull_meter); called on the pulling thread.
class DownloadMeter {
 public:
  explicit DownloadMeter(metrics::Registry& registry);
  void Observe(const hub::PullProgress& p);

 private:
  metrics::Counter& bytes_;
  std::uint64_t reported_ = 0;
};

// A `progress` notification's params (pull, and loads that pull).
nlohmann::json PullProgressJson(const hub::PullProgress& p);

}  // namespace hfd::daemon
