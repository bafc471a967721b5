// HTTP requests and responses as the Hub client sees them, and URL helpers. Requests run
// as HttpTransfers on a TransferLoop; redirects are not followed there: the caller
// decides where to go next and which headers to send there.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hfd/status.h"

namespace hfd::hub {

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD or POST
  std::string url;
  std::vector<std::string> headers;     // "Name: value"
  std::string body;                     // POST body
  std::optional<uint64_t> range_start;  // sends Range: bytes=start-[end]
  std::optional<uint64_t> range_end;    // inclusive
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;          // buffered body (everything that did not go to a sink)
  std::string redirect_url;  // absolute target of a 3xx

  // The header's value, "" when absent. `name` in lower case.
  std::string Header(const std::string& name) const;
};

// Receives the body of a 2xx response as it arrives.
class BodySink {
 public:
  virtual ~BodySink() = default;
  // Called once, before the first Write, with the status and headers of the response.
  virtual Status OnStart(const HttpResponse& response) { return Status::Ok(); }
  // A non-OK status aborts the transfer and becomes its result.
  virtual Status Write(const char* data, size_t size) = 0;
};

struct HttpOptions {
  long connect_timeout_s = 15;
  long stall_timeout_s = 60;  // abort when no byte arrives for this long
  std::string user_agent = "hfd/0.1";
  size_t max_buffered_body = 64u << 20;
  // Only https may be spoken (an https Hub endpoint); otherwise http and https. No other
  // protocol libcurl knows (gopher, file, dict, ...) is ever used.
  bool https_only = false;
  std::string ca_file;  // PEM certificates to trust instead of the system's; empty: the system's
};

// "scheme://host:port" with the scheme's default port filled in; "" when unparsable.
std::string OriginOf(const std::string& url);

// The URL's scheme in lower case ("https", "gopher", ...); "" when unparsable.
std::string SchemeOf(const std::string& url);

// The URL for a message: its origin (never the path or query, which may carry signatures),
// else "a gopher: URL" or "an unparsable URL".
std::string ShownUrl(const std::string& url);

// Percent-encodes a string for a URL path segment or query value ('/' kept when asked).
std::string UrlEncode(const std::string& s, bool keep_slash);

}  // namespace hfd::hub
