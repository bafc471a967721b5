#include "hub/hub_client.h"

#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <utility>

#include "hub/model_ref.h"

namespace hfd::hub {
namespace {

constexpr int kMaxRedirects = 10;

HttpOptions HttpsOnlyFor(HttpOptions http, bool https_only) {
  http.https_only = https_only;
  return http;
}

bool IsRedirect(const HttpResponse& r) {
  return r.status >= 300 && r.status < 400 && !r.redirect_url.empty();
}

Result<nlohmann::json> ParseJson(const HttpResponse& response, const std::string& what) {
  nlohmann::json json = nlohmann::json::parse(response.body, nullptr, false);
  if (json.is_discarded()) return Corrupt("the Hub returned invalid JSON for " + what);
  return json;
}

std::string StringField(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// Parses one page of the tree listing; directories are skipped.
Status AppendTreePage(const nlohmann::json& page, std::vector<RepoFile>* files) {
  if (!page.is_array()) return Corrupt("the Hub's tree listing is not a JSON array");
  for (const nlohmann::json& entry : page) {
    if (!entry.is_object() || StringField(entry, "type") != "file") continue;
    RepoFile file;
    file.path = StringField(entry, "path");
    file.oid = StringField(entry, "oid");
    if (auto size = entry.find("size"); size != entry.end() && size->is_number_unsigned()) {
      file.size = size->get<uint64_t>();
    }
    if (auto lfs = entry.find("lfs"); lfs != entry.end() && lfs->is_object()) {
      file.lfs_sha256 = StringField(*lfs, "oid");
      if (auto size = lfs->find("size"); size != lfs->end() && size->is_number_unsigned()) {
        file.size = size->get<uint64_t>();
      }
    }
    if (file.path.empty() || file.etag().empty()) {
      return Corrupt("the Hub's tree listing has an entry without path or oid");
    }
    files->push_back(std::move(file));
  }
  return Status::Ok();
}

}  // namespace

HubClient::HubClient(std::string endpoint, std::string token, std::string token_used,
                     RetryPolicy retry, HttpOptions http, TransferLoop* loop)
    : endpoint_(std::move(endpoint)),
      endpoint_origin_(OriginOf(endpoint_)),
      https_only_(SchemeOf(endpoint_) == "https"),
      token_(std::move(token)),
      token_used_(std::move(token_used)),
      retry_(std::move(retry)),
      http_(HttpsOnlyFor(std::move(http), https_only_)),
      loop_(loop) {}

Status HubClient::CheckNextHop(const std::string& url, const RequestSubject& subject) const {
  const std::string scheme = SchemeOf(url);
  if (scheme == "https" || (scheme == "http" && !https_only_)) return Status::Ok();
  // Another scheme would carry the request's bytes to whatever listens there (gopher:// to
  // a local port); http from an https endpoint would fetch the file unprotected.
  return PermissionDenied(
      "the Hub sent the request for '" + subject.repo_id + "' on to " + ShownUrl(url) +
      "; hfd follows only " +
      (https_only_ ? "https from the https endpoint " + endpoint_ : std::string("http and https")) +
      ", so it stopped there. Check HF_ENDPOINT, or report the redirect to the Hub's operator");
}

std::string HubClient::ResolveUrl(const std::string& repo_id, const std::string& commit,
                                  const std::string& path) const {
  return endpoint_ + "/" + repo_id + "/resolve/" + UrlEncode(commit, false) + "/" +
         UrlEncode(path, true);
}

struct HubClient::Hops {
  HubClient client;  // a copy: the caller's may go away once `done` has run
  HttpRequest request;
  std::vector<std::string> base_headers;
  RequestSubject subject;
  BodySink* sink;
  const std::atomic<bool>* cancel;
  SendDone done;
  int redirects = 0;

  // Sends the current request; the token goes only to the endpoint's own origin, never to
  // a storage redirect.
  static void Next(const std::shared_ptr<Hops>& self) {
    HttpRequest& request = self->request;
    request.headers = self->base_headers;
    const HubClient& client = self->client;
    if (!client.token_.empty() && OriginOf(request.url) == client.endpoint_origin_) {
      request.headers.push_back("Authorization: Bearer " + client.token_);
    }
    auto transfer = std::make_unique<HttpTransfer>(request, client.http_, self->sink, self->cancel);
    client.loop_->Start(std::move(transfer), [self](Result<HttpResponse> response) {
      OnResponse(self, std::move(response));
    });
  }

  static void OnResponse(const std::shared_ptr<Hops>& self, Result<HttpResponse> response) {
    if (!response.ok()) return self->done(response.status(), std::nullopt);
    if (IsRedirect(*response)) {
      if (++self->redirects > kMaxRedirects) {
        return self->done(Unavailable("too many redirects for " + self->subject.repo_id),
                          std::nullopt);
      }
      const Status allowed = self->client.CheckNextHop(response->redirect_url, self->subject);
      if (!allowed.ok()) return self->done(allowed, std::nullopt);
      self->request.url = response->redirect_url;
      if (response->status == 303) self->request.method = "GET";
      return Next(self);
    }
    if (response->status >= 200 && response->status < 300) {
      return self->done(std::move(response), std::nullopt);
    }
    RequestSubject subject = self->subject;
    subject.token = self->client.token_used_;
    self->done(StatusForHttpError(*response, subject), RetryAfterOf(*response));
  }
};

void HubClient::SendOnceAsync(const HttpRequest& request, const RequestSubject& subject,
                              BodySink* sink, const std::atomic<bool>* cancel,
                              SendDone done) const {
  auto hops = std::make_shared<Hops>(
      Hops{*this, request, request.headers, subject, sink, cancel, std::move(done)});
  Hops::Next(hops);
}

Result<HttpResponse> HubClient::Send(const HttpRequest& request, const RequestSubject& subject,
                                     const std::atomic<bool>* cancel,
                                     const RetryFn& on_retry) const {
  RetryState state(retry_, cancel, on_retry);
  while (true) {
    std::promise<std::pair<Result<HttpResponse>, std::optional<Millis>>> attempt;
    loop_->Post([&] {
      SendOnceAsync(request, subject, nullptr, cancel,
                    [&attempt](Result<HttpResponse> response, std::optional<Millis> retry_after) {
                      attempt.set_value({std::move(response), retry_after});
                    });
    });
    auto [response, retry_after] = attempt.get_future().get();
    if (response.ok() || !IsRetryable(response.status())) return response;
    HFD_RETURN_IF_ERROR(state.BeforeRetry(response.status(), retry_after));
  }
}

Result<RevisionInfo> HubClient::GetRevision(const std::string& repo_id, const std::string& revision,
                                            const std::atomic<bool>* cancel,
                                            const RetryFn& on_retry) const {
  HttpRequest request;
  request.url = endpoint_ + "/api/models/" + repo_id + "/revision/" + UrlEncode(revision, false);
  HFD_ASSIGN_OR_RETURN(HttpResponse response,
                       Send(request, {repo_id, revision, ""}, cancel, on_retry));
  HFD_ASSIGN_OR_RETURN(nlohmann::json json, ParseJson(response, "revision " + revision));
  RevisionInfo info;
  if (json.is_object()) info.commit = StringField(json, "sha");
  if (!IsCommitSha(info.commit)) {
    return Corrupt("the Hub did not return a commit SHA for '" + repo_id + "@" + revision + "'");
  }
  if (auto siblings = json.find("siblings"); siblings != json.end() && siblings->is_array()) {
    for (const nlohmann::json& s : *siblings) {
      if (s.is_object()) info.siblings.push_back(StringField(s, "rfilename"));
    }
  }
  return info;
}

Result<std::vector<RepoFile>> HubClient::ListFiles(const std::string& repo_id,
                                                   const std::string& commit,
                                                   const std::atomic<bool>* cancel,
                                                   const RetryFn& on_retry) const {
  std::vector<RepoFile> files;
  HttpRequest request;
  request.url = endpoint_ + "/api/models/" + repo_id + "/tree/" + commit + "?recursive=true";
  for (int page = 0; !request.url.empty(); ++page) {
    if (page > 10000) return Corrupt("the Hub's tree listing does not end");
    HFD_ASSIGN_OR_RETURN(HttpResponse response,
                         Send(request, {repo_id, commit, ""}, cancel, on_retry));
    HFD_ASSIGN_OR_RETURN(nlohmann::json json, ParseJson(response, "the file listing"));
    HFD_RETURN_IF_ERROR(AppendTreePage(json, &files));
    request.url = NextLink(response.Header("link"));
    if (request.url.starts_with("/")) request.url = endpoint_ + request.url;
    if (!request.url.empty()) HFD_RETURN_IF_ERROR(CheckNextHop(request.url, {repo_id, commit, ""}));
  }
  return files;
}

std::string NextLink(const std::string& link_header) {
  // Link: <url>; rel="next", <url2>; rel="prev"
  size_t pos = 0;
  while (pos < link_header.size()) {
    const size_t open = link_header.find('<', pos);
    if (open == std::string::npos) break;
    const size_t close = link_header.find('>', open);
    if (close == std::string::npos) break;
    const size_t next_entry = link_header.find('<', close);
    const std::string params = link_header.substr(close + 1, next_entry - close - 1);
    if (params.find("rel=\"next\"") != std::string::npos ||
        params.find("rel=next") != std::string::npos) {
      return link_header.substr(open + 1, close - open - 1);
    }
    pos = close + 1;
  }
  return "";
}

}  // namespace hfd::hub
