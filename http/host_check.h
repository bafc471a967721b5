// Which Host headers a TCP listener answers: a DNS-rebinding page (evil.example resolving
// to 127.0.0.1) reaches the loopback port with its own name as Host and as Origin, so a
// same-origin check alone would let it call the API. Only IP literals, `localhost`, and
// the hosts of the configured CORS origins are accepted, as browsers never send those for
// a rebound name. (Unix-socket listeners are out of a browser's reach and not checked.)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hfd/status.h"

namespace hfd::http {

// OK, or PermissionDenied naming the host and the setting that allows it. `host` is the
// Host header as sent ("127.0.0.1:11435", "[::1]:11435", "localhost"); `cors_origins`
// are http.cors_origins ("https://app.example:8443").
Status CheckHost(std::string_view host, const std::vector<std::string>& cors_origins);

}  // namespace hfd::http
