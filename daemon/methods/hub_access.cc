#include "daemon/methods/hub_access.h"

#include <chrono>

namespace hfd::daemon {

serve::HubSetup MakeHubSetup(const Config& config) {
  serve::HubSetup setup;
  const hub::Env env = hub::Env::Process();
  Result<hub::HubConfig> hub_config = hub::HubConfigFromEnv(env);
  if (!hub_config.ok()) {
    setup.config_error = hub_config.status();
    return setup;
  }
  const std::optional<std::string> config_token =
      config.hf_token.empty() ? std::nullopt : std::optional<std::string>(config.hf_token);
  Result<hub::ResolvedToken> token = hub::ResolveToken(config_token, env);
  if (!token.ok()) {
    setup.config_error = token.status();
    return setup;
  }
  setup.token_source = std::string(hub::TokenSourceName(token->source));
  setup.puller = std::make_shared<hub::Puller>(*hub_config, *token);
  return setup;
}

nlohmann::json PullProgressJson(const hub::PullProgress& p) {
  nlohmann::json out = {{"phase", hub::PhaseName(p.phase)},
                        {"file", p.file},
                        {"file_bytes", p.file_bytes},
                        {"file_total", p.file_total},
                        {"bytes", p.bytes},
                        {"total", p.total},
                        {"files_done", p.files_done},
                        {"files_total", p.files_total},
                        {"bytes_per_second", p.bytes_per_second}};
  if (p.phase == hub::PullProgress::Phase::kRetrying) {
    out["retry"] = p.retry.retry;
    out["retries"] = p.retry.retries;
    out["retry_in_seconds"] = std::chrono::duration<double>(p.retry.wait).count();
    out["reason"] = p.retry.reason;
  }
  return out;
}

DownloadMeter::DownloadMeter(metrics::Registry& registry)
    : bytes_(registry.AddCounter("hfd_download_bytes_total",
                                 "Bytes downloaded from the Hub (pull, and loads that pull)")) {}

void DownloadMeter::Observe(const hub::PullProgress& p) {
  if (p.bytes <= reported_) return;
  bytes_.Increment({}, static_cast<double>(p.bytes - reported_));
  reported_ = p.bytes;
}

}  // namespace hfd::daemon
