// Where the Hub is and where its cache lives, following huggingface_hub's variables.
#pragma once

#include <filesystem>
#include <string>

#include "hfd/status.h"
#include "hub/env.h"

namespace hfd::hub {

// Settings shared by every pull. Plain value.
struct HubConfig {
  std::string endpoint = "https://huggingface.co";  // HF_ENDPOINT, no trailing '/'
  std::filesystem::path cache_dir;                  // HF_HUB_CACHE, else $HF_HOME/hub
  std::filesystem::path hf_home;                    // HF_HOME, else ~/.cache/huggingface
  bool offline = false;                             // HF_HUB_OFFLINE=1
  // CURL_CA_BUNDLE: PEM certificates to trust instead of the system's, for an endpoint (a
  // mirror) signed by a private CA; empty: the system's.
  std::string ca_bundle;
};

// Reads HF_ENDPOINT, HF_HOME, HF_HUB_CACHE, HF_HUB_OFFLINE (1/true/yes/on) and
// CURL_CA_BUNDLE (the variable curl and Python's requests read) from `env`,
// with huggingface_hub's defaults (HOME, then XDG_CACHE_HOME, for ~/.cache).
Result<HubConfig> HubConfigFromEnv(const Env& env);

// True when a boolean environment value means "on" (1, true, yes, on; any case).
bool IsTruthy(const std::string& value);

}  // namespace hfd::hub
