// The Hub client that `pull` and the serving methods (pull before load) share, built once
// from the daemon's environment and its `hf_token` setting.
#pragma once

#include <memory>

#include <nlohmann/json.hpp>

#include "daemon/config.h"
#include "daemon/metrics/registry.h"
#include "hfd/status.h"
#include "hub/progress.h"
#include "hub/puller.h"
#include "hub/token.h"

namespace hfd::daemon {

struct HubAccess {
  Status config_error;  // why the Hub settings could not be read, if they could not
  std::shared_ptr<const hub::Puller> puller;  // null when config_error is set
  hub::TokenSource token_source = hub::TokenSource::kNone;
};

HubAccess MakeHubAccess(const Config& config);

// Counts one pull's downloaded bytes into hfd_download_bytes_total from its progress
// reports (which carry running totals). One per pull; called on the pulling thread.
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
