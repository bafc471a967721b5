#include "ctl/commands/hub_access_flags.h"

#include <cstdio>

#include "hub/env.h"
#include "hub/hub_config.h"
#include "hub/token.h"

namespace hfd::ctl {

void AddHubAccessFlags(CLI::App& sub, HubAccessFlags& flags) {
  sub.add_option("--token-file", flags.token_file,
                 "Hugging Face token for this request only (default: HF_TOKEN, else the token "
                 "file `hfctl login` writes); never stored by the daemon");
  sub.add_flag("--offline", flags.offline,
               "Never use the network: serve what is cached (also HF_HUB_OFFLINE=1)");
}

Status AddHubAccessParams(const HubAccessFlags& flags, nlohmann::json& params) {
  const hub::Env env = hub::Env::Process();
  const std::optional<std::string> offline_env = env.Get("HF_HUB_OFFLINE");
  if (flags.offline || (offline_env && hub::IsTruthy(*offline_env))) params["offline"] = true;
  if (!flags.token_file.empty()) {
    HFD_ASSIGN_OR_RETURN(hub::ResolvedToken token, hub::ReadTokenFile(flags.token_file));
    params["token"] = token.token;
    return Status::Ok();
  }
  Result<hub::ResolvedToken> token = hub::ResolveToken(std::nullopt, env);
  if (!token.ok()) {
    std::fprintf(stderr, "hfctl: note: %s; sending no token\n", token.status().message().c_str());
  } else if (token->present()) {
    params["token"] = token->token;
  }
  return Status::Ok();
}

}  // namespace hfd::ctl
