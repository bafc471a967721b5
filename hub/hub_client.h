// The Hub's HTTP API: revision info, the recursive file tree, and file requests that
// follow redirects to the storage host without leaking the token there. Every hop hfd
// follows (a redirect, a next page) must be https, or http when the endpoint is http.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hfd/status.h"
#include "hub/http.h"
#include "hub/hub_errors.h"
#include "hub/retry.h"
#include "hub/transfer_loop.h"

namespace hfd::hub {

// A file of a repo at one commit, from the tree listing.
struct RepoFile {
  std::string path;
  uint64_t size = 0;
  std::string oid;                        // git blob id (sha1)
  std::optional<std::string> lfs_sha256;  // set for LFS files

  // The cache blob name huggingface_hub uses: the LFS sha256, else the git blob id.
  const std::string& etag() const { return lfs_sha256 ? *lfs_sha256 : oid; }
};

struct RevisionInfo {
  std::string commit;                 // 40-hex SHA the revision resolves to
  std::vector<std::string> siblings;  // file paths at that commit
};

// A value (copies share the loop): the endpoint, the token and the settings of one pull.
// Its requests run on `loop`; the blocking methods wait for them and must not be called
// on the loop thread.
class HubClient {
 public:
  // `token` may be empty; it is sent only to `endpoint`'s origin. `token_used` says in
  // errors which token that is (RequestSubject::token). `http.https_only` is set from the
  // endpoint's scheme. `loop` must outlive the client and its requests.
  HubClient(std::string endpoint, std::string token, std::string token_used, RetryPolicy retry,
            HttpOptions http, TransferLoop* loop);

  // Blocking; each retry is reported to `on_retry` (may be empty) on the calling thread, as
  // for Send.
  Result<RevisionInfo> GetRevision(const std::string& repo_id, const std::string& revision,
                                   const std::atomic<bool>* cancel, const RetryFn& on_retry) const;
  // Blocking. All files (recursively) at `commit`, following the Link: rel="next" pagination.
  Result<std::vector<RepoFile>> ListFiles(const std::string& repo_id, const std::string& commit,
                                          const std::atomic<bool>* cancel,
                                          const RetryFn& on_retry) const;

  // {endpoint}/{repo}/resolve/{commit}/{path}.
  std::string ResolveUrl(const std::string& repo_id, const std::string& commit,
                         const std::string& path) const;

  // The outcome of one attempt, and the server's Retry-After when it sent one.
  using SendDone = std::function<void(Result<HttpResponse>, std::optional<Millis> retry_after)>;
  // Loop thread only. One attempt: `request` plus redirects (at most 10), Authorization
  // only on the endpoint's origin. A redirect to another scheme, or to http from an https
  // endpoint, is PermissionDenied before anything is sent there. Non-2xx final answers
  // become Status via StatusForHttpError. `sink` and `cancel` (both may be null) must stay
  // alive until `done` has run, on the loop thread.
  void SendOnceAsync(const HttpRequest& request, const RequestSubject& subject, BodySink* sink,
                     const std::atomic<bool>* cancel, SendDone done) const;

  // Blocking. One attempt after another while failures are transient (bodies buffered);
  // `on_retry` (may be empty) hears of each retry before its wait, on the calling thread.
  Result<HttpResponse> Send(const HttpRequest& request, const RequestSubject& subject,
                            const std::atomic<bool>* cancel, const RetryFn& on_retry = {}) const;

  const RetryPolicy& retry_policy() const { return retry_; }
  const std::string& endpoint() const { return endpoint_; }
  TransferLoop& loop() const { return *loop_; }

 private:
  struct Hops;  // one attempt in flight: the current request and the redirects followed

  // OK when hfd may go on to `url` for `subject`; else the refusal, naming where it led.
  Status CheckNextHop(const std::string& url, const RequestSubject& subject) const;

  std::string endpoint_;
  std::string endpoint_origin_;
  bool https_only_;
  std::string token_;
  std::string token_used_;
  RetryPolicy retry_;
  HttpOptions http_;
  TransferLoop* loop_;
};

// The URL of the rel="next" link in a Link header; "" when none.
std::string NextLink(const std::string& link_header);

}  // namespace hfd::hub
