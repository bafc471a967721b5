#include "hub/hub_config.h"

#include <algorithm>
#include <cctype>

namespace hfd::hub {

bool IsTruthy(const std::string& value) {
  std::string v = value;
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  return v == "1" || v == "true" || v == "yes" || v == "on";
}

Result<HubConfig> HubConfigFromEnv(const Env& env) {
  HubConfig config;
  if (auto endpoint = env.Get("HF_ENDPOINT")) {
    std::string e = *endpoint;
    while (!e.empty() && e.back() == '/') e.pop_back();
    if (!e.starts_with("http://") && !e.starts_with("https://")) {
      return InvalidArgument(
          "HF_ENDPOINT '" + *endpoint +
          "' must be an http:// or https:// URL (default https://huggingface.co)");
    }
    config.endpoint = e;
  }
  if (auto home = env.Get("HF_HOME")) {
    config.hf_home = *home;
  } else {
    std::filesystem::path cache_root;
    if (auto xdg = env.Get("XDG_CACHE_HOME")) {
      cache_root = *xdg;
    } else if (auto user_home = env.Get("HOME")) {
      cache_root = std::filesystem::path(*user_home) / ".cache";
    } else {
      return InvalidArgument("cannot locate the Hugging Face cache: set HF_HOME or HF_HUB_CACHE");
    }
    config.hf_home = cache_root / "huggingface";
  }
  if (auto cache = env.Get("HF_HUB_CACHE")) {
    config.cache_dir = *cache;
  } else if (auto legacy = env.Get("HUGGINGFACE_HUB_CACHE")) {
    config.cache_dir = *legacy;
  } else {
    config.cache_dir = config.hf_home / "hub";
  }
  if (auto offline = env.Get("HF_HUB_OFFLINE")) config.offline = IsTruthy(*offline);
  if (auto ca_bundle = env.Get("CURL_CA_BUNDLE")) config.ca_bundle = *ca_bundle;
  return config;
}

}  // namespace hfd::hub
