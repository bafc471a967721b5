// What the commands that may pull (pull, run, chat, load) send about the caller's own Hub
// access, since a system daemon cannot see the caller's token or environment: the token
// (--token-file, else the caller's HF_TOKEN, else huggingface_hub's token file, the one
// `hfctl login` writes) for that request only, and --offline or the caller's
// HF_HUB_OFFLINE, which makes the daemon serve from its cache without the network.
#pragma once

#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "hfd/status.h"

namespace hfd::ctl {

struct HubAccessFlags {
  std::string token_file;
  bool offline = false;
};

// Adds --token-file F and --offline.
void AddHubAccessFlags(CLI::App& sub, HubAccessFlags& flags);

// Adds `token` (when the caller has one) and `offline` (when asked) to `params`. A
// --token-file that cannot be read is an error (usage); a default token file that
// cannot be read is only noted on stderr, and no token is sent.
Status AddHubAccessParams(const HubAccessFlags& flags, nlohmann::json& params);

}  // namespace hfd::ctl
