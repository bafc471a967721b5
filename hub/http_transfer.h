// One HTTP request on its own libcurl easy handle: the options set, the response's headers
// and body collected (a 2xx body into a BodySink when given), and libcurl's result turned
// into a Result. A TransferLoop runs it.
#pragma once

#include <atomic>

#include "hfd/status.h"
#include "hub/http.h"

namespace hfd::hub {

// Initialises libcurl once per process; thread-safe.
void CurlGlobalInit();

// Not thread-safe: the loop thread drives it. `sink` (may be null) and `cancel` (may be
// null) must stay alive until Finish. Move-only by being owned through unique_ptr.
class HttpTransfer {
 public:
  HttpTransfer(HttpRequest request, const HttpOptions& options, BodySink* sink,
               const std::atomic<bool>* cancel);
  ~HttpTransfer();
  HttpTransfer(const HttpTransfer&) = delete;
  HttpTransfer& operator=(const HttpTransfer&) = delete;

  // The CURL* to add to a multi handle; null when libcurl could not create one.
  void* easy() const { return curl_; }
  // True once the caller's cancel flag is set.
  bool cancelled() const { return cancel_ != nullptr && cancel_->load(); }

  // The outcome for libcurl's result code `rc` (a CURLcode). Transport failures (refused,
  // reset, timeout, cut body) are Unavailable; aborted (cancel) is Cancelled; a scheme the
  // options do not allow is PermissionDenied, with nothing sent; a sink error is returned
  // as is. Call once, after the transfer ended.
  Result<HttpResponse> Finish(int rc);

 private:
  struct Callbacks;  // libcurl's header, body and progress callbacks

  HttpRequest request_;  // kept: libcurl points into the POST body
  HttpOptions options_;
  BodySink* sink_;
  const std::atomic<bool>* cancel_;
  void* curl_;     // CURL*
  void* headers_;  // curl_slist*
  HttpResponse response_;
  Status sink_status_;
  bool overflow_ = false;
  bool started_ = false;
};

}  // namespace hfd::hub
