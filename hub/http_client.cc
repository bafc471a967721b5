#include "hub/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

namespace hfd::hub {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string TrimWs(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

}  // namespace

struct HttpClient::Transfer {
  CURL* curl;
  HttpResponse* response;
  BodySink* sink;
  const std::atomic<bool>* cancel;
  size_t max_buffered;
  Status sink_status;
  bool overflow = false;
  bool started = false;

  static size_t OnHeader(char* data, size_t size, size_t n, void* self) {
    auto* t = static_cast<Transfer*>(self);
    std::string line(data, size * n);
    if (line.starts_with("HTTP/")) {
      t->response->headers.clear();  // a new response (e.g. after 100 Continue)
    } else if (const size_t colon = line.find(':'); colon != std::string::npos) {
      t->response->headers[Lower(TrimWs(line.substr(0, colon)))] = TrimWs(line.substr(colon + 1));
    }
    return size * n;
  }

  static size_t OnBody(char* data, size_t size, size_t n, void* self) {
    auto* t = static_cast<Transfer*>(self);
    const size_t bytes = size * n;
    long code = 0;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &code);
    if (code >= 200 && code < 300 && t->sink != nullptr) {
      if (!t->started) {
        t->started = true;
        t->response->status = code;
        t->sink_status = t->sink->OnStart(*t->response);
        if (!t->sink_status.ok()) return 0;
      }
      t->sink_status = t->sink->Write(data, bytes);
      return t->sink_status.ok() ? bytes : 0;
    }
    const size_t cap = code >= 200 && code < 300 ? t->max_buffered : (1u << 20);
    if (t->response->body.size() + bytes > cap) {
      t->overflow = true;
      return 0;
    }
    t->response->body.append(data, bytes);
    return bytes;
  }

  static int OnProgress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* t = static_cast<Transfer*>(self);
    return t->cancel != nullptr && t->cancel->load() ? 1 : 0;
  }
};

std::string HttpResponse::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

HttpClient::HttpClient(HttpOptions options) : options_(std::move(options)) {
  GlobalInit();
  curl_ = curl_easy_init();
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

Result<HttpResponse> HttpClient::Perform(const HttpRequest& request, BodySink* sink,
                                         const std::atomic<bool>* cancel) {
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) return Internal("libcurl could not create a handle");
  curl_easy_reset(curl);
  HttpResponse response;
  Transfer transfer{curl, &response, sink, cancel, options_.max_buffered_body, Status::Ok()};

  curl_slist* headers = nullptr;
  for (const std::string& h : request.headers) headers = curl_slist_append(headers, h.c_str());
  const char* protocols = options_.https_only ? "https" : "http,https";
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, protocols);
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
  if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, options_.connect_timeout_s);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, options_.stall_timeout_s);
  curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 512L * 1024);
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // identity and gzip for JSON
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &Transfer::OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Transfer::OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &Transfer::OnProgress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  std::string range;
  if (request.range_start) {
    range = std::to_string(*request.range_start) + "-" +
            (request.range_end ? std::to_string(*request.range_end) : "");
    curl_easy_setopt(curl, CURLOPT_RANGE, range.c_str());
  }

  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  if (rc == CURLE_ABORTED_BY_CALLBACK) return Cancelled("pull cancelled");
  if (rc == CURLE_UNSUPPORTED_PROTOCOL) {
    return PermissionDenied(
        "refusing to connect to " + ShownUrl(request.url) + ": hfd speaks only " +
        (options_.https_only ? "https to an https Hub endpoint" : "http and https"));
  }
  if (rc == CURLE_WRITE_ERROR && !transfer.sink_status.ok()) return transfer.sink_status;
  if (rc == CURLE_WRITE_ERROR && transfer.overflow) {
    return TooLarge("response from " + request.url + " is larger than expected");
  }
  if (rc != CURLE_OK) {
    return Unavailable(std::string("request to ") + request.url +
                       " failed: " + curl_easy_strerror(rc));
  }
  if (response.status >= 300 && response.status < 400) {
    char* target = nullptr;
    curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &target);
    if (target != nullptr) response.redirect_url = target;
  }
  return response;
}

std::string OriginOf(const std::string& url) {
  CURLU* u = curl_url();
  std::string origin;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
    char* scheme = nullptr;
    char* host = nullptr;
    char* port = nullptr;
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
      origin = Lower(scheme) + "://" + Lower(host) + ":" + port;
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
  }
  curl_url_cleanup(u);
  return origin;
}

std::string ShownUrl(const std::string& url) {
  const std::string origin = OriginOf(url);
  if (!origin.empty()) return origin;
  const std::string scheme = SchemeOf(url);
  return scheme.empty() ? "an unparsable URL" : "a " + scheme + ": URL";
}

std::string SchemeOf(const std::string& url) {
  CURLU* u = curl_url();
  std::string out;
  char* scheme = nullptr;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK) {
    out = Lower(scheme);
  }
  curl_free(scheme);
  curl_url_cleanup(u);
  return out;
}

std::string UrlEncode(const std::string& s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace hfd::hub
