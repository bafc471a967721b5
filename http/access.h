// Who an HTTP request comes from and what it may do (docs/http-api.md, "Who may do what").
// On the Unix socket the peer's credentials give the levels of the MessagePack socket
// (daemon::AccessPolicy); a TCP peer has none, so it gets policy.tcp_level, or, when API
// keys are configured, the level of the key it sends as `Authorization: Bearer KEY`.
// Keys are never logged. Immutable after Create; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "daemon/config.h"
#include "daemon/peer.h"
#include "hfd/status.h"
#include "serve/rights.h"

namespace hfd::http {

class HttpAccess {
 public:
  // The keys of `config` and of its api_keys_file (lines "LEVEL KEY", # comments).
  // `policy` must outlive this object.
  static Result<HttpAccess> Create(const daemon::HttpConfig& config,
                                   const daemon::AccessPolicy* policy);

  // A Unix-socket peer, as the MessagePack socket sees it.
  serve::Caller UnixCaller(const daemon::PeerCredentials& peer) const;
  // The level a TCP connection is counted under before any request names a key.
  serve::Rights tcp_level() const { return tcp_level_; }
  // One request's caller: `connection` (a Unix peer's caller) as it is; on TCP, the
  // level of the bearer key in `authorization`, or tcp_level when no keys are configured.
  // Unauthenticated when keys are configured and the request has none or a wrong one.
  Result<serve::Caller> RequestCaller(const serve::Caller& connection, bool tcp,
                                      std::string_view authorization) const;

 private:
  HttpAccess(std::vector<daemon::ApiKey> keys, serve::Rights tcp_level,
             const daemon::AccessPolicy* policy);

  std::vector<daemon::ApiKey> keys_;
  serve::Rights tcp_level_;
  const daemon::AccessPolicy* policy_;
};

// The uid recorded for TCP callers (who have no local user): spans and per-user caps.
inline constexpr uid_t kTcpUid = static_cast<uid_t>(-1);

}  // namespace hfd::http
