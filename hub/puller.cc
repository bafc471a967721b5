#include "hub/puller.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <map>

#include "common/units.h"
#include "hub/blob_fetcher.h"
#include "hub/hub_client.h"
#include "hub/local_snapshot.h"
#include "hub/model_check.h"
#include "hub/path_safety.h"
#include "hub/repo_cache.h"

namespace hfd::hub {
namespace fs = std::filesystem;
namespace {

// config.json is read before the weights are fetched; real ones are a few KiB.
constexpr size_t kMaxConfigBytes = 16u << 20;

// Bytes of `file` already on disk: the whole blob, else the partial download. Only regular
// files count; a symlink is never followed.
uint64_t PresentBytes(const SafeDir& blobs, const RepoFile& file) {
  const std::optional<struct stat> blob = blobs.Lstat(file.etag());
  if (blob && S_ISREG(blob->st_mode)) return file.size;
  const std::optional<struct stat> partial = blobs.Lstat(file.etag() + ".incomplete");
  if (!partial || !S_ISREG(partial->st_mode)) return 0;
  return std::min(static_cast<uint64_t>(partial->st_size), file.size);
}

// Free space on the cache's filesystem, from fstatvfs(2) on the blobs folder.
Result<uint64_t> FreeBytes(const SafeDir& blobs) {
  struct statvfs vfs {};
  if (::fstatvfs(blobs.fd(), &vfs) != 0) {
    return ErrnoError("cannot statvfs " + blobs.path().string(), errno);
  }
  return static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
}

Status CheckDiskSpace(const RepoCache& cache, const SafeDir& blobs,
                      const std::vector<RepoFile>& missing) {
  uint64_t needed = 0;
  for (const RepoFile& f : missing) needed += f.size - PresentBytes(blobs, f);
  Result<uint64_t> free_bytes = FreeBytes(blobs);
  if (!free_bytes.ok() || needed <= *free_bytes) return Status::Ok();  // or cannot tell
  const auto format = [](uint64_t n) {
    return FormatBytes(static_cast<int64_t>(std::min<uint64_t>(n, INT64_MAX)));
  };
  return IoError("not enough disk space in " + cache.cache_dir().string() +
                 ": the download needs " + format(needed) + " (" + std::to_string(needed) +
                 " bytes) and " + format(*free_bytes) + " (" + std::to_string(*free_bytes) +
                 " bytes) are free; free some space, set HF_HUB_CACHE to a larger disk, or pass "
                 "--force to try anyway");
}

PullResult MakeResult(const ModelRef& ref, const RepoCache& cache, const std::string& commit,
                      Selection selection) {
  PullResult result;
  result.repo_id = ref.repo_id;
  result.revision = ref.revision;
  result.commit = commit;
  result.snapshot_dir = cache.snapshot_dir(commit);
  for (const std::string& f : selection.files) {
    const std::optional<struct stat> st = cache.StatSnapshotFile(commit, f);
    if (st) result.total_bytes += static_cast<uint64_t>(st->st_size);
  }
  result.files = std::move(selection.files);
  result.quant = std::move(selection.quant);
  result.quant_picked = selection.quant_picked;
  return result;
}

// The pull answered from the cache alone (pinned commit, offline, or Hub unreachable).
Result<PullResult> PullFromCache(const ModelRef& ref, const RepoCache& cache,
                                 const SelectionRequest& selection) {
  HFD_RETURN_IF_ERROR(cache.CheckDirs());
  std::string commit = ref.revision;
  if (!IsCommitSha(commit)) {
    HFD_ASSIGN_OR_RETURN(std::optional<std::string> cached, cache.ReadRef(ref.revision));
    if (!cached) {
      return NotFound("'" + ref.ToString() + "' is not in the cache (no refs/" + ref.revision +
                      " under " + cache.repo_dir().string() + ")");
    }
    commit = *cached;
  }
  std::optional<Selection> files = CompleteLocalSelection(cache, commit, selection);
  if (!files) {
    return NotFound("the cached snapshot " + commit + " of '" + ref.repo_id +
                    "' does not hold the requested files");
  }
  PullResult result = MakeResult(ref, cache, commit, std::move(*files));
  result.from_cache = true;
  result.offline = true;
  return result;
}

// Reads bytes [0, size) of a repo file with a Range request (for headers).
Result<std::string> FetchFilePrefix(const HubClient& client, const std::string& repo_id,
                                    const std::string& commit, const RepoFile& file, uint64_t size,
                                    const std::atomic<bool>* cancel, const RetryFn& on_retry) {
  if (file.size == 0 || size == 0) return std::string();
  HttpRequest request;
  request.url = client.ResolveUrl(repo_id, commit, file.path);
  request.range_start = 0;
  request.range_end = std::min(size, file.size) - 1;
  HFD_ASSIGN_OR_RETURN(HttpResponse response,
                       client.Send(request, {repo_id, commit, file.path}, cancel, on_retry));
  return std::move(response.body);
}

// Reads the head of a GGUF file with Range requests, growing it while the header runs on,
// until the engine's verdict is known or kGgufMaxPrefixBytes are read.
Status CheckGgufHeader(const HubClient& client, const ModelRef& ref, const std::string& commit,
                       const RepoFile& gguf, const std::atomic<bool>* cancel,
                       const RetryFn& on_retry) {
  for (uint64_t size = kGgufFirstPrefixBytes;; size *= 8) {
    HFD_ASSIGN_OR_RETURN(std::string prefix, FetchFilePrefix(client, ref.repo_id, commit, gguf,
                                                             size, cancel, on_retry));
    Result<GgufVerdict> verdict = CheckGgufPrefix(prefix);
    if (!verdict.ok()) return verdict.status().WithContext(gguf.path);
    if (*verdict == GgufVerdict::kRunnable || prefix.size() < size || size >= kGgufMaxPrefixBytes) {
      return Status::Ok();
    }
  }
}

// Refuses architectures and weight types the engine cannot run, before the weights.
Status PreCheck(const HubClient& client, BlobFetcher& blobs, const RepoCache& cache,
                const ModelRef& ref, const std::string& commit,
                const std::vector<RepoFile>& selected, uint64_t* downloaded,
                const std::atomic<bool>* cancel, const RetryFn& on_retry) {
  auto config = std::find_if(selected.begin(), selected.end(),
                             [](const RepoFile& f) { return f.path == "config.json"; });
  if (config != selected.end()) {
    HFD_ASSIGN_OR_RETURN(BlobDownload got, blobs.Fetch(client, cache, ref.repo_id, commit, *config,
                                                       {}, on_retry, cancel));
    *downloaded += got.bytes_downloaded;
    HFD_RETURN_IF_ERROR(cache.LinkSnapshotFile(commit, config->path, config->etag()));
    HFD_ASSIGN_OR_RETURN(std::string json,
                         cache.ReadSnapshotFile(commit, config->path, kMaxConfigBytes));
    return CheckConfigJson(json).WithContext(ref.repo_id);
  }
  auto gguf = std::find_if(selected.begin(), selected.end(), [](const RepoFile& f) {
    const SplitName split = ParseSplitName(f.path);
    return f.path.ends_with(".gguf") && split.index <= 1;
  });
  if (gguf == selected.end() || cache.HasSnapshotFile(commit, gguf->path)) return Status::Ok();
  return CheckGgufHeader(client, ref, commit, *gguf, cancel, on_retry);
}

}  // namespace

Puller::Puller(HubConfig config, ResolvedToken token)
    : config_(std::move(config)),
      token_(std::move(token)),
      loop_(std::make_unique<TransferLoop>()),
      blobs_(std::make_unique<BlobFetcher>(*loop_)) {}

Puller::~Puller() = default;

std::string Puller::TokenUsed(const PullOptions& options) const {
  if (options.token) {
    return "with the token sent with this request (the client's: hfctl sends --token-file, "
           "else HF_TOKEN, else its token file)";
  }
  switch (token_.source) {
    case TokenSource::kConfig:
      return "with the daemon's token (from hf_token in its configuration)";
    case TokenSource::kEnvironment:
      return "with the daemon's token (from its HF_TOKEN)";
    case TokenSource::kTokenFile:
      return "with the daemon's token (from its token file " + token_.file + ")";
    case TokenSource::kRequest:
    case TokenSource::kNone:
      break;
  }
  return token_.token.empty() ? "without a token" : "with the daemon's token";
}

Result<PullResult> Puller::Pull(const ModelRef& ref, const PullOptions& options,
                                const ProgressFn& progress, const std::atomic<bool>* cancel) const {
  HFD_RETURN_IF_ERROR(ValidateRepoId(ref.repo_id));
  HFD_RETURN_IF_ERROR(ValidateRevision(ref.revision));
  const RepoCache cache(config_.cache_dir, ref.repo_id);
  const SelectionRequest selection{ref.repo_id, ref.quant, options.include, options.exclude};
  ProgressTracker tracker(progress);

  if (config_.offline || options.offline) {
    Result<PullResult> cached = PullFromCache(ref, cache, selection);
    if (!cached.ok()) {
      const std::string why = config_.offline ? "the daemon is offline (its HF_HUB_OFFLINE)"
                                              : "this pull is offline (--offline or the "
                                                "client's HF_HUB_OFFLINE)";
      return Status(cached.status().code(),
                    why + ": " + cached.status().message() + "; pull it once with network access");
    }
    tracker.Phase(PullProgress::Phase::kDone);
    return cached;
  }
  if (IsCommitSha(ref.revision)) {
    // A pinned commit never changes: a complete snapshot needs no network at all.
    Result<PullResult> cached = PullFromCache(ref, cache, selection);
    if (cached.ok()) {
      tracker.Phase(PullProgress::Phase::kDone);
      return cached;
    }
  }
  Result<PullResult> pulled = PullOnline(ref, options, tracker, cancel);
  const ErrorCode code = pulled.status().code();
  if (code != ErrorCode::kUnavailable && code != ErrorCode::kDeadlineExceeded) return pulled;
  // The Hub cannot be reached: a cached snapshot of this revision keeps the daemon usable.
  Result<PullResult> cached = PullFromCache(ref, cache, selection);
  if (!cached.ok()) return pulled;
  cached->warnings.push_back("could not reach the Hub (" + pulled.status().message() +
                             "); using the cached snapshot " + cached->commit + " of '" +
                             ref.ToString() + "'");
  tracker.Phase(PullProgress::Phase::kDone);
  return cached;
}

Result<PullResult> Puller::PullOnline(const ModelRef& ref, const PullOptions& options,
                                      ProgressTracker& tracker,
                                      const std::atomic<bool>* cancel) const {
  const RepoCache cache(config_.cache_dir, ref.repo_id);
  HttpOptions http = options.http;
  if (http.ca_file.empty()) http.ca_file = config_.ca_bundle;
  const HubClient client(config_.endpoint, options.token.value_or(token_.token), TokenUsed(options),
                         options.retry, http, loop_.get());
  tracker.Phase(PullProgress::Phase::kResolving);
  const RetryFn on_retry = [&tracker](const RetryNotice& notice) { tracker.Retrying(notice); };
  HFD_ASSIGN_OR_RETURN(RevisionInfo info,
                       client.GetRevision(ref.repo_id, ref.revision, cancel, on_retry));
  const std::string& commit = info.commit;
  HFD_ASSIGN_OR_RETURN(std::vector<RepoFile> listing,
                       client.ListFiles(ref.repo_id, commit, cancel, on_retry));

  std::map<std::string, RepoFile> by_path;
  std::vector<ListedFile> paths;
  for (RepoFile& f : listing) {
    HFD_RETURN_IF_ERROR(ValidateRepoFilePath(f.path).WithContext(ref.repo_id));
    HFD_RETURN_IF_ERROR(ValidateEtag(f.etag()).WithContext(f.path));
    paths.push_back({f.path, f.size});
    by_path[f.path] = std::move(f);
  }
  HFD_ASSIGN_OR_RETURN(Selection chosen, SelectFiles(paths, {ref.repo_id, ref.quant,
                                                             options.include, options.exclude}));
  std::vector<RepoFile> selected;
  uint64_t total = 0;
  for (const std::string& p : chosen.files) {
    selected.push_back(by_path[p]);
    total += by_path[p].size;
  }

  HFD_RETURN_IF_ERROR(cache.EnsureDirs());
  HFD_ASSIGN_OR_RETURN(SafeDir blobs, cache.OpenFolder("blobs", false));
  if (ref.revision != commit) HFD_RETURN_IF_ERROR(cache.WriteRef(ref.revision, commit));
  std::vector<RepoFile> missing;
  uint64_t present = 0;
  for (const RepoFile& f : selected) {
    if (cache.HasSnapshotFile(commit, f.path)) {
      present += f.size;
    } else {
      missing.push_back(f);
    }
  }
  tracker.SetTotals(total, selected.size(), present);
  PullResult result = MakeResult(ref, cache, commit, std::move(chosen));
  result.total_bytes = total;
  if (missing.empty()) {
    result.from_cache = true;
    tracker.Phase(PullProgress::Phase::kDone);
    return result;
  }
  tracker.Phase(PullProgress::Phase::kChecking);
  if (!options.force) {
    HFD_RETURN_IF_ERROR(CheckDiskSpace(cache, blobs, missing));
    HFD_RETURN_IF_ERROR(PreCheck(client, *blobs_, cache, ref, commit, selected,
                                 &result.downloaded_bytes, cancel, on_retry));
  }
  const BytesFn on_bytes = [&tracker](uint64_t n) { tracker.AddBytes(n); };
  for (const RepoFile& f : missing) {
    tracker.StartFile(f.path, f.size, PresentBytes(blobs, f));
    if (!cache.HasSnapshotFile(commit, f.path)) {  // config.json may come from the pre-check
      HFD_ASSIGN_OR_RETURN(BlobDownload got, blobs_->Fetch(client, cache, ref.repo_id, commit, f,
                                                           on_bytes, on_retry, cancel));
      result.downloaded_bytes += got.bytes_downloaded;
      HFD_RETURN_IF_ERROR(cache.LinkSnapshotFile(commit, f.path, f.etag()));
    }
    tracker.FinishFile();
  }
  tracker.Phase(PullProgress::Phase::kDone);
  return result;
}

}  // namespace hfd::hub
