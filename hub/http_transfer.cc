#include "hub/http_transfer.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

namespace hfd::hub {
namespace {

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

void CurlGlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct HttpTransfer::Callbacks {
  static size_t OnHeader(char* data, size_t size, size_t n, void* self) {
    auto* t = static_cast<HttpTransfer*>(self);
    std::string line(data, size * n);
    if (line.starts_with("HTTP/")) {
      t->response_.headers.clear();  // a new response (e.g. after 100 Continue)
    } else if (const size_t colon = line.find(':'); colon != std::string::npos) {
      t->response_.headers[Lower(TrimWs(line.substr(0, colon)))] = TrimWs(line.substr(colon + 1));
    }
    return size * n;
  }

  static size_t OnBody(char* data, size_t size, size_t n, void* self) {
    auto* t = static_cast<HttpTransfer*>(self);
    const size_t bytes = size * n;
    long code = 0;
    curl_easy_getinfo(static_cast<CURL*>(t->curl_), CURLINFO_RESPONSE_CODE, &code);
    if (code >= 200 && code < 300 && t->sink_ != nullptr) {
      if (!t->started_) {
        t->started_ = true;
        t->response_.status = code;
        t->sink_status_ = t->sink_->OnStart(t->response_);
        if (!t->sink_status_.ok()) return 0;
      }
      t->sink_status_ = t->sink_->Write(data, bytes);
      return t->sink_status_.ok() ? bytes : 0;
    }
    const size_t cap = code >= 200 && code < 300 ? t->options_.max_buffered_body : (1u << 20);
    if (t->response_.body.size() + bytes > cap) {
      t->overflow_ = true;
      return 0;
    }
    t->response_.body.append(data, bytes);
    return bytes;
  }

  static int OnProgress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<HttpTransfer*>(self)->cancelled() ? 1 : 0;
  }
};

HttpTransfer::HttpTransfer(HttpRequest request, const HttpOptions& options, BodySink* sink,
                           const std::atomic<bool>* cancel)
    : request_(std::move(request)),
      options_(options),
      sink_(sink),
      cancel_(cancel),
      curl_(nullptr),
      headers_(nullptr) {
  CurlGlobalInit();
  CURL* curl = curl_easy_init();
  curl_ = curl;
  if (curl == nullptr) return;
  curl_slist* headers = nullptr;
  for (const std::string& h : request_.headers) headers = curl_slist_append(headers, h.c_str());
  headers_ = headers;
  const char* protocols = options_.https_only ? "https" : "http,https";
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, protocols);
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
  if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, request_.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, options_.connect_timeout_s);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, options_.stall_timeout_s);
  curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 512L * 1024);
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // identity and gzip for JSON
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &Callbacks::OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Callbacks::OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &Callbacks::OnProgress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, this);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  if (request_.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request_.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request_.body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request_.body.size()));
  }
  if (request_.range_start) {
    const std::string range = std::to_string(*request_.range_start) + "-" +
                              (request_.range_end ? std::to_string(*request_.range_end) : "");
    curl_easy_setopt(curl, CURLOPT_RANGE, range.c_str());  // libcurl copies it
  }
}

HttpTransfer::~HttpTransfer() {
  curl_easy_cleanup(static_cast<CURL*>(curl_));
  curl_slist_free_all(static_cast<curl_slist*>(headers_));
}

Result<HttpResponse> HttpTransfer::Finish(int code) {
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) return Internal("libcurl could not create a handle");
  const auto rc = static_cast<CURLcode>(code);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response_.status);
  if (rc == CURLE_ABORTED_BY_CALLBACK) return Cancelled("pull cancelled");
  if (rc == CURLE_UNSUPPORTED_PROTOCOL) {
    return PermissionDenied(
        "refusing to connect to " + ShownUrl(request_.url) + ": hfd speaks only " +
        (options_.https_only ? "https to an https Hub endpoint" : "http and https"));
  }
  if (rc == CURLE_WRITE_ERROR && !sink_status_.ok()) return sink_status_;
  if (rc == CURLE_WRITE_ERROR && overflow_) {
    return TooLarge("response from " + request_.url + " is larger than expected");
  }
  if (rc != CURLE_OK) {
    return Unavailable(std::string("request to ") + request_.url +
                       " failed: " + curl_easy_strerror(rc));
  }
  if (response_.status >= 300 && response_.status < 400) {
    char* target = nullptr;
    curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &target);
    if (target != nullptr) response_.redirect_url = target;
  }
  return std::move(response_);
}

}  // namespace hfd::hub
