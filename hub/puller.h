// Pulls a model repo revision into the huggingface_hub cache. This is the entry point the
// daemon calls (from a worker thread) for `pull`.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hfd/status.h"
#include "hub/blob_fetcher.h"
#include "hub/http.h"
#include "hub/hub_config.h"
#include "hub/model_ref.h"
#include "hub/progress.h"
#include "hub/retry.h"
#include "hub/token.h"
#include "hub/transfer_loop.h"

namespace hfd::hub {

struct PullOptions {
  std::vector<std::string> include;  // globs; replace the default file selection
  std::vector<std::string> exclude;  // globs removed from the selection
  bool force = false;                // skip the free-space, architecture and weight-type checks
  // A token for this request only (the client's: hfctl sends --token-file, HF_TOKEN or its
  // token file); overrides the Puller's token. Never stored or logged.
  std::optional<std::string> token;
  // Answer from the cache alone, as HF_HUB_OFFLINE does (the client's --offline).
  bool offline = false;
  RetryPolicy retry;
  HttpOptions http;
};

struct PullResult {
  std::string repo_id;
  std::string revision;  // as requested ("main", a tag, a commit)
  std::string commit;
  std::filesystem::path snapshot_dir;
  std::vector<std::string> files;     // repo-relative paths in the snapshot
  std::string quant;                  // of the GGUF model pulled; "" for safetensors
  bool quant_picked = false;          // several quants: the default rule (DefaultGguf) chose it
  uint64_t total_bytes = 0;           // size of the selected files
  uint64_t downloaded_bytes = 0;      // transferred by this pull
  bool from_cache = false;            // no file had to be downloaded
  bool offline = false;               // resolved without contacting the Hub
  std::vector<std::string> warnings;  // e.g. "Hub unreachable, using cached snapshot"
};

// Owns the download thread (a TransferLoop) on which every request of its pulls runs; one
// Puller serves concurrent pulls from several threads. Pulls of the same blob join one
// download; downloads in other processes are waited for through the blob's file lock.
class Puller {
 public:
  // `token` is the daemon's resolved token (may be none). Never logged. Starts the download
  // thread.
  Puller(HubConfig config, ResolvedToken token);
  // Cancels the downloads still running and stops the thread. No Pull may be running.
  ~Puller();
  Puller(const Puller&) = delete;
  Puller& operator=(const Puller&) = delete;

  // Blocking: the requests run on the download thread while the caller waits. Downloads
  // what `ref` selects unless it is already cached. Files present in the
  // snapshot are not fetched again; a pinned commit that is complete needs no network;
  // offline mode resolves branches from refs/. Progress goes to `progress` (may be
  // empty); `cancel` (may be null) stops the pull, keeping partial data for resume.
  Result<PullResult> Pull(const ModelRef& ref, const PullOptions& options,
                          const ProgressFn& progress, const std::atomic<bool>* cancel) const;

  const HubConfig& config() const { return config_; }

 private:
  Result<PullResult> PullOnline(const ModelRef& ref, const PullOptions& options,
                                ProgressTracker& tracker, const std::atomic<bool>* cancel) const;

  // "with the daemon's token (from HF_TOKEN)": which token `options`' requests carry, for
  // errors.
  std::string TokenUsed(const PullOptions& options) const;

  HubConfig config_;
  ResolvedToken token_;
  std::unique_ptr<TransferLoop> loop_;
  std::unique_ptr<BlobFetcher> blobs_;  // after loop_: destroyed first
};

}  // namespace hfd::hub
