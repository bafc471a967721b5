#include "http/host_check.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>

namespace hfd::http {
namespace {

// The name in "name:port", "[v6]:port" or "name", lower-cased.
std::string HostName(std::string_view host) {
  std::string name;
  if (!host.empty() && host.front() == '[') {
    const std::size_t close = host.find(']');
    name = std::string(host.substr(1, close == std::string_view::npos ? host.size() : close - 1));
  } else {
    name = std::string(host.substr(0, host.rfind(':')));
  }
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

bool IpLiteral(const std::string& name) {
  in6_addr v6{};
  in_addr v4{};
  return ::inet_pton(AF_INET, name.c_str(), &v4) == 1 ||
         ::inet_pton(AF_INET6, name.c_str(), &v6) == 1;
}

// "https://app.example:8443" -> "app.example".
std::string OriginHost(std::string_view origin) {
  const std::size_t scheme = origin.find("://");
  return HostName(scheme == std::string_view::npos ? origin : origin.substr(scheme + 3));
}

}  // namespace

Status CheckHost(std::string_view host, const std::vector<std::string>& cors_origins) {
  const std::string name = HostName(host);
  if (name == "localhost" || IpLiteral(name)) return Status::Ok();
  for (const std::string& origin : cors_origins) {
    if (OriginHost(origin) == name) return Status::Ok();
  }
  return PermissionDenied("requests for host '" + std::string(host) +
                          "' are not answered on TCP (a web page whose name resolves to this "
                          "machine could otherwise call the API); use an IP address or "
                          "localhost, or list the page's origin in http.cors_origins");
}

}  // namespace hfd::http
